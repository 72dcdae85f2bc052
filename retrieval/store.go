package retrieval

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/incidentbot/incidentbot"
	"github.com/incidentbot/incidentbot/filestate"
)

// Store owns the live index. Searches read Index() without locks; Refresh
// builds a complete new index beside it, publishes it, and only then swaps
// it in, so a failed refresh leaves the previous index serving and a search
// in flight finishes on the index it started with. RefreshServing swaps
// the new index in as soon as it is built and publishes it in the
// background (save.go says why and how that stays sound). Follow swaps in
// what other processes publish.
type Store struct {
	opts  StoreOptions
	snaps incidentbot.Snapshots
	// closeSnaps closes the snapshot store when Open made it.
	closeSnaps func() error
	current    atomic.Pointer[Index]
	// refreshing holds a token while a refresh runs in this process: a
	// second one waits for the first (or gives up with its context).
	// Across processes the refresh service takes the state's lock.
	refreshing chan struct{}
	// swapMu orders publishing and swapping in: a snapshot this process
	// publishes is current (or known to be its own) before its
	// announcement is looked at, so it is never loaded a second time.
	swapMu sync.Mutex
	// saver publishes the indexes this store builds, one at a time.
	saver *saver
}

// StoreOptions configures a Store.
type StoreOptions struct {
	// Snapshots is where index snapshots are published and the newest is
	// found. Nil means files in DataDir.
	Snapshots incidentbot.Snapshots
	DataDir   string
	Embedder  Embedder
	// Load reads the corpus. It is called on every refresh, so a refresh
	// sees files added, changed or removed since.
	Load func() ([]*incidentbot.Article, error)
	// ServeLatest makes Open serve the newest snapshot as published,
	// without bringing it up to date with the corpus (a refresh does
	// that); Load is then only called when there is no snapshot yet.
	ServeLatest bool
	// StartEmpty makes Open serve an empty index, instead of building one,
	// when no snapshot has been published: for a refresh, which then shows
	// and builds every article as new.
	StartEmpty bool
	// Rebuild discards a snapshot made by another embedder instead of
	// refusing it.
	Rebuild bool
	// By is who publishes this store's snapshots, for the snapshot's info.
	By incidentbot.Actor
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
	Embedded int  `json:"embedded"`
	ToEmbed  int  `json:"to_embed"`
	Saved    bool `json:"saved"`
	// Version is the index now served (for a dry run: the one compared
	// against); BuiltAt when it was built.
	Version string    `json:"version,omitempty"`
	BuiltAt time.Time `json:"built_at,omitzero"`
	Seconds float64   `json:"seconds"`
}

// Changed reports whether the refresh changed the corpus.
func (r *Report) Changed() bool {
	return len(r.ArticlesAdded)+len(r.ArticlesChanged)+len(r.ArticlesRemoved)+r.PassagesAdded+r.PassagesChanged+r.PassagesRemoved > 0
}

// Open serves the newest published snapshot and, unless ServeLatest, brings
// it up to date with the corpus, embedding only what is new. With no
// snapshot it builds one; so it does, with a warning, when the newest is
// damaged (truncated, garbage), after setting it aside. It fails when the
// corpus cannot be loaded and there is nothing else to serve.
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
	s := &Store{opts: opts, snaps: opts.Snapshots, refreshing: make(chan struct{}, 1)}
	s.saver = newSaver(s)
	if s.snaps == nil {
		fs, err := filestate.Open(opts.DataDir, filestate.Options{Logger: opts.Logger})
		if err != nil {
			return nil, nil, fmt.Errorf("opening the data folder: %w", err)
		}
		s.snaps, s.closeSnaps = fs, fs.Close
	}
	rep, err := s.open(ctx)
	if err != nil {
		s.Close()
		return nil, nil, err
	}
	return s, rep, nil
}

func (s *Store) open(ctx context.Context) (*Report, error) {
	opts := s.opts
	snap, info, err := s.latest(ctx)
	var damaged *DamagedSnapshotError
	switch {
	case errors.As(err, &damaged):
		// The index is derived from the corpus: keep the damaged snapshot
		// for a look, and build anew. Only a corpus that cannot be loaded
		// stops Open (below).
		where, derr := s.snaps.Discard(ctx, info.Version, err.Error())
		if derr != nil {
			opts.Logger.Warn("the index snapshot is damaged and cannot be set aside; rebuilding over it", "err", err, "discard_err", derr)
		} else {
			opts.Logger.Warn("the index snapshot is damaged; set it aside and rebuilding from the corpus", "err", err, "moved_to", where)
		}
		snap = nil
	case err != nil:
		if !opts.Rebuild {
			return nil, err
		}
		opts.Logger.Warn("discarding unreadable index", "err", err)
		snap = nil
	}
	var prev *base
	if snap != nil {
		if snap.Embedder != opts.Embedder.ID() {
			if !opts.Rebuild {
				return nil, &EmbedderMismatchError{Index: snap.Embedder, Configured: opts.Embedder.ID()}
			}
			opts.Logger.Info("rebuilding index for a new embedder", "was", snap.Embedder, "now", opts.Embedder.ID())
		} else {
			prev = &base{manifest: &snap.Manifest, version: info.Version, vectors: snap.vectors}
			if opts.ServeLatest {
				ix, err := s.indexOf(snap, info.Version)
				if err == nil {
					s.current.Store(ix)
					return &Report{Articles: len(ix.articles), Passages: len(ix.passages), Version: ix.Version(), BuiltAt: ix.BuiltAt}, nil
				}
				// A snapshot this program cannot rebuild as is (another
				// chunking): its vectors are reused by the build below.
				opts.Logger.Warn("the newest snapshot cannot be served as is; rebuilding from the corpus", "version", info.Version, "err", err)
			}
		}
	}
	if prev == nil && opts.StartEmpty {
		ix, err := newIndex(opts.Embedder.ID(), nil, nil, vectorSet{})
		if err != nil {
			return nil, err
		}
		ix.BuiltAt = time.Time{}
		s.current.Store(ix)
		return &Report{}, nil
	}
	return s.refresh(ctx, false, prev)
}

// base is what a refresh compares the corpus with before an index is live:
// the loaded snapshot's manifest and version.
type base struct {
	manifest *Manifest
	version  string
	vectors  vectorSet
}

// latest reads the newest published snapshot; nil when there is none.
func (s *Store) latest(ctx context.Context) (*snapshot, incidentbot.SnapshotInfo, error) {
	info, err := s.snaps.Latest(ctx)
	if err != nil || info == nil {
		return nil, incidentbot.SnapshotInfo{}, err
	}
	rc, err := s.snaps.Open(ctx, info.Version)
	if err != nil {
		return nil, *info, fmt.Errorf("opening index snapshot %s: %w", info.Version, err)
	}
	defer rc.Close()
	snap, err := readSnapshot(ctx, rc, "version "+info.Version)
	return snap, *info, err
}

// indexOf builds the index a snapshot describes, from its articles and
// vectors alone.
func (s *Store) indexOf(snap *snapshot, version string) (*Index, error) {
	articles := make([]*incidentbot.Article, len(snap.Articles))
	var passages []*incidentbot.Passage
	for i, r := range snap.Articles {
		articles[i] = r.article()
		passages = append(passages, Chunk(articles[i])...)
	}
	ix, err := newIndex(snap.Embedder, articles, passages, snap.vectors)
	if err != nil {
		return nil, err
	}
	ix.BuiltAt = snap.BuiltAt
	ix.setVersion(version)
	ix.prepareQueries(s.opts.Query)
	return ix, nil
}

// Close stops saving (an index not saved yet is given up: Saving says
// whether one is) and releases the snapshot store when Open made it.
func (s *Store) Close() error {
	s.saver.close()
	if s.closeSnaps != nil {
		return s.closeSnaps()
	}
	return nil
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

// Reload swaps in the newest published snapshot when it is not the one
// served, and reports whether it did. A snapshot that cannot be loaded is
// an error and leaves the served index in place.
func (s *Store) Reload(ctx context.Context) (bool, error) {
	info, err := s.snaps.Latest(ctx)
	if err != nil {
		return false, fmt.Errorf("looking for a newer index: %w", err)
	}
	if info == nil {
		return false, nil
	}
	s.swapMu.Lock()
	defer s.swapMu.Unlock()
	cur := s.Index()
	if cur != nil && cur.Version() == info.Version {
		return false, nil
	}
	if cur != nil && cur.Version() == "" && s.saver.unsaved(cur) {
		// This process serves an index it has not published yet: what is
		// published is older (the refresh service holds the lock every
		// process takes until it lands), or the snapshot being saved.
		return false, nil
	}
	start := time.Now()
	snap, got, err := s.latest(ctx)
	if err != nil {
		return false, err
	}
	if snap == nil || (cur != nil && cur.Version() == got.Version) {
		return false, nil
	}
	if snap.Embedder != s.opts.Embedder.ID() {
		return false, &EmbedderMismatchError{Index: snap.Embedder, Configured: s.opts.Embedder.ID()}
	}
	ix, err := s.indexOf(snap, got.Version)
	if err != nil {
		return false, fmt.Errorf("building index %s: %w", got.Version, err)
	}
	s.current.Store(ix)
	was := ""
	if cur != nil {
		was = cur.Version()
	}
	s.opts.Logger.Info("swapped in a newer index", "version", ix.Version(), "was", was, "built_at", ix.BuiltAt,
		"articles", len(ix.articles), "passages", len(ix.passages), "seconds", time.Since(start).Seconds())
	return true, nil
}

// Follow swaps in every newer snapshot published, by this process or any
// other, until ctx ends. A snapshot that fails to load is logged and
// skipped; the index served stays.
func (s *Store) Follow(ctx context.Context) error {
	// A snapshot published between Open and now has no announcement left
	// to wait for.
	s.reloadLogged(ctx)
	return s.snaps.Watch(ctx, func(incidentbot.SnapshotInfo) { s.reloadLogged(ctx) })
}

func (s *Store) reloadLogged(ctx context.Context) {
	if _, err := s.Reload(ctx); err != nil && ctx.Err() == nil {
		s.opts.Logger.Error("a newer index could not be loaded; still serving the current one", "version", s.Index().Version(), "err", err)
	}
}

// Refresh re-reads the corpus and, unless dryRun, embeds what changed,
// persists the new index and swaps it in. Concurrent calls run one after the
// other. It waits for an index RefreshServing is still saving first, and
// fails at once when that save has failed (it is being retried).
func (s *Store) Refresh(ctx context.Context, dryRun bool) (*Report, error) {
	rep, _, _, err := s.refreshCorpus(ctx, dryRun, nil, false)
	return rep, err
}

// RefreshServing is Refresh that swaps the new index in as soon as it is
// built and saves its snapshot in the background: the Report says it is not
// saved yet (Saved false, Version ""), and the Saving returned says when it
// is, or why not (nil when nothing needed saving). A save that fails is
// retried until it lands, a later refresh supersedes it, or the store is
// closed; the new index serves meanwhile.
func (s *Store) RefreshServing(ctx context.Context) (*Report, *Saving, error) {
	rep, _, sv, err := s.refreshCorpus(ctx, false, nil, true)
	return rep, sv, err
}

// Preview is a dry run that also returns the corpus it read, for a diff
// against what the live index holds.
func (s *Store) Preview(ctx context.Context) (*Report, []*incidentbot.Article, error) {
	rep, articles, _, err := s.refreshCorpus(ctx, true, nil, false)
	return rep, articles, err
}

func (s *Store) refresh(ctx context.Context, dryRun bool, from *base) (*Report, error) {
	rep, _, _, err := s.refreshCorpus(ctx, dryRun, from, false)
	return rep, err
}

// Saving is the save of the newest index this store serves unsaved, nil
// when everything it built is saved.
func (s *Store) Saving() *Saving { return s.saver.latest() }

// SaveFailures counts the attempts to save an index that failed.
func (s *Store) SaveFailures() int64 { return s.saver.failures.Load() }

// waitIdle waits for the save in progress to end, for a publish-first
// refresh: its snapshot must come after it. A save that is failing makes it
// fail at once, saying so.
func (s *Store) waitIdle(ctx context.Context) error {
	for {
		sv := s.saver.latest()
		if sv == nil {
			return nil
		}
		n, err, changed := sv.Status()
		if n > 0 {
			return fmt.Errorf("the index served is not saved yet (%d attempts failed; retrying): %w", n, err)
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return fmt.Errorf("waiting for the index served to be saved: %w", ctx.Err())
		}
	}
}

// refreshCorpus compares the corpus with the live index, or, before there
// is one, with the loaded snapshot (nil when there is none either). With
// serveFirst the new index serves before it is saved.
func (s *Store) refreshCorpus(ctx context.Context, dryRun bool, from *base, serveFirst bool) (*Report, []*incidentbot.Article, *Saving, error) {
	select {
	case s.refreshing <- struct{}{}:
	case <-ctx.Done():
		return nil, nil, nil, fmt.Errorf("waiting for another refresh: %w", ctx.Err())
	}
	defer func() { <-s.refreshing }()
	if !dryRun && !serveFirst {
		// Holding the token, no other save can be queued meanwhile.
		if err := s.waitIdle(ctx); err != nil {
			return nil, nil, nil, err
		}
	}
	var prev *Manifest
	var prevVersion string
	if from != nil {
		prev, prevVersion = from.manifest, from.version
	}
	if ix := s.Index(); ix != nil {
		m := manifestOf(ix)
		prev, prevVersion = &m, ix.Version()
	}

	start := time.Now()
	articles, err := s.opts.Load()
	if err != nil {
		return nil, nil, nil, fmt.Errorf("loading corpus: %w", err)
	}
	// An article the live index holds as it is keeps the passages, vectors
	// and the rest the index made of it (reuse.go); the others are chunked,
	// and every text of theirs needs a vector: passages and sentences.
	live := s.Index()
	hashes := articleHashes(articles)
	var reusing *reuse
	var spans *articleSpans
	if live != nil {
		reusing, spans = &reuse{prev: live, kept: map[string]bool{}}, spansOf(live)
	}
	kept := make([][]*incidentbot.Passage, len(articles))
	keptFrom := make([]int, len(articles))
	if spans != nil {
		for i, a := range articles {
			var ok bool
			if kept[i], keptFrom[i], ok = spans.passagesOf(a, hashes[i]); ok {
				reusing.kept[a.ID] = true
			}
		}
	}
	// The kept passages must come in their old order for their BM25
	// postings to be merged (mergeBM25); when they do not (articles no
	// longer sorted alike), only their vectors are found again, by hash.
	for i, last := 0, -1; i < len(articles) && reusing != nil; i++ {
		if kept[i] != nil {
			if keptFrom[i] < last {
				reusing = nil
			}
			last = keptFrom[i]
		}
	}
	chunks := chunkAll(articles, func(i int) bool { return kept[i] == nil })
	var passages []*incidentbot.Passage
	var needed []string
	for i, a := range articles {
		if kept[i] != nil && reusing != nil {
			passages = append(passages, kept[i]...)
			for k := range kept[i] {
				reusing.of = append(reusing.of, int32(keptFrom[i]+k))
			}
			continue
		}
		ps := kept[i]
		if ps == nil {
			ps = chunks[i]
		}
		for _, p := range ps {
			passages = append(passages, p)
			if reusing != nil {
				reusing.of = append(reusing.of, -1)
			}
			needed = append(needed, p.Text)
			for _, sp := range p.Sentences {
				needed = append(needed, a.Text[sp.Start:sp.End])
			}
		}
	}
	rep := diff(prev, articles, passages)
	rep.DryRun = dryRun
	restamped := stampAdded(prev, articles, start)

	// Reuse the vector of every text the index (or the snapshot being
	// opened) holds; embed the rest once each.
	known := vectorSource(nil)
	switch {
	case live != nil:
		known = vectorsOf(live)
	case from != nil:
		known = from.vectors
	}
	fresh := vectorSet{}
	var todo []string
	for _, t := range needed {
		h := Hash(t)
		if _, ok := fresh[h]; ok || (known != nil && known.has(h)) {
			continue
		}
		fresh[h] = nil // queued
		todo = append(todo, t)
	}
	rep.ToEmbed = len(todo)
	if dryRun {
		rep.Version = prevVersion
		if prev != nil {
			rep.BuiltAt = prev.BuiltAt
		}
		rep.Seconds = time.Since(start).Seconds()
		return rep, articles, nil, nil
	}
	for i := 0; i < len(todo); i += s.opts.BatchSize {
		batch := todo[i:min(i+s.opts.BatchSize, len(todo))]
		out, err := s.opts.Embedder.Embed(ctx, batch)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("embedding with %s (%d of %d texts done): %w", s.opts.Embedder.ID(), i, len(todo), err)
		}
		if len(out) != len(batch) {
			return nil, nil, nil, fmt.Errorf("embedding with %s: asked for %d vectors, got %d", s.opts.Embedder.ID(), len(batch), len(out))
		}
		for j, t := range batch {
			fresh[Hash(t)] = out[j]
		}
		rep.Embedded += len(batch)
		if s.opts.Progress != nil {
			s.opts.Progress(rep.Embedded, len(todo))
		}
	}
	if live != nil && !rep.Changed() && !restamped && len(todo) == 0 {
		// Nothing to publish: the live index is this corpus already, and
		// rebuilding a large one takes minutes.
		rep.Version, rep.BuiltAt = live.Version(), live.BuiltAt
		rep.Seconds = time.Since(start).Seconds()
		s.opts.Logger.Debug("index refreshed: unchanged", "articles", rep.Articles, "passages", rep.Passages)
		return rep, articles, nil, nil
	}
	names := namesAhead(live, reusing, articles)
	ix, err := buildIndex(s.opts.Embedder.ID(), articles, hashes, passages, reusing, func(hash, text string) ([]float32, bool) {
		if hash == "" {
			hash = Hash(text)
		}
		if v, ok := fresh[hash]; ok {
			return v, v != nil
		}
		if known == nil {
			return nil, false
		}
		return known.get(hash)
	})
	runtime.KeepAlive(live) // known reads its vectors until the build is done
	if err != nil {
		return nil, nil, nil, fmt.Errorf("building index: %w", err)
	}
	ix.names = names
	ix.prepareQueries(s.opts.Query)
	var sv *Saving
	msg := "index refreshed"
	switch {
	case prev != nil && !rep.Changed() && rep.Embedded == 0 && !restamped:
		// The snapshot being opened is this corpus: nothing to save.
		ix.BuiltAt = prev.BuiltAt
		ix.setVersion(prevVersion)
		s.swapMu.Lock()
		s.current.Store(ix)
		s.swapMu.Unlock()
	case serveFirst:
		s.swapMu.Lock()
		s.current.Store(ix)
		sv = s.saver.save(ctx, ix, false)
		s.swapMu.Unlock()
		msg = "index refreshed: serving it, saving it in the background"
	default:
		// The saver swaps it in once it lands; its attempt ends with ctx.
		sv = s.saver.save(ctx, ix, true)
		<-sv.Done()
		if _, _, err := sv.Wait(ctx); err != nil {
			return nil, nil, nil, fmt.Errorf("saving index (the previous one stays in use): %w", err)
		}
		rep.Saved = true
		sv = nil
	}
	rep.Version, rep.BuiltAt = ix.Version(), ix.BuiltAt
	rep.Seconds = time.Since(start).Seconds()
	logf := s.opts.Logger.Info
	if !rep.Changed() && rep.Embedded == 0 {
		logf = s.opts.Logger.Debug // an unchanged corpus is routine
	}
	logf(msg, "articles", rep.Articles, "passages", rep.Passages,
		"added", strings.Join(rep.ArticlesAdded, ","), "changed", strings.Join(rep.ArticlesChanged, ","),
		"removed", strings.Join(rep.ArticlesRemoved, ","), "embedded", rep.Embedded, "seconds", rep.Seconds)
	return rep, articles, sv, nil
}

// vectorSource is where a refresh finds the vectors it need not embed
// again, by the hash of their text.
type vectorSource interface {
	has(hash string) bool
	get(hash string) ([]float32, bool)
}

func (v vectorSet) has(h string) bool { _, ok := v[h]; return ok }

func (v vectorSet) get(h string) ([]float32, bool) { x, ok := v[h]; return x, ok }

// indexVectors finds vectors in a live index: no second copy of them is
// kept for refreshes (at 100k passages that would be most of the process).
type indexVectors struct {
	ix    *Index
	where map[string]vectorAt
}

// vectorAt is a passage (sentence < 0) or one of its sentences.
type vectorAt struct{ passage, sentence int32 }

func vectorsOf(ix *Index) *indexVectors {
	iv := &indexVectors{ix: ix, where: make(map[string]vectorAt, len(ix.passages)+ix.sentCount)}
	for i, p := range ix.passages {
		iv.where[p.Hash] = vectorAt{int32(i), -1}
		for j := range p.Sentences {
			iv.where[ix.sentenceHash(int(ix.sentFirst[i])+j)] = vectorAt{int32(i), int32(j)}
		}
	}
	return iv
}

func (iv *indexVectors) has(h string) bool { _, ok := iv.where[h]; return ok }

func (iv *indexVectors) get(h string) ([]float32, bool) {
	at, ok := iv.where[h]
	if !ok {
		return nil, false
	}
	p := iv.ix.passages[at.passage]
	if at.sentence >= 0 {
		v, err := iv.ix.SentenceVector(context.Background(), p, int(at.sentence))
		return v, err == nil
	}
	return iv.ix.PassageVector(p)
}

// publishIndex publishes sv's index, and sets its version once it lands;
// a publish-first save is swapped in then, under swapMu, which it holds
// throughout so that its announcement is not taken for another process's.
func (s *Store) publishIndex(ctx context.Context, sv *Saving) (incidentbot.SnapshotInfo, error) {
	if sv.swapAfter {
		s.swapMu.Lock()
		defer s.swapMu.Unlock()
	}
	info, err := s.publish(ctx, sv.ix)
	if err != nil {
		return info, err
	}
	if !sv.swapAfter {
		s.swapMu.Lock()
		defer s.swapMu.Unlock()
	}
	sv.ix.setVersion(info.Version)
	if sv.swapAfter {
		s.current.Store(sv.ix)
	}
	return info, nil
}

// publish streams ix's snapshot into the snapshot store.
func (s *Store) publish(ctx context.Context, ix *Index) (incidentbot.SnapshotInfo, error) {
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(WriteSnapshot(pw, ix)) }()
	info, err := s.snaps.Publish(ctx, incidentbot.SnapshotInfo{BuiltAt: ix.BuiltAt, Embedder: ix.EmbedderID,
		Articles: len(ix.articles), Passages: len(ix.passages), By: s.opts.By}, pr)
	// Unblock the writer if Publish stopped reading early.
	pr.CloseWithError(errors.New("publish finished"))
	return info, err
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
