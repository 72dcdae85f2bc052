package retrieval

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	"github.com/incidentbot/incidentbot"
)

// Store owns the live index. Searches read Index() without locks; Refresh
// builds a complete new index beside it, persists it, and only then swaps it
// in, so a failed refresh leaves the previous index serving and a search in
// flight finishes on the index it started with.
type Store struct {
	opts    StoreOptions
	current atomic.Pointer[Index]
	// vectors of the current index by content hash: what a refresh reuses.
	vectors atomic.Pointer[vectorSet]
	// refreshing holds a token while a refresh runs: a second one waits
	// for the first (or gives up with its context).
	refreshing chan struct{}
}

// StoreOptions configures a Store.
type StoreOptions struct {
	DataDir  string
	Embedder Embedder
	// Load reads the corpus. It is called on every refresh, so a refresh
	// sees files added, changed or removed since.
	Load func() ([]*incidentbot.Article, error)
	// Rebuild discards a snapshot made by another embedder instead of
	// refusing it.
	Rebuild bool
	// BatchSize is how many texts go to the embedder per call (default 32).
	BatchSize int
	// Progress, if set, is called as texts are embedded.
	Progress func(done, total int)
	// Query is how the index reads queries: the profile's aliases, word
	// vectors, the speller.
	Query  QueryOptions
	Logger *slog.Logger
}

// Report says what a refresh changed.
type Report struct {
	DryRun          bool     `json:"dry_run"`
	ArticlesAdded   []string `json:"articles_added"`
	ArticlesChanged []string `json:"articles_changed"`
	ArticlesRemoved []string `json:"articles_removed"`
	Articles        int      `json:"articles"`
	Passages        int      `json:"passages"`
	PassagesAdded   int      `json:"passages_added"`
	PassagesChanged int      `json:"passages_changed"`
	PassagesRemoved int      `json:"passages_removed"`
	// Embedded counts texts (passages and sentences) sent to the embedder;
	// ToEmbed is the same count for a dry run.
	Embedded int     `json:"embedded"`
	ToEmbed  int     `json:"to_embed"`
	Saved    bool    `json:"saved"`
	Seconds  float64 `json:"seconds"`
}

// Changed reports whether the refresh changed the corpus.
func (r *Report) Changed() bool {
	return len(r.ArticlesAdded)+len(r.ArticlesChanged)+len(r.ArticlesRemoved)+r.PassagesAdded+r.PassagesChanged+r.PassagesRemoved > 0
}

// Open loads the persisted index from the data folder and brings it up to
// date with the corpus, embedding only what is new. With no index on disk it
// builds one; so it does, with a warning, when the snapshot is damaged
// (truncated, garbage), after moving it aside to
// index.snapshot.damaged-<time>. It fails when the corpus cannot be loaded.
func Open(ctx context.Context, opts StoreOptions) (*Store, *Report, error) {
	if opts.Embedder == nil || opts.Load == nil {
		return nil, nil, errors.New("retrieval.Open: Embedder and Load are required")
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = 32
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Store{opts: opts, refreshing: make(chan struct{}, 1)}
	snap, err := readSnapshot(ctx, opts.DataDir)
	var damaged *DamagedSnapshotError
	switch {
	case errors.As(err, &damaged):
		// The index is derived from the corpus: keep the damaged file for
		// a look, and build anew. Only a corpus that cannot be loaded
		// stops Open (below).
		moved, merr := moveAside(damaged.Path, time.Now())
		if merr != nil {
			opts.Logger.Warn("the index snapshot is damaged and cannot be moved aside; rebuilding over it", "err", err, "move_err", merr)
		} else {
			opts.Logger.Warn("the index snapshot is damaged; moved it aside and rebuilding from the corpus", "err", err, "moved_to", moved)
		}
		snap = nil
	case err != nil:
		if !opts.Rebuild {
			return nil, nil, err
		}
		opts.Logger.Warn("discarding unreadable index", "err", err)
		snap = nil
	}
	var prev *Manifest
	if snap != nil {
		if snap.Embedder != opts.Embedder.ID() {
			if !opts.Rebuild {
				return nil, nil, &EmbedderMismatchError{Index: snap.Embedder, Configured: opts.Embedder.ID()}
			}
			opts.Logger.Info("rebuilding index for a new embedder", "was", snap.Embedder, "now", opts.Embedder.ID())
		} else {
			s.vectors.Store(&snap.vectors)
			prev = &snap.Manifest
		}
	}
	rep, err := s.refresh(ctx, false, prev)
	if err != nil {
		return nil, nil, err
	}
	return s, rep, nil
}

// Index returns the live index.
func (s *Store) Index() *Index { return s.current.Load() }

// Embedder returns the embedder the index was built with.
func (s *Store) Embedder() Embedder { return s.opts.Embedder }

// Analyze reads text as a query against the live index.
func (s *Store) Analyze(text string) Query { return s.Index().Analyze(text) }

// SearchQuery searches the live index for an analysed query.
func (s *Store) SearchQuery(ctx context.Context, q Query, k int) (*Response, error) {
	return s.Index().SearchQuery(ctx, s.opts.Embedder, q, k)
}

// Search searches the live index.
func (s *Store) Search(ctx context.Context, query string, k int) (*Response, error) {
	return s.Index().Search(ctx, s.opts.Embedder, query, k)
}

// Refresh re-reads the corpus and, unless dryRun, embeds what changed,
// persists the new index and swaps it in. Concurrent calls run one after the
// other.
func (s *Store) Refresh(ctx context.Context, dryRun bool) (*Report, error) {
	return s.refresh(ctx, dryRun, nil)
}

// refresh compares the corpus with the live index, or, before there is one,
// with the snapshot's manifest (nil when there is no snapshot either).
func (s *Store) refresh(ctx context.Context, dryRun bool, snapshot *Manifest) (*Report, error) {
	select {
	case s.refreshing <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("waiting for another refresh: %w", ctx.Err())
	}
	defer func() { <-s.refreshing }()
	prev := snapshot
	if ix := s.Index(); ix != nil {
		m := manifestOf(ix)
		prev = &m
	}

	start := time.Now()
	articles, err := s.opts.Load()
	if err != nil {
		return nil, fmt.Errorf("loading corpus: %w", err)
	}
	// Every text the new index needs a vector for: passages and sentences.
	var passages []*incidentbot.Passage
	var needed []string
	for _, a := range articles {
		for _, p := range Chunk(a) {
			passages = append(passages, p)
			needed = append(needed, p.Text)
			for _, sp := range p.Sentences {
				needed = append(needed, a.Text[sp.Start:sp.End])
			}
		}
	}
	rep := diff(prev, articles, passages)
	rep.DryRun = dryRun
	restamped := stampAdded(prev, articles, start)

	known := vectorSet{}
	if v := s.vectors.Load(); v != nil {
		known = *v
	}
	// Reuse the vector of every text seen before; embed the rest once each.
	vecs := make(vectorSet, len(needed))
	var todo []string
	queued := map[string]bool{}
	for _, t := range needed {
		h := Hash(t)
		if v, ok := known[h]; ok {
			vecs[h] = v
		} else if !queued[h] {
			queued[h] = true
			todo = append(todo, t)
		}
	}
	rep.ToEmbed = len(todo)
	if dryRun {
		rep.Seconds = time.Since(start).Seconds()
		return rep, nil
	}
	for i := 0; i < len(todo); i += s.opts.BatchSize {
		batch := todo[i:min(i+s.opts.BatchSize, len(todo))]
		out, err := s.opts.Embedder.Embed(ctx, batch)
		if err != nil {
			return nil, fmt.Errorf("embedding with %s (%d of %d texts done): %w", s.opts.Embedder.ID(), i, len(todo), err)
		}
		if len(out) != len(batch) {
			return nil, fmt.Errorf("embedding with %s: asked for %d vectors, got %d", s.opts.Embedder.ID(), len(batch), len(out))
		}
		for j, t := range batch {
			vecs[Hash(t)] = out[j]
		}
		rep.Embedded += len(batch)
		if s.opts.Progress != nil {
			s.opts.Progress(rep.Embedded, len(todo))
		}
	}
	ix, err := newIndex(s.opts.Embedder.ID(), articles, passages, vecs)
	if err != nil {
		return nil, fmt.Errorf("building index: %w", err)
	}
	ix.reader.opts = s.opts.Query
	if prev == nil || rep.Changed() || rep.Embedded > 0 || restamped {
		if err := writeSnapshot(s.opts.DataDir, ix); err != nil {
			return nil, fmt.Errorf("saving index (the previous one stays in use): %w", err)
		}
		rep.Saved = true
	} else if prev != nil {
		ix.BuiltAt = prev.BuiltAt
	}
	s.vectors.Store(&vecs)
	s.current.Store(ix)
	rep.Seconds = time.Since(start).Seconds()
	logf := s.opts.Logger.Info
	if !rep.Changed() && rep.Embedded == 0 {
		logf = s.opts.Logger.Debug // an unchanged corpus is routine
	}
	logf("index refreshed", "articles", rep.Articles, "passages", rep.Passages,
		"added", strings.Join(rep.ArticlesAdded, ","), "changed", strings.Join(rep.ArticlesChanged, ","),
		"removed", strings.Join(rep.ArticlesRemoved, ","), "embedded", rep.Embedded, "seconds", rep.Seconds)
	return rep, nil
}

// stampAdded sets when each article entered the index: kept from the
// previous index, or now for a new one. It reports whether an article the
// previous index held had no date yet (a snapshot from before dates were
// kept), so the dates get saved.
func stampAdded(prev *Manifest, articles []*incidentbot.Article, now time.Time) (restamped bool) {
	added := map[string]time.Time{}
	if prev != nil {
		for _, r := range prev.Articles {
			added[r.ID] = r.Added
		}
	}
	for _, a := range articles {
		t, known := added[a.ID]
		if known && !t.IsZero() {
			a.Added = t
			continue
		}
		a.Added = now.UTC().Truncate(time.Second)
		restamped = restamped || known
	}
	return restamped
}

func articleHash(a *incidentbot.Article) string {
	return Hash(strings.Join([]string{a.Title, a.Outlet, a.Author, a.DateString(), a.URL, strings.Join(a.Tags, ","), a.Text}, "\x00"))
}

// diff compares the corpus with what the previous index held.
func diff(prev *Manifest, articles []*incidentbot.Article, passages []*incidentbot.Passage) *Report {
	rep := &Report{Articles: len(articles), Passages: len(passages)}
	oldArt, oldPass := map[string]string{}, map[string]string{}
	if prev != nil {
		for _, a := range prev.Articles {
			oldArt[a.ID] = a.Hash
		}
		for _, p := range prev.Passages {
			oldPass[p.ID] = p.Hash
		}
	}
	seen := map[string]bool{}
	for _, a := range articles {
		seen[a.ID] = true
		switch h, ok := oldArt[a.ID]; {
		case !ok:
			rep.ArticlesAdded = append(rep.ArticlesAdded, a.ID)
		case h != articleHash(a):
			rep.ArticlesChanged = append(rep.ArticlesChanged, a.ID)
		}
	}
	if prev != nil {
		for _, a := range prev.Articles {
			if !seen[a.ID] {
				rep.ArticlesRemoved = append(rep.ArticlesRemoved, a.ID)
			}
		}
	}
	seenP := map[string]bool{}
	for _, p := range passages {
		seenP[p.ID] = true
		switch h, ok := oldPass[p.ID]; {
		case !ok:
			rep.PassagesAdded++
		case h != p.Hash:
			rep.PassagesChanged++
		}
	}
	for id := range oldPass {
		if !seenP[id] {
			rep.PassagesRemoved++
		}
	}
	return rep
}
