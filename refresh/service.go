// Package refresh is the one way the served index changes: Plan shows what
// the corpus on disk would change, Apply carries it out under the lock every
// process sharing the state takes, publishes the new snapshot (which every
// serving process then swaps in) and records it in the history. The CLI's
// `refresh` and the bot's /refresh both call it.
package refresh

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/incidentbot/incidentbot"
	"github.com/incidentbot/incidentbot/corpus"
	"github.com/incidentbot/incidentbot/retrieval"
)

// Options configures a Service.
type Options struct {
	Store   *retrieval.Store
	Lock    incidentbot.RefreshLock
	History incidentbot.History
	// TextsPerSecond is the embedder's throughput, for the plan's time
	// estimate; 0 when unknown (a remote embedder).
	TextsPerSecond float64
	Logger         *slog.Logger
}

// Service plans and applies refreshes; it satisfies incidentbot.Refresher.
type Service struct {
	opts Options
	log  *slog.Logger

	mu sync.Mutex
	// pending is the refresh applied here whose snapshot is still being
	// saved (ApplyServing), nil when none is.
	pending *applied
}

// applied is a refresh that serves here and is being saved: once its
// snapshot lands it is recorded in the history and the refresh lock, held
// until then, released.
type applied struct {
	sv    *retrieval.Saving
	start time.Time
	done  chan struct{} // closed once saved and recorded, or given up

	mu     sync.Mutex
	report *incidentbot.RefreshReport // as it stands
	err    error                      // once done: why it was not saved or recorded
}

var _ incidentbot.Refresher = (*Service)(nil)

// New returns a Service over o.Store.
func New(o Options) (*Service, error) {
	if o.Store == nil || o.Lock == nil || o.History == nil {
		return nil, errors.New("refresh.New: Store, Lock and History are required")
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{opts: o, log: log}, nil
}

// StaleError is a plan made against an index that has since been replaced,
// by this process or another: applying it could undo someone's refresh.
type StaleError struct {
	Plan, Now string // index versions
}

func (e *StaleError) Error() string {
	return fmt.Sprintf("the index has changed since this preview was made (it was version %s, it is now %s): look at what would change now first", orNone(e.Plan), orNone(e.Now))
}

func orNone(v string) string {
	if v == "" {
		return "none"
	}
	return v
}

// Plan compares the corpus on disk with the newest published index and
// says, article by article, what a refresh would change and what it would
// cost. Nothing changes. A refresh applied here and still being saved is
// waited for first, so the plan is made against a published index; one
// whose save is failing makes it fail, saying so.
func (s *Service) Plan(ctx context.Context) (*incidentbot.RefreshPlan, error) {
	if err := s.waitPending(ctx); err != nil {
		return nil, err
	}
	store := s.opts.Store
	// Plan against the newest index, wherever it was published from.
	if _, err := store.Reload(ctx); err != nil {
		s.log.Warn("planning against the index served here: the newest could not be loaded", "err", err)
	}
	served := store.Index()
	rep, next, err := store.Preview(ctx)
	if err != nil {
		return nil, err
	}
	plan := planOf(rep, served.Articles(), next, rep.Version, rep.BuiltAt)
	if s.opts.TextsPerSecond > 0 {
		plan.EstimatedSeconds = float64(rep.ToEmbed) / s.opts.TextsPerSecond
	}
	return plan, nil
}

// Apply carries out a refresh: it takes the lock (or fails at once with a
// *incidentbot.LockedError naming who holds it), checks that plan was made
// against the index now served (a *StaleError if not; a nil plan skips the
// check), embeds only what changed, publishes the new snapshot and records
// the refresh in the history, and returns once that is done. A failure
// before publishing leaves the previous index serving everywhere; a failed
// attempt to publish returns its error with the report (the new index
// serves here, and saving is retried until it lands or the store closes).
func (s *Service) Apply(ctx context.Context, plan *incidentbot.RefreshPlan, by incidentbot.Actor) (*incidentbot.RefreshReport, error) {
	rep, err := s.ApplyServing(ctx, plan, by)
	if err != nil || rep.Saved {
		return rep, err
	}
	rep, err = rep.WaitSaved(ctx, 0)
	if err == nil && !rep.Saved {
		err = fmt.Errorf("the new index serves in this process but is not saved yet (%d attempts failed; retrying): %s", rep.SaveFailures, rep.SaveError)
	}
	return rep, err
}

// ApplyServing is Apply that returns once the new index serves in this
// process, with Saved false while its snapshot is published in the
// background (the report's WaitSaved waits for it). The refresh lock is
// held until the snapshot lands and the refresh is recorded, so no other
// process publishes meanwhile and this one's snapshot cannot land after a
// later refresh's; a refresh applied here meanwhile waits for it (or
// fails at once while saving it is failing).
func (s *Service) ApplyServing(ctx context.Context, plan *incidentbot.RefreshPlan, by incidentbot.Actor) (*incidentbot.RefreshReport, error) {
	if err := s.waitPending(ctx); err != nil {
		return nil, err
	}
	unlock, err := s.opts.Lock.TryLock(ctx, by)
	if err != nil {
		return nil, err
	}
	held := true
	defer func() {
		if held {
			unlock()
		}
	}()
	store := s.opts.Store
	if _, err := store.Reload(ctx); err != nil {
		// Refreshing an index older than the newest would undo a refresh
		// made elsewhere.
		return nil, fmt.Errorf("loading the newest index before refreshing: %w", err)
	}
	served := store.Index()
	if plan != nil && served.Version() != plan.Base {
		return nil, &StaleError{Plan: plan.Base, Now: served.Version()}
	}
	start := time.Now()
	rep, sv, err := store.RefreshServing(ctx)
	if err != nil {
		return nil, err
	}
	now := store.Index()
	done := planOf(rep, served.Articles(), now.Articles(), served.Version(), served.BuiltAt)
	done.ToEmbed = rep.Embedded
	if plan != nil {
		done.ID = plan.ID
	}
	out := &incidentbot.RefreshReport{Plan: done, Version: now.Version(), BuiltAt: now.BuiltAt, By: by, Embedded: rep.Embedded, Seconds: rep.Seconds}
	if sv == nil {
		// Nothing changed, nothing to publish: the index served is the
		// one published, and not a refresh to remember.
		out.Saved = out.Version != ""
		return out, nil
	}
	a := &applied{sv: sv, start: start, done: make(chan struct{}), report: out}
	out.WaitSaved = a.wait
	s.mu.Lock()
	s.pending = a
	s.mu.Unlock()
	held = false
	go s.finish(a, unlock)
	return out, nil
}

// finish waits for a's snapshot, records the refresh and releases the
// lock. It does not end with a request's context: the index serves here,
// and saving it is what makes every other process (and a restart) serve
// it; the store's Close ends it.
func (s *Service) finish(a *applied, unlock func()) {
	defer func() {
		unlock()
		s.mu.Lock()
		if s.pending == a {
			s.pending = nil
		}
		s.mu.Unlock()
		close(a.done)
	}()
	info, _, err := a.sv.Wait(context.Background())
	a.mu.Lock()
	r := *a.report
	a.mu.Unlock()
	if err != nil {
		s.log.Error("a refresh serving here was never saved; a restart rebuilds it from the corpus", "err", err)
		a.set(&r, fmt.Errorf("the new index was not saved: %w", err))
		return
	}
	r.Version, r.Saved, r.SavedSeconds = info.Version, true, time.Since(a.start).Seconds()
	r.SaveFailures, r.SaveError, r.WaitSaved = 0, "", nil
	if err := s.record(context.Background(), &r); err != nil {
		a.set(&r, fmt.Errorf("the refresh was applied (index %s), but recording it in the history failed: %w", r.Version, err))
		return
	}
	a.set(&r, nil)
}

func (a *applied) set(r *incidentbot.RefreshReport, err error) {
	a.mu.Lock()
	a.report, a.err = r, err
	a.mu.Unlock()
}

// wait is a report's WaitSaved.
func (a *applied) wait(ctx context.Context, failures int) (*incidentbot.RefreshReport, error) {
	for {
		select {
		case <-a.done:
			a.mu.Lock()
			defer a.mu.Unlock()
			return a.report, a.err
		default:
		}
		n, err, changed := a.sv.Status()
		if n > failures {
			a.mu.Lock()
			r := *a.report
			a.mu.Unlock()
			r.SaveFailures, r.SaveError = n, err.Error()
			return &r, nil
		}
		select {
		case <-a.done:
		case <-changed:
		case <-ctx.Done():
			a.mu.Lock()
			defer a.mu.Unlock()
			return a.report, fmt.Errorf("waiting for the refreshed index to be saved: %w", ctx.Err())
		}
	}
}

// waitPending waits for the refresh applied here that is still being
// saved, if any: what is planned or applied next must be compared with,
// and published after, its snapshot. While saving it is failing, it fails
// at once instead, saying so.
func (s *Service) waitPending(ctx context.Context) error {
	for {
		s.mu.Lock()
		a := s.pending
		s.mu.Unlock()
		if a == nil {
			return nil
		}
		r, err := a.wait(ctx, 0)
		switch {
		case err != nil && ctx.Err() != nil:
			return err
		case r != nil && r.SaveFailures > 0:
			return fmt.Errorf("the refresh applied at %s serves here but is not saved yet (%d attempts failed; retrying): %s; refresh again once it is saved",
				a.start.UTC().Format("15:04:05 UTC"), r.SaveFailures, r.SaveError)
		}
		// Saved (or given up): the next pending, if any, is looked at.
		<-a.done
	}
}

// Wait waits until the refresh applied here last is saved and recorded (or
// ctx ends): what a process does before it exits.
func (s *Service) Wait(ctx context.Context) error {
	s.mu.Lock()
	a := s.pending
	s.mu.Unlock()
	if a == nil {
		return nil
	}
	select {
	case <-a.done:
		a.mu.Lock()
		defer a.mu.Unlock()
		return a.err
	case <-ctx.Done():
		return fmt.Errorf("waiting for the refreshed index to be saved: %w", ctx.Err())
	}
}

// Opened records the first build of an index, made by retrieval.Open when
// there was none to serve, as the refresh it is.
func (s *Service) Opened(ctx context.Context, rep *retrieval.Report, by incidentbot.Actor) error {
	if !rep.Saved {
		return nil
	}
	ix := s.opts.Store.Index()
	out := &incidentbot.RefreshReport{
		Plan:    planOf(rep, nil, ix.Articles(), "", time.Time{}),
		Version: ix.Version(), BuiltAt: ix.BuiltAt, By: by, Embedded: rep.Embedded, Seconds: rep.Seconds, Saved: true,
	}
	return s.record(ctx, out)
}

func (s *Service) record(ctx context.Context, r *incidentbot.RefreshReport) error {
	e := incidentbot.HistoryEntry{Time: time.Now().UTC(), Who: r.By.Who, Via: r.By.Via, Version: r.Version,
		Added: r.Plan.ArticleIDs(incidentbot.Added), Changed: r.Plan.ArticleIDs(incidentbot.Changed), Removed: r.Plan.ArticleIDs(incidentbot.Removed),
		Articles: r.Plan.Articles, Embedded: r.Embedded, Seconds: r.Seconds}
	s.log.Info("refresh applied", "version", r.Version, "who", e.Who, "via", e.Via, "added", len(e.Added), "changed", len(e.Changed), "removed", len(e.Removed), "embedded", e.Embedded)
	return s.opts.History.AppendHistory(ctx, e)
}

// planOf is what the store's comparison rep says, between the served
// articles (of index version base) and the next ones, as a plan.
func planOf(rep *retrieval.Report, served, next []*incidentbot.Article, base string, builtAt time.Time) *incidentbot.RefreshPlan {
	return &incidentbot.RefreshPlan{
		ID: newID(), Created: time.Now().UTC(), Base: base, BaseBuiltAt: builtAt,
		Changes:  changes(served, next, rep),
		Articles: rep.Articles, Passages: rep.Passages,
		PassagesAdded: rep.PassagesAdded, PassagesChanged: rep.PassagesChanged, PassagesRemoved: rep.PassagesRemoved,
		ToEmbed: rep.ToEmbed,
	}
}

// changes lists what rep says changed (the index's own comparison is the
// authority on which articles changed), each with the sentence-level detail
// of the diff between the served articles and the new ones.
func changes(served, next []*incidentbot.Article, rep *retrieval.Report) []incidentbot.ArticleChange {
	byID := map[string]incidentbot.ArticleChange{}
	for _, c := range corpus.Diff(served, next, retrieval.SplitSentences) {
		byID[c.ID] = c
	}
	titles := map[string]string{}
	for _, a := range served {
		titles[a.ID] = a.Title
	}
	for _, a := range next {
		titles[a.ID] = a.Title
	}
	out := []incidentbot.ArticleChange{}
	add := func(ids []string, kind incidentbot.ChangeKind) {
		for _, id := range ids {
			c, ok := byID[id]
			if !ok || c.Kind != kind {
				c = incidentbot.ArticleChange{Kind: kind, ID: id, Title: titles[id]}
			}
			out = append(out, c)
		}
	}
	add(rep.ArticlesAdded, incidentbot.Added)
	add(rep.ArticlesChanged, incidentbot.Changed)
	add(rep.ArticlesRemoved, incidentbot.Removed)
	return out
}

// newID names a plan: random, so a preview's buttons cannot be guessed.
func newID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
