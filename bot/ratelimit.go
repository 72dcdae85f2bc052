package bot

import (
	"sync"
	"time"
)

// Scopes of a rate limit, for the reply and the logs.
const (
	scopeUser    = "user"
	scopeChannel = "channel"
)

// limiter holds token buckets per user and per channel: each allows
// perUser (perChannel) questions per window, refilled smoothly, so a burst
// of that size is fine and a steady stream is held to the average.
type limiter struct {
	mu         sync.Mutex
	window     time.Duration
	perUser    int // 0: no limit
	perChannel int
	users      map[string]*bucket
	channels   map[string]*bucket
	lastSweep  time.Time
}

type bucket struct {
	tokens float64
	at     time.Time
}

func newLimiter(perUser, perChannel int, window time.Duration) *limiter {
	if perUser <= 0 && perChannel <= 0 {
		return nil
	}
	return &limiter{
		window: window, perUser: perUser, perChannel: perChannel,
		users: map[string]*bucket{}, channels: map[string]*bucket{},
	}
}

// allow takes one token from the user's and the channel's bucket if both
// have one; otherwise it takes nothing and says how long to wait and which
// limit was hit.
func (l *limiter) allow(user, channel string, now time.Time) (ok bool, wait time.Duration, scope string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sweep(now)
	var ub, cb *bucket
	if l.perUser > 0 && user != "" {
		ub = l.fill(l.users, user, l.perUser, now)
	}
	if l.perChannel > 0 && channel != "" {
		cb = l.fill(l.channels, channel, l.perChannel, now)
	}
	if ub != nil && ub.tokens < 1 {
		return false, l.until(ub, l.perUser), scopeUser
	}
	if cb != nil && cb.tokens < 1 {
		return false, l.until(cb, l.perChannel), scopeChannel
	}
	if ub != nil {
		ub.tokens--
	}
	if cb != nil {
		cb.tokens--
	}
	return true, 0, ""
}

// fill returns key's bucket refilled up to now.
func (l *limiter) fill(m map[string]*bucket, key string, burst int, now time.Time) *bucket {
	b := m[key]
	if b == nil {
		b = &bucket{tokens: float64(burst), at: now}
		m[key] = b
		return b
	}
	rate := float64(burst) / l.window.Seconds()
	b.tokens = min(float64(burst), b.tokens+now.Sub(b.at).Seconds()*rate)
	b.at = now
	return b
}

// until is how long until b holds a whole token.
func (l *limiter) until(b *bucket, burst int) time.Duration {
	rate := float64(burst) / l.window.Seconds()
	return time.Duration((1 - b.tokens) / rate * float64(time.Second))
}

// sweep forgets buckets that have been idle for a window (they are full
// again), so the maps stay the size of the recently active users.
func (l *limiter) sweep(now time.Time) {
	if now.Sub(l.lastSweep) < l.window {
		return
	}
	l.lastSweep = now
	for _, m := range []map[string]*bucket{l.users, l.channels} {
		for k, b := range m {
			if now.Sub(b.at) >= l.window {
				delete(m, k)
			}
		}
	}
}
