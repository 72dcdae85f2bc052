package bot

import (
	"context"
	"sync"
)

// queue caps how many answers are computed at once (each one keeps the
// CPU or the language model busy) and how many may wait for a turn; beyond
// that the bot says it is busy instead of letting waits grow without bound.
type queue struct {
	slots chan struct{} // one token per running answer

	mu      sync.Mutex
	pending int // running + waiting
	limit   int // max running + max waiting
}

func newQueue(maxConcurrent, queueSize int) *queue {
	return &queue{slots: make(chan struct{}, maxConcurrent), limit: maxConcurrent + queueSize}
}

// ticket is one admitted event: it holds a place in the queue and, after
// wait, a slot.
type ticket struct {
	q        *queue
	mu       sync.Mutex
	running  bool
	released bool
}

// admit takes a place in the queue, or reports that it is full.
func (q *queue) admit() (*ticket, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.pending >= q.limit {
		return nil, false
	}
	q.pending++
	return &ticket{q: q}, true
}

// wait blocks until a slot is free or ctx ends.
func (t *ticket) wait(ctx context.Context) error {
	select {
	case t.q.slots <- struct{}{}:
		t.mu.Lock()
		t.running = true
		t.mu.Unlock()
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// done gives back the slot and the place. It may be called more than once.
func (t *ticket) done() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.released {
		return
	}
	t.released = true
	if t.running {
		<-t.q.slots
	}
	t.q.mu.Lock()
	t.q.pending--
	t.q.mu.Unlock()
}

// depth reports running and waiting answers, for /metrics.
func (q *queue) depth() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.pending
}

type ticketKey struct{}

func withTicket(ctx context.Context, t *ticket) context.Context {
	return context.WithValue(ctx, ticketKey{}, t)
}

func ticketFrom(ctx context.Context) *ticket {
	t, _ := ctx.Value(ticketKey{}).(*ticket)
	return t
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
