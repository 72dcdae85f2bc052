package bot

import (
	"context"
	"sync"
	"time"
)

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
