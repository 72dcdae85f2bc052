package retrieval

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/incidentbot/incidentbot"
	"github.com/incidentbot/incidentbot/corpus"
	"github.com/incidentbot/incidentbot/filestate"
	"github.com/incidentbot/incidentbot/internal/snapshottest"
)

// gatedStore opens a store over corpusDir whose snapshots, in dataDir, go
// through a gate.
func gatedStore(t *testing.T, corpusDir, dataDir string) (*Store, *snapshottest.Gate, *syncLog) {
	t.Helper()
	fs, err := filestate.Open(dataDir, filestate.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fs.Close() })
	gate := snapshottest.New(fs)
	logs := &syncLog{}
	s, _, err := Open(context.Background(), StoreOptions{Snapshots: gate, Embedder: &wordEmbedder{id: "words"},
		Logger: slog.New(slog.NewTextHandler(logs, nil)),
		Load:   func() ([]*incidentbot.Article, error) { return corpus.LoadDir(corpusDir) }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, gate, logs
}

func ctxFor(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// drillArticle is an article a refresh adds, of one sentence (one text to
// embed), found first by drillQuestion.
const drillArticle = `---
title: "The harbour authority names its backup drill"
outlet: Test Wire
date: "2022-10-03"
---
The harbour authority said the Quartz Heron drill, never announced before, restored every server of the port from offline backups.
`

const drillQuestion = "Which drill restored the servers of the port from offline backups?"

func addDrill(t *testing.T, corpusDir string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(corpusDir, "005_drill.md"), []byte(drillArticle), 0o644); err != nil {
		t.Fatal(err)
	}
}

func servesDrill(t *testing.T, s *Store) {
	t.Helper()
	resp, err := s.Search(context.Background(), drillQuestion, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Hits) == 0 || resp.Hits[0].Article.ID != "005_drill" {
		t.Fatal("the new article is not served")
	}
}

// A refresh that serves first answers from the new index while its
// snapshot is still being written; nothing is published until it lands,
// Follow in the same process does not swap it out for the older published
// one, and once it lands it is what every process loads.
func TestRefreshServingServesBeforeTheSnapshotLands(t *testing.T) {
	ctx := ctxFor(t)
	corpusDir, dataDir := copyCorpus(t), t.TempDir()
	s, gate, _ := gatedStore(t, corpusDir, dataDir)
	old := s.Index().Version()
	follow, stop := context.WithCancel(ctx)
	defer stop()
	go s.Follow(follow)

	addDrill(t, corpusDir)
	gate.Hold()
	rep, sv, err := s.RefreshServing(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if sv == nil || rep.Saved || rep.Version != "" || len(rep.ArticlesAdded) != 1 || rep.Embedded != 1 {
		t.Fatalf("report of a refresh serving first: %+v (saving: %v)", rep, sv != nil)
	}
	servesDrill(t, s)
	if err := gate.WaitAttempts(ctx, 2); err != nil { // Open's, then this one's
		t.Fatal(err)
	}
	if latest, _ := gate.Latest(ctx); latest.Version != old {
		t.Fatalf("published %s before the gate opened", latest.Version)
	}
	served := s.Index()
	if swapped, err := s.Reload(ctx); swapped || err != nil {
		t.Fatalf("Reload swapped the unsaved index out for the published one: %v %v", swapped, err)
	}
	if s.Index() != served || served.Version() != "" || sv.Saved() {
		t.Fatal("the unsaved index changed before its snapshot landed")
	}

	gate.Release()
	info, _, err := sv.Wait(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if served.Version() != info.Version || info.Version == old || !sv.Saved() {
		t.Fatalf("saved as %q, the index says %q", info.Version, served.Version())
	}
	if latest, _ := gate.Latest(ctx); latest.Version != info.Version {
		t.Fatalf("latest is %s, saved %s", latest.Version, info.Version)
	}
	if swapped, _ := s.Reload(ctx); swapped || s.Index() != served {
		t.Error("this process's own snapshot was loaded a second time")
	}
	e2 := &wordEmbedder{id: "words"}
	s2, _ := openStore(t, corpusDir, dataDir, e2)
	if e2.embedded.Load() != 0 || s2.Index().Version() != info.Version || s2.Index().Article("005_drill") == nil {
		t.Errorf("another process does not load the saved snapshot: version %q, %d embedded", s2.Index().Version(), e2.embedded.Load())
	}
}

// waitFailures waits until at least n attempts to save have failed.
func waitFailures(t *testing.T, ctx context.Context, sv *Saving, n int) error {
	t.Helper()
	for {
		got, err, changed := sv.Status()
		if got >= n {
			return err
		}
		select {
		case <-changed:
		case <-ctx.Done():
			t.Fatalf("waiting for %d failed attempts to save: %v", n, ctx.Err())
		}
	}
}

// A background save that fails is logged, counted and retried; the new
// index keeps serving meanwhile, and lands once saving works again.
func TestAFailedBackgroundSaveIsRetriedAndTheIndexKeepsServing(t *testing.T) {
	ctx := ctxFor(t)
	corpusDir, dataDir := copyCorpus(t), t.TempDir()
	s, gate, logs := gatedStore(t, corpusDir, dataDir)
	s.saver.retryFirst = time.Millisecond
	old := s.Index().Version()

	addDrill(t, corpusDir)
	gate.Fail(errors.New("no space left on device"))
	_, sv, err := s.RefreshServing(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := waitFailures(t, ctx, sv, 2); err == nil || !strings.Contains(err.Error(), "no space left") {
		t.Fatalf("the save's error: %v", err)
	}
	if s.SaveFailures() < 2 {
		t.Errorf("SaveFailures = %d, want the 2 failed attempts counted", s.SaveFailures())
	}
	if !strings.Contains(logs.String(), "level=ERROR") || !strings.Contains(logs.String(), "saving is retried") {
		t.Errorf("the failure is not logged:\n%s", logs.String())
	}
	servesDrill(t, s)
	if swapped, _ := s.Reload(ctx); swapped {
		t.Fatal("Reload swapped the unsaved index out")
	}
	if latest, _ := gate.Latest(ctx); latest.Version != old {
		t.Fatal("a failed save published something")
	}
	// A refresh that publishes first would be saved after this one: it
	// says the index served is not saved, rather than wait for ever.
	if _, err := s.Refresh(ctx, false); err == nil || !strings.Contains(err.Error(), "not saved yet") {
		t.Errorf("a publish-first refresh while saving fails: %v", err)
	}

	gate.Fail(nil)
	info, _, err := sv.Wait(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if s.Index().Version() != info.Version {
		t.Errorf("saved as %s, serving %s", info.Version, s.Index().Version())
	}
	servesDrill(t, s)
}

// A refresh made while an earlier one is still being saved supersedes it:
// the earlier write is abandoned, so it cannot land after the later one,
// and the later snapshot, which holds both, is what both report.
func TestALaterRefreshSupersedesAnEarlierSave(t *testing.T) {
	ctx := ctxFor(t)
	corpusDir, dataDir := copyCorpus(t), t.TempDir()
	s, gate, _ := gatedStore(t, corpusDir, dataDir)
	_, landedBefore := gate.Counts()

	gate.Hold()
	addDrill(t, corpusDir)
	_, first, err := s.RefreshServing(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := gate.WaitAttempts(ctx, 2); err != nil { // Open's, then the first refresh's
		t.Fatal(err)
	}
	path := filepath.Join(corpusDir, "004_3c6ba5321dfd73d4.md")
	data, _ := os.ReadFile(path)
	os.WriteFile(path, []byte(strings.Replace(string(data), "24 hours to leave the country.", "one day to leave the country.", 1)), 0o644)
	_, second, err := s.RefreshServing(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := gate.WaitAttempts(ctx, 3); err != nil {
		t.Fatal(err)
	}
	gate.Release()
	info2, _, err := second.Wait(ctx)
	if err != nil {
		t.Fatal(err)
	}
	info1, _, err := first.Wait(ctx)
	if err != nil || info1.Version != info2.Version {
		t.Fatalf("the first refresh is saved as %q (%v), the second as %q", info1.Version, err, info2.Version)
	}
	if _, landed := gate.Counts(); landed != landedBefore+1 {
		t.Errorf("%d snapshots landed, want the second refresh's alone", landed-landedBefore)
	}
	e2 := &wordEmbedder{id: "words"}
	s2, _ := openStore(t, corpusDir, dataDir, e2)
	if e2.embedded.Load() != 0 || s2.Index().Article("005_drill") == nil ||
		!strings.Contains(s2.Index().Article("004_3c6ba5321dfd73d4").Text, "one day to leave") {
		t.Error("the snapshot saved does not hold both refreshes")
	}
}

// A store closed before its index is saved gives the save up; the
// previous snapshot stays the newest, and a restart rebuilds the refresh
// from the corpus.
func TestAnIndexNotSavedBeforeCloseIsRebuiltOnRestart(t *testing.T) {
	ctx := ctxFor(t)
	corpusDir, dataDir := copyCorpus(t), t.TempDir()
	s, gate, _ := gatedStore(t, corpusDir, dataDir)
	old := s.Index().Version()
	gate.Hold()
	addDrill(t, corpusDir)
	_, sv, err := s.RefreshServing(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := gate.WaitAttempts(ctx, 2); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, _, err := sv.Wait(ctx); !errors.Is(err, ErrClosed) {
		t.Fatalf("a save cut short by Close: %v", err)
	}
	if latest, _ := gate.Latest(ctx); latest.Version != old {
		t.Fatal("a save given up published something")
	}
	e2 := &wordEmbedder{id: "words"}
	s2, rep := openStore(t, corpusDir, dataDir, e2)
	if len(rep.ArticlesAdded) != 1 || e2.embedded.Load() != 1 || s2.Index().Article("005_drill") == nil {
		t.Errorf("the restart does not rebuild the refresh: %+v, %d embedded", rep, e2.embedded.Load())
	}
}

// Refresh still publishes before it swaps: a save that fails leaves the
// previous index serving, here and on disk (TestFailedRefreshKeepsServing
// checks a folder that cannot be written, which root can).
func TestAFailedPublishFirstRefreshKeepsThePreviousIndex(t *testing.T) {
	ctx := ctxFor(t)
	corpusDir, dataDir := copyCorpus(t), t.TempDir()
	s, gate, _ := gatedStore(t, corpusDir, dataDir)
	old, version := s.Index(), s.Index().Version()
	addDrill(t, corpusDir)
	gate.Fail(errors.New("no space left on device"))
	if _, err := s.Refresh(ctx, false); err == nil || !strings.Contains(err.Error(), "the previous one stays in use") {
		t.Fatalf("want the save's error, got %v", err)
	}
	if s.Index() != old || s.Saving() != nil {
		t.Fatal("an unsaved index was swapped in, or its save goes on")
	}
	if latest, _ := gate.Latest(ctx); latest.Version != version {
		t.Fatal("a failed save published something")
	}
	gate.Fail(nil)
	if rep, err := s.Refresh(ctx, false); err != nil || !rep.Saved || s.Index().Version() != rep.Version {
		t.Fatalf("refreshing again: %+v %v", rep, err)
	}
	servesDrill(t, s)
}
