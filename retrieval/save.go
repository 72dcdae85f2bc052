package retrieval

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/incidentbot/incidentbot"
)

// Why a refresh can serve its index before the snapshot is published: at
// 100k passages a one-article refresh builds its index in about 1 s and
// writes a 1.2 GB snapshot in 3–5 s more to files (the export, an fsync)
// and 13 s into PostgreSQL (bench, 2 cores, other work running). The
// index is derived from the corpus, so nothing is lost if the process dies
// before the snapshot lands: the previous snapshot is still the newest, a
// restart rebuilds from the corpus, and other processes never saw the
// unsaved one. So RefreshServing swaps the new index in as soon as it is
// built and saves it here, in the background, under these rules:
//
//   - one saver per store publishes one index at a time, in the order they
//     were built; a newer index supersedes one not yet published (its
//     snapshot holds the older one's changes), cancelling its write, so an
//     earlier publish never lands after a later one;
//   - a failed attempt is logged, counted (SaveFailures) and retried with
//     backoff, the new index serving meanwhile; Saving reports it;
//   - while the index served is unsaved, Reload leaves it: what is
//     published then is older (the refresh service holds the refresh lock,
//     which every process takes, until the snapshot lands);
//   - the version is the one Publish assigns, set on the index when it
//     lands (Index.Version is "" until then).
//
// Refresh (Open's first build too) still publishes before it swaps, through
// the same saver, so its order with background saves holds.

// Saving is the saving of one index's snapshot.
type Saving struct {
	ix      *Index
	started time.Time
	// swapAfter: a publish-first save (Refresh), swapped in once it lands,
	// tried once (the error goes to the caller) and given up with ctx, the
	// caller's.
	swapAfter bool
	ctx       context.Context
	done      chan struct{}

	mu       sync.Mutex
	changed  chan struct{} // closed, and replaced, when an attempt fails or the save ends
	info     incidentbot.SnapshotInfo
	err      error // once done: why it was not published; before: the last attempt's
	attempts int   // failed so far
	next     *Saving
	seconds  float64
}

// errSuperseded resolves a save whose snapshot a later one holds.
var errSuperseded = errors.New("superseded by a later refresh")

// ErrClosed is why a save ends when its store is closed first.
var ErrClosed = errors.New("the store was closed before the index was saved")

func newSaving(ctx context.Context, ix *Index, swapAfter bool) *Saving {
	return &Saving{ix: ix, started: time.Now(), swapAfter: swapAfter, ctx: ctx, done: make(chan struct{}), changed: make(chan struct{})}
}

// Done is closed once this save has ended: published, superseded by a
// later one (Wait follows it), or given up when the store closed.
func (sv *Saving) Done() <-chan struct{} { return sv.done }

// Status is how the save stands: how many attempts failed and the last
// one's error (0, nil while none has), and a channel closed at the next
// change (a failed attempt, or the end). A superseded save stands as the
// one that superseded it.
func (sv *Saving) Status() (failed int, err error, changed <-chan struct{}) {
	cur := sv.last()
	cur.mu.Lock()
	defer cur.mu.Unlock()
	return cur.attempts, cur.err, cur.changed
}

// last is the save that holds sv's index: sv, or the one that superseded
// it, and so on.
func (sv *Saving) last() *Saving {
	cur := sv
	for {
		cur.mu.Lock()
		next := cur.next
		cur.mu.Unlock()
		if next == nil {
			return cur
		}
		cur = next
	}
}

// Wait returns the snapshot that holds this save's index once it is
// published (that of a later refresh when one superseded it), with the
// seconds from the start of this save until then. It fails when the store
// is closed first or ctx ends.
func (sv *Saving) Wait(ctx context.Context) (incidentbot.SnapshotInfo, float64, error) {
	for cur := sv; ; {
		select {
		case <-cur.done: // an ended save, even with ctx ended too
		default:
			select {
			case <-cur.done:
			case <-ctx.Done():
				return incidentbot.SnapshotInfo{}, 0, fmt.Errorf("waiting for the index to be saved: %w", ctx.Err())
			}
		}
		cur.mu.Lock()
		info, err, next, at := cur.info, cur.err, cur.next, cur.started.Add(time.Duration(cur.seconds*float64(time.Second)))
		cur.mu.Unlock()
		if next != nil {
			cur = next
			continue
		}
		if err != nil {
			return info, 0, err
		}
		return info, at.Sub(sv.started).Seconds(), nil
	}
}

// Saved reports whether the index is published, without waiting.
func (sv *Saving) Saved() bool {
	for cur := sv; ; {
		select {
		case <-cur.done:
		default:
			return false
		}
		cur.mu.Lock()
		next, err := cur.next, cur.err
		cur.mu.Unlock()
		if next == nil {
			return err == nil
		}
		cur = next
	}
}

func (sv *Saving) resolve(info incidentbot.SnapshotInfo, err error, next *Saving) {
	sv.mu.Lock()
	sv.info, sv.err, sv.next = info, err, next
	sv.seconds = time.Since(sv.started).Seconds()
	close(sv.changed)
	sv.changed = make(chan struct{})
	sv.mu.Unlock()
	close(sv.done)
}

func (sv *Saving) attemptFailed(err error) int {
	sv.mu.Lock()
	defer sv.mu.Unlock()
	sv.err = err
	sv.attempts++
	close(sv.changed)
	sv.changed = make(chan struct{})
	return sv.attempts
}

// saver publishes a store's indexes, one at a time, newest first.
type saver struct {
	s    *Store
	ctx  context.Context // the store's life
	stop context.CancelFunc
	wake chan struct{}
	wg   sync.WaitGroup

	mu      sync.Mutex
	started bool
	pending *Saving            // the newest index to publish, not started
	current *Saving            // being published
	cancel  context.CancelFunc // current's attempt
	// failures counts every failed attempt (SaveFailures).
	failures atomic.Int64
	// retryFirst is the first wait before an attempt is made again
	// (saveRetryFirst; tests make it short).
	retryFirst time.Duration
}

func newSaver(s *Store) *saver {
	ctx, stop := context.WithCancel(context.Background())
	return &saver{s: s, ctx: ctx, stop: stop, wake: make(chan struct{}, 1), retryFirst: saveRetryFirst}
}

// save queues ix to be published and returns its Saving. An index queued
// before it and not published yet is superseded: its write, if started,
// is cancelled. A publish-first save (swapAfter) is only queued when no
// other is (Store.waitIdle), so it never supersedes one nor is
// superseded: its caller holds the refresh token until it ends.
func (sr *saver) save(ctx context.Context, ix *Index, swapAfter bool) *Saving {
	sv := newSaving(ctx, ix, swapAfter)
	sr.mu.Lock()
	if sr.ctx.Err() != nil {
		sr.mu.Unlock()
		sv.resolve(incidentbot.SnapshotInfo{}, ErrClosed, nil)
		return sv
	}
	if old := sr.pending; old != nil {
		old.resolve(incidentbot.SnapshotInfo{}, errSuperseded, sv)
	}
	sr.pending = sv
	if sr.current != nil && !sr.current.swapAfter && sr.cancel != nil {
		sr.cancel()
	}
	if !sr.started {
		sr.started = true
		sr.wg.Add(1)
		go sr.run()
	}
	sr.mu.Unlock()
	select {
	case sr.wake <- struct{}{}:
	default:
	}
	return sv
}

// unsaved reports whether ix is queued or being published.
func (sr *saver) unsaved(ix *Index) bool {
	sr.mu.Lock()
	defer sr.mu.Unlock()
	return (sr.pending != nil && sr.pending.ix == ix) || (sr.current != nil && sr.current.ix == ix)
}

// latest is the newest save not ended, nil when every index is saved.
func (sr *saver) latest() *Saving {
	sr.mu.Lock()
	defer sr.mu.Unlock()
	for _, sv := range []*Saving{sr.pending, sr.current} {
		if sv == nil {
			continue
		}
		select {
		case <-sv.done: // ended; run has not cleared it yet
		default:
			return sv
		}
	}
	return nil
}

// close stops the saver: the write in progress is cancelled and every save
// not ended ends with ErrClosed.
func (sr *saver) close() {
	sr.mu.Lock()
	sr.stop()
	if sr.cancel != nil {
		sr.cancel()
	}
	if p := sr.pending; p != nil {
		sr.pending = nil
		p.resolve(incidentbot.SnapshotInfo{}, ErrClosed, nil)
	}
	sr.mu.Unlock()
	sr.wg.Wait()
}

// Backoff between attempts to save: from a second, doubling to a minute.
const (
	saveRetryFirst = time.Second
	saveRetryMax   = time.Minute
)

func (sr *saver) run() {
	defer sr.wg.Done()
	for {
		sr.mu.Lock()
		sv := sr.pending
		sr.pending = nil
		sr.current = sv
		sr.mu.Unlock()
		if sv != nil {
			// Its own wake-up, or a later save's, which publish sees as
			// pending: a retry waits its backoff for a newer index only.
			select {
			case <-sr.wake:
			default:
			}
		}
		if sv == nil {
			select {
			case <-sr.wake:
				continue
			case <-sr.ctx.Done():
				return
			}
		}
		sr.publish(sv)
		sr.mu.Lock()
		sr.current, sr.cancel = nil, nil
		sr.mu.Unlock()
	}
}

// attemptContext bounds an attempt to save sv: the store's life, and for
// a publish-first save its caller's context too.
func (sr *saver) attemptContext(sv *Saving) (context.Context, context.CancelFunc) {
	if !sv.swapAfter {
		return context.WithCancel(sr.ctx)
	}
	ctx, cancel := context.WithCancel(sv.ctx)
	stop := context.AfterFunc(sr.ctx, cancel)
	return ctx, func() { stop(); cancel() }
}

// publish publishes sv's index until it lands, a later one supersedes it,
// or the store closes; a publish-first save is tried once.
func (sr *saver) publish(sv *Saving) {
	s := sr.s
	log := s.opts.Logger
	wait := sr.retryFirst
	if !sv.swapAfter && sv.ix.prepared != nil {
		// It serves already: what its first queries wait for (reading
		// the corpus's names, a second at 100k passages) goes first, the
		// snapshot's second or more of CPU after.
		select {
		case <-sv.ix.prepared:
		case <-sr.ctx.Done():
		}
	}
	for {
		ctx, cancel := sr.attemptContext(sv)
		sr.mu.Lock()
		next := sr.pending
		sr.cancel = cancel
		sr.mu.Unlock()
		if next != nil && !sv.swapAfter {
			// Superseded before this attempt began.
			cancel()
			sv.resolve(incidentbot.SnapshotInfo{}, errSuperseded, next)
			return
		}
		start := time.Now()
		info, err := s.publishIndex(ctx, sv)
		cancel()
		if err == nil {
			log.Info("index saved", "version", info.Version, "articles", info.Articles, "passages", info.Passages,
				"write_seconds", time.Since(start).Seconds(), "seconds", time.Since(sv.started).Seconds())
			sv.resolve(info, nil, nil)
			return
		}
		sr.mu.Lock()
		next = sr.pending
		sr.mu.Unlock()
		switch {
		case sr.ctx.Err() != nil:
			log.Warn("the store closed before the index was saved; a restart rebuilds it from the corpus", "err", err)
			sv.resolve(incidentbot.SnapshotInfo{}, ErrClosed, nil)
			return
		case next != nil && !sv.swapAfter:
			log.Info("an index was superseded before it was saved; saving the newer one", "err", err)
			sv.resolve(incidentbot.SnapshotInfo{}, errSuperseded, next)
			return
		case sv.swapAfter:
			sr.failures.Add(1)
			sv.resolve(incidentbot.SnapshotInfo{}, err, nil)
			return
		}
		sr.failures.Add(1)
		n := sv.attemptFailed(err)
		log.Error("saving the refreshed index failed; it keeps serving here, and saving is retried", "attempt", n, "retry_in", wait, "err", err)
		select {
		case <-time.After(wait):
		case <-sr.wake:
			// A newer index: it supersedes this one (or this one is
			// tried again at once when it was the newest anyway).
		case <-sr.ctx.Done():
		}
		wait = min(2*wait, saveRetryMax)
		if sr.ctx.Err() != nil {
			sv.resolve(incidentbot.SnapshotInfo{}, ErrClosed, nil)
			return
		}
	}
}
