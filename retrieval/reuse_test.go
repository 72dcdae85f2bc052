package retrieval

import (
	"context"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
)

// textsEmbedder is wordEmbedder that remembers every text it embeds.
type textsEmbedder struct {
	wordEmbedder
	mu    sync.Mutex
	texts []string
}

func (e *textsEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	e.mu.Lock()
	e.texts = append(e.texts, texts...)
	e.mu.Unlock()
	return e.wordEmbedder.Embed(ctx, texts)
}

// A refresh that changes one article embeds only that article's new texts,
// reuses everything else the live index made, and gives an index that
// answers as one built from scratch on the same corpus does.
func TestOneArticleRefreshReusesTheRest(t *testing.T) {
	ctx := context.Background()
	corpusDir := copyCorpus(t)
	e := &textsEmbedder{wordEmbedder: wordEmbedder{id: "words"}}
	s, _ := openStore(t, corpusDir, t.TempDir(), e)

	// Change one sentence of one article, add one and remove one.
	path := filepath.Join(corpusDir, "004_3c6ba5321dfd73d4.md")
	data, _ := os.ReadFile(path)
	changed := strings.Replace(string(data), "24 hours to leave the country.", "one day to leave the country.", 1)
	if changed == string(data) {
		t.Fatal("the sentence to change is not in the article")
	}
	os.WriteFile(path, []byte(changed), 0o644)
	os.WriteFile(filepath.Join(corpusDir, "005_zeta.md"), []byte(newArticle), 0o644)
	os.Remove(filepath.Join(corpusDir, "001_a5fffa3effbdf9de.md"))
	e.texts = nil
	rep, err := s.Refresh(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.ArticlesChanged) != 1 || len(rep.ArticlesAdded) != 1 || len(rep.ArticlesRemoved) != 1 {
		t.Fatalf("refresh: %+v", rep)
	}
	// The changed sentence, its passage, and the new article's one text.
	ix := s.Index()
	for _, text := range e.texts {
		if !strings.Contains(ix.Article("004_3c6ba5321dfd73d4").Text, text) && !strings.Contains(ix.Article("005_zeta").Text, text) {
			t.Errorf("embedded a text of an unchanged article: %q", text)
		}
	}
	if len(e.texts) != 3 {
		t.Errorf("embedded %d texts, want 3: %q", len(e.texts), e.texts)
	}

	scratch, _ := openStore(t, corpusDir, t.TempDir(), &wordEmbedder{id: "words"})
	fresh := scratch.Index()
	if !reflect.DeepEqual(fresh.sentKinds, ix.sentKinds) || !reflect.DeepEqual(fresh.sentHash, ix.sentHash) ||
		!reflect.DeepEqual(fresh.sentOwner, ix.sentOwner) || !reflect.DeepEqual(fresh.sentFirst, ix.sentFirst) {
		t.Error("the sentences' kinds, hashes or numbering differ from a build from scratch")
	}
	if !maps.Equal(fresh.Vocabulary(), ix.Vocabulary()) {
		t.Error("the vocabulary differs from a build from scratch")
	}
	if !slices.Equal(fresh.names.get().list(), ix.names.get().list()) {
		t.Error("the articles' names differ from a build from scratch")
	}
	for _, pair := range [][2]*BM25{{fresh.bm25, ix.bm25}, {fresh.sentBM25, ix.sentBM25}} {
		a, b := pair[0], pair[1]
		if !slices.Equal(a.docLen, b.docLen) || a.avgLen != b.avgLen || len(a.postings) != len(b.postings) {
			t.Fatal("BM25 lengths differ from a build from scratch")
		}
		for term := range a.postings {
			if string(a.list(term)) != string(b.list(term)) {
				t.Fatalf("BM25 postings of %q differ from a build from scratch", term)
			}
		}
	}
	for i := range fresh.Passages() {
		fv, _ := fresh.PassageVector(fresh.passages[i])
		rv, _ := ix.PassageVector(ix.passages[i])
		if !slices.Equal(fv, rv) || !slices.Equal(fresh.passMatrix.codes[i*ix.Dim:(i+1)*ix.Dim], ix.passMatrix.codes[i*ix.Dim:(i+1)*ix.Dim]) {
			t.Fatalf("passage %s: vector or codes differ from a build from scratch", ix.passages[i].ID)
		}
	}
	for i, p := range fresh.Passages() {
		for j := range p.Sentences {
			fv, err1 := fresh.SentenceVector(ctx, p, j)
			rv, err2 := ix.SentenceVector(ctx, ix.passages[i], j)
			if err1 != nil || err2 != nil || !slices.Equal(fv, rv) {
				t.Fatalf("sentence %d of %s: vector differs from a build from scratch", j, p.ID)
			}
		}
	}
	if !slices.Equal(fresh.sentMatrix.codes, ix.sentMatrix.codes) || !slices.Equal(fresh.sentMatrix.signs, ix.sentMatrix.signs) {
		t.Error("sentence codes differ from a build from scratch")
	}
	for _, q := range []string{"Who cut ties with Iran?", "Which group ran the ransomware campaign against Podgorica?",
		"How long did the diplomats have to leave the country?", "When was the attack on Albania?", "What did the hackers leak?"} {
		want, err := scratch.Search(ctx, q, 5)
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.Search(ctx, q, 5)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Hits) != len(want.Hits) {
			t.Fatalf("%q: %d hits, from scratch %d", q, len(got.Hits), len(want.Hits))
		}
		for i := range want.Hits {
			if got.Hits[i].Passage.ID != want.Hits[i].Passage.ID || got.Hits[i].Score != want.Hits[i].Score {
				t.Errorf("%q: hit %d is %s (%g), from scratch %s (%g)", q, i, got.Hits[i].Passage.ID, got.Hits[i].Score, want.Hits[i].Passage.ID, want.Hits[i].Score)
			}
		}
	}

	// A new process reads the refreshed snapshot as published.
	again, rep2 := openStore(t, corpusDir, filepath.Dir(filepath.Join(s.opts.DataDir, SnapshotFile)), &wordEmbedder{id: "words"})
	if rep2.Embedded != 0 || len(again.Index().Passages()) != len(ix.Passages()) {
		t.Errorf("reopening the refreshed snapshot: %+v", rep2)
	}
}
