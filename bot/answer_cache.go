package bot

import (
	"context"
	"time"

	"github.com/hashicorp/golang-lru/v2/expirable"
	"golang.org/x/sync/singleflight"

	"github.com/incidentbot/incidentbot"
)

const cacheTTL = 10 * time.Minute

// cacheKey is a question under the index version it was answered from.
type cacheKey struct {
	index    string
	question string
}

func (k cacheKey) String() string { return k.index + "\x00" + k.question }

// answerCache keeps recent answers for a while (an expirable LRU) and
// shares one computation among identical questions asked at once
// (singleflight).
type answerCache struct {
	lru    *expirable.LRU[cacheKey, *incidentbot.Answer]
	flight singleflight.Group
}

func newAnswerCache(size int, ttl time.Duration) *answerCache {
	return &answerCache{lru: expirable.NewLRU[cacheKey, *incidentbot.Answer](size, nil, ttl)}
}

// do returns the cached answer for key, waits for one being computed, or
// computes it with f. Errors and fallback answers are not kept: both say
// the model was failing just now, which must not outlast the outage. A
// panic in f reaches every caller waiting for it, each of which the
// recover middleware catches.
//
// Waiting is singleflight.Do's, not DoChan's, although DoChan would let a
// waiter give up when its context ends: DoChan runs f in a goroutine of
// its own, where a panic ends the process. f runs under the first
// caller's context, with answerTimeout, so no waiter waits longer than
// that.
func (c *answerCache) do(ctx context.Context, key cacheKey, f func() (*incidentbot.Answer, error)) (*incidentbot.Answer, error) {
	if a, ok := c.lru.Get(key); ok {
		return a, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	v, err, _ := c.flight.Do(key.String(), func() (any, error) {
		a, err := f()
		if err == nil && a != nil && a.Mode != incidentbot.ModeFallback {
			c.lru.Add(key, a)
		}
		return a, err
	})
	if err != nil {
		return nil, err
	}
	return v.(*incidentbot.Answer), nil
}
