package retrieval

import (
	"bytes"
	"context"
	"errors"
	"hash/fnv"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/incidentbot/incidentbot"
	"github.com/incidentbot/incidentbot/corpus"
)

// wordEmbedder is a deterministic stand-in for a sentence encoder: a hashed
// bag of words, so texts sharing words are close. It counts what it embeds
// and can be made to fail.
type wordEmbedder struct {
	id       string
	embedded atomic.Int64
	fail     atomic.Bool
}

func (e *wordEmbedder) ID() string { return e.id }

func (e *wordEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	if e.fail.Load() {
		return nil, errors.New("embedding server unreachable")
	}
	out := make([][]float32, len(texts))
	for i, t := range texts {
		v := make([]float32, 64)
		for _, w := range Terms(t) {
			h := fnv.New32a()
			h.Write([]byte(w))
			v[h.Sum32()%64]++
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
	e.embedded.Add(int64(len(texts)))
	return out, nil
}

// copyCorpus copies the shipped articles into a folder the test can change.
func copyCorpus(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	src := "../corpus/articles"
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func openStore(t *testing.T, corpusDir, dataDir string, e Embedder) (*Store, *Report) {
	t.Helper()
	s, rep, err := Open(context.Background(), StoreOptions{DataDir: dataDir, Embedder: e,
		Load: func() ([]*incidentbot.Article, error) { return corpus.LoadDir(corpusDir) }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, rep
}

const newArticle = `---
title: "Montenegro names the Zeta Unit"
outlet: Test Wire
date: "2022-09-20"
tags: [montenegro]
---
Montenegro's investigators said the Zeta Unit, a group never named before, ran the ransomware campaign against Podgorica.
`

func TestRefreshEmbedsOnlyWhatChanged(t *testing.T) {
	ctx := context.Background()
	corpusDir, dataDir := copyCorpus(t), t.TempDir()
	e := &wordEmbedder{id: "words"}
	s, rep := openStore(t, corpusDir, dataDir, e)
	if len(rep.ArticlesAdded) != 5 || rep.Embedded == 0 || !rep.Saved {
		t.Fatalf("first build: %+v", rep)
	}

	// Unchanged: nothing embedded, nothing written.
	rep, err := s.Refresh(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Embedded != 0 || rep.Changed() || rep.Saved {
		t.Errorf("refresh of an unchanged corpus: %+v", rep)
	}

	// A new process reuses the snapshot: nothing embedded.
	e2 := &wordEmbedder{id: "words"}
	s2, rep := openStore(t, corpusDir, dataDir, e2)
	if e2.embedded.Load() != 0 || rep.Embedded != 0 {
		t.Errorf("reopening embedded %d texts; the snapshot should be reused", e2.embedded.Load())
	}
	if len(s2.Index().Passages()) != len(s.Index().Passages()) {
		t.Error("reopened index differs")
	}

	// Add one article: only its passages and sentences are embedded, and it
	// can be found.
	os.WriteFile(filepath.Join(corpusDir, "005_zeta.md"), []byte(newArticle), 0o644)
	dry, err := s.Refresh(ctx, true)
	// Its one passage is its one sentence: one text, one vector.
	if err != nil || !dry.DryRun || len(dry.ArticlesAdded) != 1 || dry.ToEmbed != 1 || dry.Embedded != 0 {
		t.Fatalf("dry run: %+v %v", dry, err)
	}
	if s.Index().Article("005_zeta") != nil {
		t.Fatal("a dry run must not change the live index")
	}
	before := e.embedded.Load()
	rep, err = s.Refresh(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Embedded != 1 || e.embedded.Load()-before != 1 || len(rep.ArticlesAdded) != 1 || rep.ArticlesAdded[0] != "005_zeta" {
		t.Errorf("adding a one-sentence article embedded %d texts: %+v", rep.Embedded, rep)
	}
	resp, err := s.Search(ctx, "Which group ran the ransomware campaign against Podgorica?", 3)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Hits[0].Article.ID != "005_zeta" {
		t.Errorf("the new article is not found first: %s", resp.Hits[0].Passage.ID)
	}

	// Change one sentence of an article.
	path := filepath.Join(corpusDir, "004_3c6ba5321dfd73d4.md")
	data, _ := os.ReadFile(path)
	os.WriteFile(path, []byte(strings.Replace(string(data), "24 hours to leave the country.", "one day to leave the country.", 1)), 0o644)
	rep, err = s.Refresh(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.ArticlesChanged) != 1 || rep.PassagesChanged != 1 || rep.Embedded != 2 {
		t.Errorf("one changed sentence should re-embed its sentence and passage only: %+v", rep)
	}

	// Remove an article: it disappears from results.
	os.Remove(filepath.Join(corpusDir, "005_zeta.md"))
	rep, err = s.Refresh(ctx, false)
	if err != nil || len(rep.ArticlesRemoved) != 1 || rep.PassagesRemoved != 1 {
		t.Fatalf("removal: %+v %v", rep, err)
	}
	resp, _ = s.Search(ctx, "Zeta Unit ransomware Podgorica", 5)
	for _, h := range resp.Hits {
		if h.Article.ID == "005_zeta" {
			t.Error("a removed article is still found")
		}
	}
}

func TestFailedRefreshKeepsServing(t *testing.T) {
	ctx := context.Background()
	corpusDir, dataDir := copyCorpus(t), t.TempDir()
	e := &wordEmbedder{id: "words"}
	s, _ := openStore(t, corpusDir, dataDir, e)
	old := s.Index()

	// The embedder goes down while an article is added.
	os.WriteFile(filepath.Join(corpusDir, "005_zeta.md"), []byte(newArticle), 0o644)
	e.fail.Store(true)
	if _, err := s.Refresh(ctx, false); err == nil || !strings.Contains(err.Error(), "unreachable") {
		t.Fatalf("want the embedder's error, got %v", err)
	}
	e.fail.Store(false)
	if s.Index() != old {
		t.Fatal("a failed refresh replaced the index")
	}
	if _, err := s.Search(ctx, "Who cut ties with Iran?", 3); err != nil {
		t.Fatalf("the old index must keep serving: %v", err)
	}

	// A malformed file: the error names it, the old index stays.
	os.WriteFile(filepath.Join(corpusDir, "006_bad.md"), []byte("---\ntitle: x\nsorce: y\n---\nText here ends.\n"), 0o644)
	if _, err := s.Refresh(ctx, false); err == nil || !strings.Contains(err.Error(), "006_bad.md:3") {
		t.Fatalf("want the bad file and line named, got %v", err)
	}
	if s.Index() != old {
		t.Fatal("a refresh with a bad file replaced the index")
	}
	os.Remove(filepath.Join(corpusDir, "006_bad.md"))

	// The disk cannot take the snapshot: the old index stays, in memory and on disk.
	snap := filepath.Join(dataDir, SnapshotFile)
	before, _ := os.ReadFile(snap)
	os.Chmod(dataDir, 0o500)
	defer os.Chmod(dataDir, 0o755)
	if os.Getuid() != 0 { // root ignores folder permissions
		if _, err := s.Refresh(ctx, false); err == nil {
			t.Fatal("want an error when the snapshot cannot be written")
		}
		if s.Index() != old {
			t.Fatal("an unsaved index was swapped in")
		}
	}
	os.Chmod(dataDir, 0o755)
	after, _ := os.ReadFile(snap)
	if string(before) != string(after) {
		t.Error("the snapshot on disk changed during failed refreshes")
	}
}

func TestSnapshotSurvivesAnInterruptedWrite(t *testing.T) {
	corpusDir, dataDir := copyCorpus(t), t.TempDir()
	openStore(t, corpusDir, dataDir, &wordEmbedder{id: "words"})
	// A crash mid-write leaves a partial temporary file beside the snapshot.
	os.WriteFile(filepath.Join(dataDir, SnapshotFile+".tmp-123"), []byte("incidentbot-index 1\n\x05{\"emb"), 0o644)
	e := &wordEmbedder{id: "words"}
	openStore(t, corpusDir, dataDir, e)
	if e.embedded.Load() != 0 {
		t.Error("the intact snapshot should have been loaded")
	}
}

// A damaged snapshot (garbage, truncated, not an index) is moved aside and
// the index rebuilt from the corpus, with a warning; only a corpus that
// cannot be loaded stops Open.
func TestDamagedSnapshotIsRebuilt(t *testing.T) {
	corpusDir, good := copyCorpus(t), t.TempDir()
	openStore(t, corpusDir, good, &wordEmbedder{id: "words"})
	intact, err := os.ReadFile(filepath.Join(good, SnapshotFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"garbage", []byte("\x00\xff garbage \x13\x37 not an index at all")},
		{"truncated in the manifest", []byte("incidentbot-index 1\n\x05{\"emb")},
		{"truncated in the vectors", intact[:len(intact)*2/3]},
		{"cut after the header", intact[:len(snapshotMagic)]},
		{"empty", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dataDir := t.TempDir()
			snap := filepath.Join(dataDir, SnapshotFile)
			if err := os.WriteFile(snap, tc.data, 0o644); err != nil {
				t.Fatal(err)
			}
			var logs strings.Builder
			e := &wordEmbedder{id: "words"}
			s, rep, err := Open(context.Background(), StoreOptions{DataDir: dataDir, Embedder: e,
				Logger: slog.New(slog.NewTextHandler(&logs, nil)),
				Load:   func() ([]*incidentbot.Article, error) { return corpus.LoadDir(corpusDir) }})
			if err != nil {
				t.Fatalf("Open over a damaged snapshot: %v", err)
			}
			if rep.Embedded == 0 || !rep.Saved {
				t.Errorf("not rebuilt: %+v", rep)
			}
			resp, err := s.Search(context.Background(), "who attacked Albania", 3)
			if err != nil || len(resp.Hits) == 0 {
				t.Errorf("the rebuilt index does not serve: %v, %+v", err, resp)
			}
			aside, _ := filepath.Glob(snap + ".damaged-*")
			if len(aside) != 1 {
				t.Fatalf("damaged files kept aside: %v", aside)
			}
			if kept, _ := os.ReadFile(aside[0]); string(kept) != string(tc.data) {
				t.Error("the file kept aside is not the damaged snapshot")
			}
			if !strings.Contains(logs.String(), "level=WARN") || !strings.Contains(logs.String(), "damaged") || !strings.Contains(logs.String(), aside[0]) {
				t.Errorf("no warning naming the file kept aside:\n%s", logs.String())
			}
			// The new snapshot is whole: the next start embeds nothing.
			e2 := &wordEmbedder{id: "words"}
			openStore(t, corpusDir, dataDir, e2)
			if e2.embedded.Load() != 0 {
				t.Errorf("the rebuilt snapshot was not saved whole: %d texts embedded again", e2.embedded.Load())
			}
		})
	}

	// Without a corpus there is nothing to rebuild from: that is an error.
	dataDir := t.TempDir()
	os.WriteFile(filepath.Join(dataDir, SnapshotFile), []byte("garbage"), 0o644)
	_, _, err = Open(context.Background(), StoreOptions{DataDir: dataDir, Embedder: &wordEmbedder{id: "words"},
		Load: func() ([]*incidentbot.Article, error) {
			return corpus.LoadDir(filepath.Join(dataDir, "no-such-corpus"))
		}})
	if err == nil || !strings.Contains(err.Error(), "loading corpus") {
		t.Errorf("a damaged snapshot and no corpus: err = %v, want the corpus error", err)
	}
}

func TestIndexRefusesAnotherEmbedder(t *testing.T) {
	corpusDir, dataDir := copyCorpus(t), t.TempDir()
	s, _ := openStore(t, corpusDir, dataDir, &wordEmbedder{id: "words"})
	other := &wordEmbedder{id: "openai:text-embedding-3-small@api.openai.com"}
	_, _, err := Open(context.Background(), StoreOptions{DataDir: dataDir, Embedder: other,
		Load: func() ([]*incidentbot.Article, error) { return corpus.LoadDir(corpusDir) }})
	var mm *EmbedderMismatchError
	if !errors.As(err, &mm) || !strings.Contains(err.Error(), "re-index") {
		t.Fatalf("want an embedder mismatch telling to re-index, got %v", err)
	}
	if _, err := s.Index().Search(context.Background(), other, "who attacked Albania", 3); !errors.As(err, &mm) {
		t.Fatalf("querying with another embedder must be refused, got %v", err)
	}
	// --rebuild replaces the index with one made by the new embedder.
	s2, rep, err := Open(context.Background(), StoreOptions{DataDir: dataDir, Embedder: other, Rebuild: true,
		Load: func() ([]*incidentbot.Article, error) { return corpus.LoadDir(corpusDir) }})
	if err != nil || rep.Embedded == 0 || s2.Index().EmbedderID != other.ID() {
		t.Fatalf("rebuild: %+v %v", rep, err)
	}
}

func TestConcurrentRefreshesAreSerialised(t *testing.T) {
	ctx := context.Background()
	corpusDir, dataDir := copyCorpus(t), t.TempDir()
	s, _ := openStore(t, corpusDir, dataDir, &wordEmbedder{id: "words"})
	os.WriteFile(filepath.Join(corpusDir, "005_zeta.md"), []byte(newArticle), 0o644)
	var wg sync.WaitGroup
	reports := make([]*Report, 4)
	for i := range reports {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := s.Refresh(ctx, false)
			if err != nil {
				t.Error(err)
			}
			reports[i] = r
			if _, err := s.Search(ctx, "Zeta Unit", 1); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	added := 0
	for _, r := range reports {
		added += len(r.ArticlesAdded)
	}
	if added != 1 {
		t.Errorf("four concurrent refreshes reported the new article %d times; one should add it, the rest see no change", added)
	}
}

// Each article remembers when it entered the index, across refreshes and
// restarts; answers and /sources show it.
func TestArticlesRememberWhenTheyWereAdded(t *testing.T) {
	ctx := context.Background()
	corpusDir, dataDir := copyCorpus(t), t.TempDir()
	s, _ := openStore(t, corpusDir, dataDir, &wordEmbedder{id: "words"})
	first := s.Index().Article("002_013f2565afa33a21").Added
	if first.IsZero() {
		t.Fatal("an indexed article has no added time")
	}
	time.Sleep(1100 * time.Millisecond) // added times are kept to the second
	os.WriteFile(filepath.Join(corpusDir, "005_zeta.md"), []byte(newArticle), 0o644)
	if _, err := s.Refresh(ctx, false); err != nil {
		t.Fatal(err)
	}
	if got := s.Index().Article("002_013f2565afa33a21").Added; !got.Equal(first) {
		t.Errorf("a refresh changed an old article's added time: %v → %v", first, got)
	}
	if !s.Index().Article("005_zeta").Added.After(first) {
		t.Error("the new article should carry the later added time")
	}
	s2, _ := openStore(t, corpusDir, dataDir, &wordEmbedder{id: "words"})
	if got := s2.Index().Article("002_013f2565afa33a21").Added; !got.Equal(first) {
		t.Errorf("a restart lost the added time: %v → %v", first, got)
	}
}

// Question patterns the hybrid score knows: an acronym is answered where it
// is spelled out; "when" prefers a day to a month.
func TestAnswerKindsGuideRanking(t *testing.T) {
	s, _ := openStore(t, copyCorpus(t), t.TempDir(), &wordEmbedder{id: "words"})
	resp, err := s.Search(context.Background(), "What does TIMS stand for?", 3)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(resp.Hits[0].Passage.Text, "Total Information Management System (TIMS)") {
		t.Errorf("the spelled-out acronym should rank first, got %q", resp.Hits[0].Passage.Text)
	}
	if KindOf("When did Montenegro come under attack?") != KindDate || KindOf("In what year did Albania take in the MEK?") != KindYear ||
		KindOf("How many representatives left?") != KindNumber || KindOf("Who said it?") != KindPerson || KindOf("Why did Albania cut ties?") != KindReason {
		t.Error("question kinds misread")
	}
}

func TestDefinitionQuestions(t *testing.T) {
	s, _ := openStore(t, copyCorpus(t), t.TempDir(), &wordEmbedder{id: "words"})
	for q, want := range map[string]string{
		"What is the MEK?": "the MEK is an Islamic political group",
		"What is TIMS?":    "Total Information Management System (TIMS)",
	} {
		resp, err := s.Search(context.Background(), q, 3)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(resp.Hits[0].Passage.Text, want) {
			t.Errorf("%q: the defining passage should rank first, got %q", q, resp.Hits[0].Passage.Text)
		}
	}
}

// Two processes on one data folder: what one publishes, the other swaps in
// within seconds, while a search on the index it had still works; a
// snapshot that cannot be loaded is logged and skipped.
func TestAnotherProcessFollowsPublishedSnapshots(t *testing.T) {
	corpusDir, dataDir := copyCorpus(t), t.TempDir()
	writer, _ := openStore(t, corpusDir, dataDir, &wordEmbedder{id: "words"})
	var logs syncLog
	follower, _, err := Open(context.Background(), StoreOptions{DataDir: dataDir, Embedder: &wordEmbedder{id: "words"}, ServeLatest: true,
		Logger: slog.New(slog.NewTextHandler(&logs, nil)),
		Load:   func() ([]*incidentbot.Article, error) { return corpus.LoadDir(corpusDir) }})
	if err != nil {
		t.Fatal(err)
	}
	defer follower.Close()
	if follower.Index().Version() != writer.Index().Version() || follower.Index().Version() == "" {
		t.Fatalf("both should serve the one published snapshot: %q and %q", follower.Index().Version(), writer.Index().Version())
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go follower.Follow(ctx)

	before := follower.Index()
	os.WriteFile(filepath.Join(corpusDir, "005_zeta.md"), []byte(newArticle), 0o644)
	if _, err := writer.Refresh(ctx, false); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for follower.Index().Article("005_zeta") == nil {
		if time.Now().After(deadline) {
			t.Fatalf("the follower did not swap in the new index within 5 s:\n%s", logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if follower.Index().Version() != writer.Index().Version() {
		t.Errorf("follower serves %q, the writer published %q", follower.Index().Version(), writer.Index().Version())
	}
	// A search that started on the old index finishes on it.
	if resp, err := before.Search(ctx, &wordEmbedder{id: "words"}, "Who attacked Albania?", 3); err != nil || len(resp.Hits) == 0 {
		t.Errorf("the replaced index stopped serving: %v", err)
	}
	if !strings.Contains(logs.String(), "swapped in a newer index") {
		t.Errorf("the swap is not logged:\n%s", logs.String())
	}

	// Something unloadable lands where snapshots are published: it is
	// skipped with an error in the log, and the index served stays.
	served := follower.Index()
	if err := os.WriteFile(filepath.Join(dataDir, SnapshotFile), []byte("incidentbot-index 2\n\x05{\"emb"), 0o644); err != nil {
		t.Fatal(err)
	}
	deadline = time.Now().Add(5 * time.Second)
	for !strings.Contains(logs.String(), "could not be loaded") {
		if time.Now().After(deadline) {
			t.Fatalf("a damaged snapshot was not reported:\n%s", logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if follower.Index() != served {
		t.Error("a damaged snapshot replaced the index served")
	}
	if resp, err := follower.Search(ctx, "Which group ran the ransomware campaign against Podgorica?", 3); err != nil || resp.Hits[0].Article.ID != "005_zeta" {
		t.Errorf("the follower stopped serving the newest good index: %v", err)
	}
}

// syncLog is a log sink safe for the store's goroutines.
type syncLog struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *syncLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *syncLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// A large index's vectors are saved in parts (gob cannot read one message
// over 8 GB, which a million passages would make): a snapshot of many
// parts loads whole, every vector as it was, and a part cut short is a
// damaged snapshot.
func TestSnapshotInPartsLoadsWhole(t *testing.T) {
	defer func(n int) { partDocs = n }(partDocs)
	partDocs = 7 // the shipped corpus's ~100 passages and ~300 sentences in dozens of parts
	corpusDir, dataDir := copyCorpus(t), t.TempDir()
	s, _ := openStore(t, corpusDir, dataDir, &wordEmbedder{id: "words"})
	ix := s.Index()
	if parts := len(partsOf(exportOf(ix))); parts < 40 {
		t.Fatalf("the index makes %d parts, want dozens", parts)
	}
	var buf bytes.Buffer
	if err := WriteSnapshot(&buf, ix); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	snap, err := readSnapshot(context.Background(), bytes.NewReader(data), "test")
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range ix.passages {
		if got, want := snap.vectors[p.Hash], ix.passMatrix.row(i); !slices.Equal(got, want) {
			t.Fatalf("passage %s: vector not read back", p.ID)
		}
		for j := range p.Sentences {
			d := int(ix.sentFirst[i]) + j
			if got, want := snap.vectors[ix.sentenceHash(d)], ix.sentMatrix.row(d); !slices.Equal(got, want) {
				t.Fatalf("passage %s, sentence %d: vector not read back", p.ID, j)
			}
		}
	}
	e := &wordEmbedder{id: "words"}
	openStore(t, corpusDir, dataDir, e)
	if e.embedded.Load() != 0 {
		t.Errorf("a snapshot in parts was not reused: %d texts embedded again", e.embedded.Load())
	}
	var damaged *DamagedSnapshotError
	if _, err := readSnapshot(context.Background(), bytes.NewReader(data[:len(data)-len(data)/5]), "cut"); !errors.As(err, &damaged) {
		t.Errorf("a snapshot cut in its last parts: %v, want a damaged snapshot", err)
	}
}
