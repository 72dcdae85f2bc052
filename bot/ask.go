package bot

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/incidentbot/incidentbot"
	"github.com/incidentbot/incidentbot/answer"
	"github.com/incidentbot/incidentbot/retrieval"
)

// ask answers /ask, a mention, a DM or a follow-up in a thread.
func (s *service) ask(ctx context.Context, ev *Event) error {
	q := strings.TrimSpace(ev.Options["question"])
	var history []incidentbot.Turn
	if ev.Conv != nil {
		history = ev.Conv.History(ctx)
	}
	stream := startStream(ctx, s.cfg.StreamEditInterval, func(ctx context.Context, text string) error {
		return ev.reply.Progress(ctx, text+"\n\n*✍️ writing… (a draft: its sources are checked when it is done)*")
	})
	ans, err := s.answerCached(ctx, answer.Request{Question: q, History: history, OnPartial: stream.update})
	stream.stop()
	if err != nil {
		s.metrics.answerErrors.Add(1)
		return fmt.Errorf("answering %q: %w", clip(q, 80), err)
	}
	echo := ""
	if ev.Kind == KindCommand {
		echo = q
	}
	text, trimmed := renderAnswer(ans, echo)
	s.recent.put(ev.ID, ans)
	if ev.Conv != nil {
		ev.Conv.Remember(incidentbot.Turn{Question: q, Answer: ans.Text})
	}
	err = ev.reply.Send(ctx, Reply{Text: text, Buttons: s.answerButtons(ev.ID, trimmed)})
	s.metrics.countAnswer(ans, time.Since(ev.Received))
	logFor(s.log, ev).Info("answered", "mode", ans.Mode, "refused", ans.Refused,
		"citations", len(ans.Citations), "history", len(history), "ms", time.Since(ev.Received).Milliseconds())
	return err
}

// answerCached asks the answerer, sharing one computation among identical
// questions asked at the same time (a channel stampeding on the news of the
// day) and reusing recent answers. Follow-ups are never cached: their
// meaning depends on the conversation. The index is part of the key, so an
// answer never outlives a refresh.
func (s *service) answerCached(ctx context.Context, req answer.Request) (*incidentbot.Answer, error) {
	if len(req.History) > 0 {
		return s.answerer.Ask(ctx, req)
	}
	key := cacheKey{index: s.library.Index(), question: normalizeQuestion(req.Question)}
	return s.cache.do(ctx, key, func() (*incidentbot.Answer, error) {
		return s.answerer.Ask(ctx, req)
	})
}

func normalizeQuestion(q string) string {
	return strings.TrimRight(strings.ToLower(oneLine(q)), " ?!.")
}

// ---- streaming ----

// stream shows the text of an answer while a language model writes it,
// editing the message at most once per interval: Discord rate-limits edits,
// and nobody reads faster than that.
type stream struct {
	mu      sync.Mutex
	latest  string
	pending bool
	wake    chan struct{}
	quit    chan struct{}
	done    chan struct{}
}

// startStream starts the editing loop; show is called from it alone.
func startStream(ctx context.Context, interval time.Duration, show func(context.Context, string) error) *stream {
	st := &stream{wake: make(chan struct{}, 1), quit: make(chan struct{}), done: make(chan struct{})}
	go st.loop(ctx, interval, show)
	return st
}

// update records the text so far; it never blocks the model's stream.
func (st *stream) update(text string) {
	st.mu.Lock()
	st.latest, st.pending = text, true
	st.mu.Unlock()
	select {
	case st.wake <- struct{}{}:
	default:
	}
}

// stop ends the loop and waits for it, so that no partial edit can land
// after the final answer.
func (st *stream) stop() {
	close(st.quit)
	<-st.done
}

func (st *stream) loop(ctx context.Context, interval time.Duration, show func(context.Context, string) error) {
	defer close(st.done)
	for {
		select {
		case <-st.wake:
		case <-st.quit:
			return
		case <-ctx.Done():
			return
		}
		st.mu.Lock()
		text, pending := st.latest, st.pending
		st.pending = false
		st.mu.Unlock()
		if !pending {
			continue
		}
		if err := show(ctx, clip(text, maxContent-40)); err != nil && isGone(err) {
			// The message is gone; the final reply will notice too.
			<-st.quit
			return
		}
		t := time.NewTimer(interval)
		select {
		case <-t.C:
		case <-st.quit:
			t.Stop()
			return
		case <-ctx.Done():
			t.Stop()
			return
		}
	}
}

// ---- cache ----

const cacheTTL = 10 * time.Minute

type cacheKey struct {
	index    *retrieval.Index
	question string
}

// answerCache is a small TTL cache with in-flight sharing.
type answerCache struct {
	mu      sync.Mutex
	max     int
	ttl     time.Duration
	entries map[cacheKey]*cacheEntry
	order   []cacheKey // insertion order, for eviction
}

type cacheEntry struct {
	done chan struct{}
	ans  *incidentbot.Answer
	err  error
	at   time.Time
}

func newAnswerCache(max int, ttl time.Duration) *answerCache {
	return &answerCache{max: max, ttl: ttl, entries: map[cacheKey]*cacheEntry{}}
}

// do returns the cached answer for key, waits for one being computed, or
// computes it with f. Errors and fallback answers are not kept. A panic in f reaches the
// caller that ran it; the others get an error.
func (c *answerCache) do(ctx context.Context, key cacheKey, f func() (*incidentbot.Answer, error)) (*incidentbot.Answer, error) {
	c.mu.Lock()
	if e, ok := c.entries[key]; ok {
		select {
		case <-e.done:
			if time.Since(e.at) < c.ttl {
				c.mu.Unlock()
				return e.ans, nil
			}
			delete(c.entries, key)
		default:
			c.mu.Unlock()
			select {
			case <-e.done:
				if e.err != nil {
					return nil, e.err
				}
				return e.ans, nil
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
	}
	e := &cacheEntry{done: make(chan struct{})}
	c.entries[key] = e
	c.order = append(c.order, key)
	c.evictLocked()
	c.mu.Unlock()

	finished := false
	defer func() {
		if !finished {
			e.err = fmt.Errorf("answering failed")
		}
		c.mu.Lock()
		e.at = time.Now()
		// Keep neither errors nor fallbacks: both say the model was
		// failing just now, which must not outlast the outage.
		transient := e.err != nil || (e.ans != nil && e.ans.Mode == incidentbot.ModeFallback)
		if transient && c.entries[key] == e {
			delete(c.entries, key)
		}
		c.mu.Unlock()
		close(e.done)
	}()
	e.ans, e.err = f()
	finished = true
	return e.ans, e.err
}

func (c *answerCache) evictLocked() {
	for len(c.entries) > c.max && len(c.order) > 0 {
		k := c.order[0]
		c.order = c.order[1:]
		if e, ok := c.entries[k]; ok {
			select {
			case <-e.done:
				delete(c.entries, k)
			default: // in flight: keep it
			}
		}
	}
	// Keys already evicted or replaced are dropped from order lazily.
	if len(c.order) > 4*c.max {
		live := c.order[:0]
		for _, k := range c.order {
			if _, ok := c.entries[k]; ok {
				live = append(live, k)
			}
		}
		c.order = live
	}
}

// ---- recent answers ----

// recentAnswers remembers the last answers by event ID, for the buttons
// under them. It is bounded: a click on a long-forgotten answer falls back
// to what the message itself says.
type recentAnswers struct {
	mu    sync.Mutex
	max   int
	m     map[string]*incidentbot.Answer
	order []string
}

func newRecentAnswers(max int) *recentAnswers {
	return &recentAnswers{max: max, m: map[string]*incidentbot.Answer{}}
}

func (r *recentAnswers) put(id string, a *incidentbot.Answer) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.m[id]; !ok {
		r.order = append(r.order, id)
	}
	r.m[id] = a
	for len(r.order) > r.max {
		delete(r.m, r.order[0])
		r.order = r.order[1:]
	}
}

func (r *recentAnswers) get(id string) *incidentbot.Answer {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.m[id]
}
