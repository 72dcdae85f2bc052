package bot

import (
	"context"
	"sync"
)

// msgRestarting is the reply to an event that arrives during a shutdown.
const msgRestarting = "I'm restarting. Please try again in a minute."

// drain counts the event as in flight so a shutdown waits for it, and
// turns new events away once the shutdown has begun.
func drain(f *inflight) Middleware {
	return func(next Handler) Handler {
		return func(ctx context.Context, ev *Event) error {
			if !f.enter() {
				return ev.reply.Send(ctx, Reply{Text: msgRestarting, Ephemeral: true})
			}
			defer f.leave()
			return next(ctx, ev)
		}
	}
}

// inflight counts events being handled, so that a shutdown can stop taking
// new ones and wait for the rest. (A WaitGroup cannot refuse new work once
// Wait has begun.)
type inflight struct {
	mu       sync.Mutex
	n        int
	draining bool
	idle     chan struct{} // closed when draining and n reaches 0
}

func newInflight() *inflight { return &inflight{idle: make(chan struct{})} }

// enter registers an event, or returns false once draining has begun.
func (f *inflight) enter() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.draining {
		return false
	}
	f.n++
	return true
}

func (f *inflight) leave() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.n--
	if f.draining && f.n == 0 {
		close(f.idle)
	}
}

// drain refuses new events and waits for those in flight, or for ctx. It
// returns how many were still running when it gave up.
func (f *inflight) drain(ctx context.Context) int {
	f.mu.Lock()
	if !f.draining {
		f.draining = true
		if f.n == 0 {
			close(f.idle)
		}
	}
	f.mu.Unlock()
	select {
	case <-f.idle:
		return 0
	case <-ctx.Done():
		f.mu.Lock()
		defer f.mu.Unlock()
		return f.n
	}
}

func (f *inflight) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.n
}
