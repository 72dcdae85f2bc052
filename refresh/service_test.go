package refresh

import (
	"context"
	"errors"
	"hash/fnv"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/incidentbot/incidentbot"
	"github.com/incidentbot/incidentbot/corpus"
	"github.com/incidentbot/incidentbot/filestate"
	"github.com/incidentbot/incidentbot/internal/snapshottest"
	"github.com/incidentbot/incidentbot/retrieval"
)

// hashEmbedder is a deterministic stand-in for the sentence encoder: a
// hashed bag of words. It counts what it embeds.
type hashEmbedder struct{ embedded int }

func (e *hashEmbedder) ID() string { return "hashed-words" }

func (e *hashEmbedder) Embed(_ context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	for i, t := range texts {
		v := make([]float32, 32)
		for _, w := range strings.Fields(strings.ToLower(t)) {
			h := fnv.New32a()
			h.Write([]byte(w))
			v[h.Sum32()%32]++
		}
		var n float64
		for _, x := range v {
			n += float64(x * x)
		}
		if n == 0 {
			v[0], n = 1, 1
		}
		for j := range v {
			v[j] /= float32(math.Sqrt(n))
		}
		out[i] = v
	}
	e.embedded += len(texts)
	return out, nil
}

// process is one incidentbot process over a shared data folder: its own
// state handle, store and service, as a separate program would have.
type process struct {
	state *filestate.State
	store *retrieval.Store
	svc   *Service
	emb   *hashEmbedder
}

func start(t *testing.T, corpusDir, dataDir string) *process {
	t.Helper()
	st, err := filestate.Open(dataDir, filestate.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	p := &process{state: st, emb: &hashEmbedder{}}
	p.store, _, err = retrieval.Open(context.Background(), retrieval.StoreOptions{Snapshots: st, Embedder: p.emb, ServeLatest: true,
		Load: func() ([]*incidentbot.Article, error) { return corpus.LoadDir(corpusDir) }})
	if err != nil {
		t.Fatal(err)
	}
	if p.svc, err = New(Options{Store: p.store, Lock: st, History: st, TextsPerSecond: 100}); err != nil {
		t.Fatal(err)
	}
	return p
}

func copyArticles(t *testing.T, ids ...string) string {
	t.Helper()
	dir := t.TempDir()
	for _, id := range ids {
		data, err := os.ReadFile(filepath.Join("../corpus/articles", id+".md"))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, id+".md"), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

var maintainer = incidentbot.Actor{Who: "maria", Via: "cli"}

func TestPlanShowsWhatWouldChangeAndChangesNothing(t *testing.T) {
	ctx := context.Background()
	corpusDir, dataDir := copyArticles(t, "001_a5fffa3effbdf9de", "003_af503fd266cc0859", "004_3c6ba5321dfd73d4"), t.TempDir()
	p := start(t, corpusDir, dataDir)
	served := p.store.Index()

	// A corrected sentence in 001, 003 removed, 002 added.
	path := filepath.Join(corpusDir, "001_a5fffa3effbdf9de.md")
	data, _ := os.ReadFile(path)
	old := "The Albanian prime minister says the government is absolutely sure the cyberattack on Albania was an Iranian state attack."
	if !strings.Contains(string(data), old) {
		t.Fatal("test article changed")
	}
	os.WriteFile(path, []byte(strings.Replace(string(data), old, "The Albanian prime minister says the government is certain the attack was Iranian.", 1)), 0o644)
	os.Remove(filepath.Join(corpusDir, "003_af503fd266cc0859.md"))
	added, _ := os.ReadFile("../corpus/articles/002_013f2565afa33a21.md")
	os.WriteFile(filepath.Join(corpusDir, "002_013f2565afa33a21.md"), added, 0o644)

	before := p.emb.embedded
	plan, err := p.svc.Plan(ctx)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]incidentbot.ChangeKind{}
	for _, c := range plan.Changes {
		kinds[c.ID] = c.Kind
	}
	if kinds["001_a5fffa3effbdf9de"] != incidentbot.Changed || kinds["002_013f2565afa33a21"] != incidentbot.Added || kinds["003_af503fd266cc0859"] != incidentbot.Removed || len(kinds) != 3 {
		t.Errorf("changes: %+v", plan.Changes)
	}
	for _, c := range plan.Changes {
		if c.ID == "001_a5fffa3effbdf9de" && (c.SentencesAdded != 1 || c.SentencesRemoved != 1 || !strings.Contains(c.FirstAdded, "certain the attack was Iranian")) {
			t.Errorf("the corrected sentence is not shown: %+v", c)
		}
	}
	if plan.Base != served.Version() || plan.ToEmbed < 50 || plan.EstimatedSeconds != float64(plan.ToEmbed)/100 {
		t.Errorf("plan: base %q (served %q), to embed %d, estimate %v", plan.Base, served.Version(), plan.ToEmbed, plan.EstimatedSeconds)
	}
	if p.emb.embedded != before || p.store.Index() != served {
		t.Error("planning embedded texts or changed the index")
	}
	if latest, _ := p.state.Latest(ctx); latest.Version != served.Version() {
		t.Error("planning published a snapshot")
	}
	if h, _ := p.state.ReadHistory(ctx); len(h) != 0 {
		t.Errorf("planning wrote history: %+v", h)
	}
}

func TestApplyPublishesRecordsAndEveryProcessSeesIt(t *testing.T) {
	ctx := context.Background()
	corpusDir, dataDir := copyArticles(t, "001_a5fffa3effbdf9de", "004_3c6ba5321dfd73d4"), t.TempDir()
	cli, shard := start(t, corpusDir, dataDir), start(t, corpusDir, dataDir)

	added, _ := os.ReadFile("../corpus/articles/002_013f2565afa33a21.md")
	os.WriteFile(filepath.Join(corpusDir, "002_013f2565afa33a21.md"), added, 0o644)
	stalePlan, err := shard.svc.Plan(ctx) // made before the CLI applies
	if err != nil {
		t.Fatal(err)
	}
	plan, err := cli.svc.Plan(ctx)
	if err != nil {
		t.Fatal(err)
	}
	before := cli.emb.embedded
	rep, err := cli.svc.Apply(ctx, plan, maintainer)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Version == plan.Base || rep.Embedded != cli.emb.embedded-before || rep.Embedded != plan.ToEmbed || rep.By != maintainer {
		t.Errorf("report: %+v (plan %+v)", rep, plan)
	}
	if ids := rep.Plan.ArticleIDs(incidentbot.Added); len(ids) != 1 || ids[0] != "002_013f2565afa33a21" {
		t.Errorf("applied changes: %+v", rep.Plan.Changes)
	}
	hist, err := cli.state.ReadHistory(ctx)
	if err != nil || len(hist) != 1 || hist[0].Who != "maria" || hist[0].Via != "cli" || hist[0].Version != rep.Version || len(hist[0].Added) != 1 {
		t.Fatalf("history: %+v %v", hist, err)
	}

	// The other process's preview was made against the old index: applying
	// it is refused, so it cannot undo what it did not see.
	_, err = shard.svc.Apply(ctx, stalePlan, incidentbot.Actor{Who: "someone", Via: "discord"})
	var stale *StaleError
	if !errors.As(err, &stale) || stale.Now != rep.Version {
		t.Fatalf("applying a stale preview: %v", err)
	}
	// A fresh plan there is made against the newest index: nothing to do.
	fresh, err := shard.svc.Plan(ctx)
	if err != nil || fresh.Changed() || fresh.Base != rep.Version || fresh.ToEmbed != 0 {
		t.Errorf("the other process plans against the newest index: %+v %v", fresh, err)
	}
	if shard.store.Index().Article("002_013f2565afa33a21") == nil {
		t.Error("the other process does not serve the applied refresh")
	}
}

func TestASecondRefreshIsRefusedNamingWhoHoldsTheLock(t *testing.T) {
	ctx := context.Background()
	corpusDir, dataDir := copyArticles(t, "004_3c6ba5321dfd73d4"), t.TempDir()
	p := start(t, corpusDir, dataDir)
	other, err := filestate.Open(dataDir, filestate.Options{}) // another process
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	unlock, err := other.TryLock(ctx, incidentbot.Actor{Who: "ana", Via: "discord"})
	if err != nil {
		t.Fatal(err)
	}
	plan, err := p.svc.Plan(ctx)
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.svc.Apply(ctx, plan, maintainer)
	var locked *incidentbot.LockedError
	if !errors.As(err, &locked) || locked.Holder.Who != "ana" || !strings.Contains(err.Error(), "ana") {
		t.Fatalf("want a refusal naming ana, got %v", err)
	}
	unlock()
	if _, err := p.svc.Apply(ctx, plan, maintainer); err != nil {
		t.Fatalf("after the lock is released: %v", err)
	}
}

func TestAnUnchangedRefreshEmbedsNothingAndIsNotRecorded(t *testing.T) {
	ctx := context.Background()
	corpusDir, dataDir := copyArticles(t, "004_3c6ba5321dfd73d4"), t.TempDir()
	p := start(t, corpusDir, dataDir)
	served := p.store.Index()
	before := p.emb.embedded
	plan, err := p.svc.Plan(ctx)
	if err != nil || plan.Changed() || plan.ToEmbed != 0 {
		t.Fatalf("plan of an unchanged corpus: %+v %v", plan, err)
	}
	rep, err := p.svc.Apply(ctx, plan, maintainer)
	if err != nil || rep.Version != served.Version() || rep.Embedded != 0 || p.emb.embedded != before {
		t.Fatalf("unchanged refresh: %+v %v", rep, err)
	}
	if h, _ := p.state.ReadHistory(ctx); len(h) != 0 {
		t.Errorf("a refresh that changed nothing was recorded: %+v", h)
	}
}

// startGated is start with the process's snapshots going through a gate.
func startGated(t *testing.T, corpusDir, dataDir string) (*process, *snapshottest.Gate) {
	t.Helper()
	st, err := filestate.Open(dataDir, filestate.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	gate := snapshottest.New(st)
	p := &process{state: st, emb: &hashEmbedder{}}
	p.store, _, err = retrieval.Open(context.Background(), retrieval.StoreOptions{Snapshots: gate, Embedder: p.emb, ServeLatest: true,
		Load: func() ([]*incidentbot.Article, error) { return corpus.LoadDir(corpusDir) }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.store.Close() })
	if p.svc, err = New(Options{Store: p.store, Lock: st, History: st}); err != nil {
		t.Fatal(err)
	}
	return p, gate
}

// ApplyServing returns as soon as the new index serves here. Until its
// snapshot lands the refresh is not recorded and the lock stays held (a
// refresh elsewhere is refused, naming who holds it); once it lands it is
// recorded with the version published, and every process plans against it.
func TestApplyServingServesFirstAndRecordsOnceSaved(t *testing.T) {
	ctx := context.Background()
	corpusDir, dataDir := copyArticles(t, "001_a5fffa3effbdf9de", "004_3c6ba5321dfd73d4"), t.TempDir()
	p, gate := startGated(t, corpusDir, dataDir)
	other := start(t, corpusDir, dataDir)
	added, _ := os.ReadFile("../corpus/articles/002_013f2565afa33a21.md")
	os.WriteFile(filepath.Join(corpusDir, "002_013f2565afa33a21.md"), added, 0o644)
	plan, err := p.svc.Plan(ctx)
	if err != nil {
		t.Fatal(err)
	}

	gate.Hold()
	rep, err := p.svc.ApplyServing(ctx, plan, maintainer)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Saved || rep.Version != "" || rep.WaitSaved == nil || rep.Embedded == 0 {
		t.Fatalf("report before the snapshot lands: %+v", rep)
	}
	if p.store.Index().Article("002_013f2565afa33a21") == nil {
		t.Fatal("the new index does not serve here")
	}
	if h, _ := p.state.ReadHistory(ctx); len(h) != 0 {
		t.Errorf("recorded before it was saved: %+v", h)
	}
	_, err = other.svc.Apply(ctx, nil, incidentbot.Actor{Who: "ana", Via: "discord"})
	var locked *incidentbot.LockedError
	if !errors.As(err, &locked) || locked.Holder.Who != "maria" {
		t.Fatalf("a refresh elsewhere while this one is saved: %v", err)
	}
	if other.store.Index().Article("002_013f2565afa33a21") != nil {
		t.Fatal("another process serves a snapshot not published")
	}

	gate.Release()
	saved, err := rep.WaitSaved(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !saved.Saved || saved.Version == "" || saved.Version != p.store.Index().Version() || saved.SavedSeconds < saved.Seconds {
		t.Fatalf("report once saved: %+v", saved)
	}
	hist, err := p.state.ReadHistory(ctx)
	if err != nil || len(hist) != 1 || hist[0].Version != saved.Version || hist[0].Who != "maria" || len(hist[0].Added) != 1 {
		t.Fatalf("history: %+v %v", hist, err)
	}
	fresh, err := other.svc.Plan(ctx)
	if err != nil || fresh.Base != saved.Version || fresh.Changed() {
		t.Errorf("the other process plans against the saved index: %+v %v", fresh, err)
	}
	if err := p.svc.Wait(ctx); err != nil {
		t.Errorf("Wait after the save: %v", err)
	}
}

// A save that fails is reported by WaitSaved and retried; planning meanwhile
// says so instead of comparing with an unpublished index; once saving
// works the refresh lands and is recorded.
func TestApplyServingReportsAFailedSaveAndRetries(t *testing.T) {
	ctx := context.Background()
	corpusDir, dataDir := copyArticles(t, "004_3c6ba5321dfd73d4"), t.TempDir()
	p, gate := startGated(t, corpusDir, dataDir)
	added, _ := os.ReadFile("../corpus/articles/002_013f2565afa33a21.md")
	os.WriteFile(filepath.Join(corpusDir, "002_013f2565afa33a21.md"), added, 0o644)

	gate.Fail(errors.New("the database is unreachable"))
	rep, err := p.svc.ApplyServing(ctx, nil, maintainer)
	if err != nil {
		t.Fatal(err)
	}
	failed, err := rep.WaitSaved(ctx, 0)
	if err != nil || failed.Saved || failed.SaveFailures == 0 || !strings.Contains(failed.SaveError, "unreachable") {
		t.Fatalf("a failed save: %+v %v", failed, err)
	}
	if p.store.Index().Article("002_013f2565afa33a21") == nil {
		t.Fatal("the new index stopped serving when its save failed")
	}
	if _, err := p.svc.Plan(ctx); err == nil || !strings.Contains(err.Error(), "not saved yet") {
		t.Errorf("planning while the last refresh is not saved: %v", err)
	}

	gate.Fail(nil)
	saved, err := failed.WaitSaved(ctx, failed.SaveFailures)
	for err == nil && !saved.Saved { // attempts that failed before Fail(nil) took
		saved, err = saved.WaitSaved(ctx, saved.SaveFailures)
	}
	if err != nil || saved.Version != p.store.Index().Version() {
		t.Fatalf("once saving works: %+v %v", saved, err)
	}
	if hist, _ := p.state.ReadHistory(ctx); len(hist) != 1 || hist[0].Version != saved.Version {
		t.Errorf("history: %+v", hist)
	}
}
