package bot

import (
	"context"
	"sync"
	"time"
)

// queue caps how many answers are computed at once (each keeps the CPU or
// the language model busy) and admits a question only when its expected
// wait fits a budget: the answers ahead of it, divided among the slots,
// times the measured time per answer. A burst the bot can serve in time is
// served however large; a question that could not start within the budget
// gets the polite "busy" reply at once instead of a long wait. queue_size
// stays as a hard cap on waiting questions, for memory's sake.
type queue struct {
	slots chan struct{} // one token per running answer

	mu      sync.Mutex
	pending int // running + waiting
	limit   int // max running + max waiting
	maxWait time.Duration
	// perAnswer is a moving average of how long an answer holds its slot
	// (seconds), measured as answers finish.
	perAnswer float64
}

// initialPerAnswer is the time per answer assumed before any is measured:
// an extractive answer holds its slot some tens of milliseconds on two
// cores, a language model's seconds. A tenth of a second admits a first
// burst of some 800 within a 10 s budget on 8 slots; the first answers
// to finish correct it.
const initialPerAnswer = 0.1

// answerWeight is how much each finished answer moves the average.
const answerWeight = 0.1

func newQueue(maxConcurrent, queueSize int, maxWait time.Duration) *queue {
	return &queue{slots: make(chan struct{}, maxConcurrent), limit: maxConcurrent + queueSize, maxWait: maxWait, perAnswer: initialPerAnswer}
}

// expectedWait is how long a question admitted now would wait for a slot:
// the rounds of answers ahead of it times the time per answer. Callers
// hold q.mu.
func (q *queue) expectedWait() time.Duration {
	conc := cap(q.slots)
	if q.pending < conc {
		return 0
	}
	rounds := (q.pending-conc)/conc + 1
	return time.Duration(float64(rounds) * q.perAnswer * float64(time.Second))
}

// load reports the questions running and waiting, and the wait a new one
// would expect, for logs.
func (q *queue) load() (int, time.Duration) {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.pending, q.expectedWait()
}

// observe records how long an answer held its slot.
func (q *queue) observe(d time.Duration) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.perAnswer += answerWeight * (d.Seconds() - q.perAnswer)
}

// ticket is one admitted event: it holds a place in the queue and, after
// wait, a slot.
type ticket struct {
	q        *queue
	mu       sync.Mutex
	running  bool
	started  time.Time
	released bool
}

// admit takes a place in the queue, or reports that the question could not
// start within the wait budget (or that the hard cap is reached).
func (q *queue) admit() (*ticket, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.pending >= q.limit || q.maxWait > 0 && q.expectedWait() > q.maxWait {
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
		t.running, t.started = true, time.Now()
		t.mu.Unlock()
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// done gives back the slot and the place, and records how long the slot
// was held. It may be called more than once.
func (t *ticket) done() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.released {
		return
	}
	t.released = true
	if t.running {
		<-t.q.slots
		t.q.observe(time.Since(t.started))
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
