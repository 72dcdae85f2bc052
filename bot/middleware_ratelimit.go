package bot

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/time/rate"
)

// rateLimit applies the per-user and per-channel limits (nil: none) to
// untrusted events, counting what it turns away in limited.
func rateLimit(l *limiter, limited prometheus.Counter, log *slog.Logger) Middleware {
	return func(next Handler) Handler {
		return func(ctx context.Context, ev *Event) error {
			if l == nil || ev.Trusted {
				return next(ctx, ev)
			}
			ok, wait, scope := l.allow(ev.UserID, ev.ChannelID, time.Now())
			if ok {
				return next(ctx, ev)
			}
			limited.Inc()
			secs := int(math.Ceil(wait.Seconds()))
			var text string
			if scope == scopeChannel {
				text = fmt.Sprintf("This channel has asked me a lot in the last little while. Please wait %s and try again.", plural(secs, "second"))
			} else {
				text = fmt.Sprintf("You're asking faster than I can keep up with. Please wait %s and try again.", plural(secs, "second"))
			}
			logFor(log, ev).Info("rate limited", "scope", scope, "wait", wait)
			return ev.reply.Send(ctx, Reply{Text: text, Ephemeral: true})
		}
	}
}

// Scopes of a rate limit, for the reply and the logs.
const (
	scopeUser    = "user"
	scopeChannel = "channel"
)

// limiter holds a token bucket (rate.Limiter) per user and per channel:
// each allows perUser (perChannel) questions per window, refilled
// smoothly, so a burst of that size is fine and a steady stream is held to
// the average.
type limiter struct {
	mu         sync.Mutex
	window     time.Duration
	perUser    int // 0: no limit
	perChannel int
	users      map[string]*rate.Limiter
	channels   map[string]*rate.Limiter
	lastSweep  time.Time
}

func newLimiter(perUser, perChannel int, window time.Duration) *limiter {
	if perUser <= 0 && perChannel <= 0 {
		return nil
	}
	return &limiter{
		window: window, perUser: perUser, perChannel: perChannel,
		users: map[string]*rate.Limiter{}, channels: map[string]*rate.Limiter{},
	}
}

// allow takes one token from the user's and the channel's bucket if both
// have one; otherwise it takes nothing and says how long to wait and which
// limit was hit.
func (l *limiter) allow(user, channel string, now time.Time) (ok bool, wait time.Duration, scope string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sweep(now)
	var taken []*rate.Reservation
	for _, b := range []struct {
		m     map[string]*rate.Limiter
		key   string
		burst int
		scope string
	}{{l.users, user, l.perUser, scopeUser}, {l.channels, channel, l.perChannel, scopeChannel}} {
		if b.burst <= 0 || b.key == "" {
			continue
		}
		lim := b.m[b.key]
		if lim == nil {
			lim = rate.NewLimiter(rate.Limit(float64(b.burst)/l.window.Seconds()), b.burst)
			b.m[b.key] = lim
		}
		r := lim.ReserveN(now, 1)
		if d := r.DelayFrom(now); d > 0 {
			r.CancelAt(now)
			for _, t := range taken {
				t.CancelAt(now) // a refused question takes from no bucket
			}
			return false, d, b.scope
		}
		taken = append(taken, r)
	}
	return true, 0, ""
}

// sweep forgets buckets that are full again (idle for long enough), so the
// maps stay the size of the recently active users.
func (l *limiter) sweep(now time.Time) {
	if now.Sub(l.lastSweep) < l.window {
		return
	}
	l.lastSweep = now
	for _, m := range []map[string]*rate.Limiter{l.users, l.channels} {
		for k, lim := range m {
			if lim.TokensAt(now) >= float64(lim.Burst()) {
				delete(m, k)
			}
		}
	}
}
