package bot

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// msgBusy is the reply to a question that could not start in time.
const msgBusy = "I'm busy answering other questions right now. Please try again in a moment."

// admit takes a place in the answer queue, or says the bot is busy
// (counting it in busy). The place is released when the handler returns.
func admit(q *queue, busy prometheus.Counter, log *slog.Logger) Middleware {
	return func(next Handler) Handler {
		return func(ctx context.Context, ev *Event) error {
			t, ok := q.admit()
			if !ok {
				busy.Inc()
				pending, wait := q.load()
				logFor(log, ev).Warn("expected wait over budget; turned away", "pending", pending, "expected_wait", wait.Round(time.Millisecond))
				return ev.reply.Send(ctx, Reply{Text: msgBusy, Ephemeral: true})
			}
			defer t.done()
			return next(withTicket(ctx, t), ev)
		}
	}
}

// waitForSlot waits for one of the concurrent answer slots that admit's
// ticket gives a turn at. It sits after deferReply, so the wait happens
// behind a "thinking…" message rather than against Discord's 3-second
// acknowledgement deadline.
func waitForSlot() Middleware {
	return func(next Handler) Handler {
		return func(ctx context.Context, ev *Event) error {
			if t := ticketFrom(ctx); t != nil {
				if err := t.wait(ctx); err != nil {
					return fmt.Errorf("waiting for an answer slot: %w", err)
				}
			}
			return next(ctx, ev)
		}
	}
}

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
	// unacked counts the admitted questions not yet acknowledged; quiet is
	// closed while it is zero. An answer waits for quiet at most ackWait
	// (acksFirst).
	unacked int
	quiet   chan struct{}
	ackWait time.Duration
}

// acksFirst bounds how long an answer waits for the acknowledgements of a
// burst to go out before it starts. Acknowledging is a few milliseconds
// of work with a 3-second deadline; answering is tens of milliseconds of
// CPU with fifteen minutes. On two cores, answers started during a burst
// of a hundred questions take the CPU the acknowledgements need and push
// them past 100 ms (under heavy load, past Discord's 3 s). The bound is
// that deadline: an acknowledgement still not sent after it is of no use
// to anyone, so waiting longer could only starve the answers. A burst is
// normally acknowledged in well under a tenth of a second.
const acksFirst = 3 * time.Second

// initialPerAnswer is the time per answer assumed before any is measured:
// an extractive answer holds its slot some tens of milliseconds on two
// cores, a language model's seconds. A tenth of a second admits a first
// burst of some 800 within a 10 s budget on 8 slots; the first answers
// to finish correct it.
const initialPerAnswer = 0.1

// answerWeight is how much each finished answer moves the average.
const answerWeight = 0.1

func newQueue(maxConcurrent, queueSize int, maxWait time.Duration) *queue {
	q := &queue{slots: make(chan struct{}, maxConcurrent), limit: maxConcurrent + queueSize, maxWait: maxWait, perAnswer: initialPerAnswer, quiet: make(chan struct{}), ackWait: acksFirst}
	close(q.quiet)
	return q
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
	ackDone  bool
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
	if q.unacked == 0 {
		q.quiet = make(chan struct{})
	}
	q.unacked++
	return &ticket{q: q}, true
}

// acked records that t's question has been acknowledged (or never will
// be). It may be called more than once.
func (t *ticket) acked() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.ackDone {
		return
	}
	t.ackDone = true
	t.q.mu.Lock()
	defer t.q.mu.Unlock()
	if t.q.unacked--; t.q.unacked == 0 {
		close(t.q.quiet)
	}
}

// ackQuiet returns a channel closed once no admitted question waits for
// its acknowledgement.
func (q *queue) ackQuiet() <-chan struct{} {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.quiet
}

// wait blocks until a slot is free or ctx ends. Its own question being
// acknowledged, it first lets the others of a burst be acknowledged too
// (for at most ackWait).
func (t *ticket) wait(ctx context.Context) error {
	t.acked()
	timer := time.NewTimer(t.q.ackWait)
	select {
	case <-t.q.ackQuiet():
	case <-timer.C:
	case <-ctx.Done():
		timer.Stop()
		return ctx.Err()
	}
	timer.Stop()
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
	if !t.ackDone {
		t.ackDone = true
		t.q.mu.Lock()
		if t.q.unacked--; t.q.unacked == 0 {
			close(t.q.quiet)
		}
		t.q.mu.Unlock()
	}
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
