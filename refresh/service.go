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
// cost. Nothing changes.
func (s *Service) Plan(ctx context.Context) (*incidentbot.RefreshPlan, error) {
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
// the refresh in the history. A failure before publishing leaves the
// previous index serving everywhere.
func (s *Service) Apply(ctx context.Context, plan *incidentbot.RefreshPlan, by incidentbot.Actor) (*incidentbot.RefreshReport, error) {
	unlock, err := s.opts.Lock.TryLock(ctx, by)
	if err != nil {
		return nil, err
	}
	defer unlock()
	store := s.opts.Store
	if _, err := store.Reload(ctx); err != nil {
		// Refreshing an index older than the newest would undo a refresh
		// made elsewhere.
		return nil, fmt.Errorf("loading the newest index before refreshing: %w", err)
	}
	served := store.Index()
	if plan != nil && served.Version != plan.Base {
		return nil, &StaleError{Plan: plan.Base, Now: served.Version}
	}
	rep, err := store.Refresh(ctx, false)
	if err != nil {
		return nil, err
	}
	now := store.Index()
	done := planOf(rep, served.Articles(), now.Articles(), served.Version, served.BuiltAt)
	done.ToEmbed = rep.Embedded
	if plan != nil {
		done.ID = plan.ID
	}
	out := &incidentbot.RefreshReport{Plan: done, Version: now.Version, BuiltAt: now.BuiltAt, By: by, Embedded: rep.Embedded, Seconds: rep.Seconds}
	if !rep.Saved {
		return out, nil // nothing changed, nothing published: not a refresh to remember
	}
	if err := s.record(ctx, out); err != nil {
		return out, fmt.Errorf("the refresh was applied (index %s), but recording it in the history failed: %w", out.Version, err)
	}
	return out, nil
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
		Version: ix.Version, BuiltAt: ix.BuiltAt, By: by, Embedded: rep.Embedded, Seconds: rep.Seconds,
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
