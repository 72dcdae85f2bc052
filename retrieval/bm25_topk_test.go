package retrieval

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"
)

// randomCorpus makes docs of words drawn with Zipf-like frequencies from
// a small vocabulary (so common words have postings of most docs, as the
// synthetic corpora's do), with runs of exact copies (equal scores, which
// the top must break by doc) and docs of very different lengths.
func randomCorpus(rng *rand.Rand, docs, vocab int) []string {
	words := make([]string, vocab)
	for i := range words {
		words[i] = fmt.Sprintf("w%03dx", i)
	}
	zipf := rand.NewZipf(rng, 1.1, 2, uint64(vocab-1))
	texts := make([]string, docs)
	for d := range texts {
		if d > 0 && rng.IntN(4) == 0 {
			texts[d] = texts[rng.IntN(d)] // a copy of an earlier doc
			continue
		}
		n := 1 + rng.IntN(40)
		if rng.IntN(20) == 0 {
			n = 200 + rng.IntN(300)
		}
		ws := make([]string, n)
		for i := range ws {
			ws[i] = words[zipf.Uint64()]
		}
		if rng.IntN(50) == 0 {
			// A common word more often than a count by doc holds
			// (denseEscape).
			ws = append(ws, strings.Fields(strings.Repeat(words[0]+" ", 250+rng.IntN(20)))...)
		}
		texts[d] = strings.Join(ws, " ")
	}
	return texts
}

func randomQuery(rng *rand.Rand, vocab int) map[string]float64 {
	q := map[string]float64{}
	for range 1 + rng.IntN(8) {
		w := Terms(fmt.Sprintf("w%03dx", rng.IntN(vocab)))[0]
		q[w] = []float64{1, 1, 0.6, 0.35, 0.9}[rng.IntN(5)]
	}
	return q
}

// exactTop is the top by the definition: every doc's score from
// ScoresWeighted, all of them sorted (better: of equal scores the lower
// doc), the first k.
func exactTop(ix *BM25, q map[string]float64, k int) []Scored {
	sc := ix.ScoresWeighted(q)
	var all []Scored
	for d := range ix.Len() {
		if s := sc.Get(d); s != 0 {
			all = append(all, Scored{d, s})
		}
	}
	sort.Slice(all, func(i, j int) bool { return better(all[i], all[j]) })
	return all[:min(k, len(all))]
}

func sameTop(t *testing.T, what string, got, want []Scored) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d docs, want %d", what, len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] { // the same doc with the same score to the bit
			t.Fatalf("%s: rank %d is %+v, want %+v", what, i, got[i], want[i])
		}
	}
}

// The pruned top (MaxScore with block maxima) is the exhaustive top: the
// same docs in the same order with the same scores to the last bit, on
// random corpora with common and rare words (some with counts by doc,
// some counts beyond what those hold), copies and long docs, for
// top lists shorter and longer than a skip block and longer than the docs
// that match; so is Sparse.Top, and scores gives ScoresWeighted's score of
// any doc.
func TestPrunedTopIsTheExhaustiveTop(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	escaped := 0
	for round := range 12 {
		docs := []int{50, 900, 5000}[round%3]
		vocab := []int{12, 60, 400}[round/3%3]
		ix := NewBM25(randomCorpus(rng, docs, vocab))
		for _, d := range ix.dense {
			escaped += bytes.Count(d, []byte{denseEscape})
		}
		for qi := range 25 {
			q := randomQuery(rng, vocab)
			prepared := ix.prepare(q)
			for _, k := range []int{1, 10, 100, 1000} {
				what := fmt.Sprintf("round %d (%d docs, %d words) query %d %v, k %d", round, docs, vocab, qi, q, k)
				want := exactTop(ix, q, k)
				sameTop(t, what, prepared.top(k), want)
				sameTop(t, what+" (Sparse.Top)", ix.ScoresWeighted(q).Top(k), want)
			}
			var some []int
			for d := 0; d < docs; d += 1 + rng.IntN(7) {
				some = append(some, d)
			}
			sc := ix.ScoresWeighted(q)
			for i, s := range prepared.scores(some) {
				if s != sc.Get(some[i]) {
					t.Fatalf("round %d query %d doc %d: looked up %v, ScoresWeighted %v", round, qi, some[i], s, sc.Get(some[i]))
				}
			}
		}
	}
	if escaped == 0 {
		t.Fatal("no count beyond what a count by doc holds: the corpora do not test the escape")
	}
}

// A refreshed index's merged postings get skip blocks of their own: its
// pruned top is its exhaustive top.
func TestMergedBM25PrunedTop(t *testing.T) {
	rng := rand.New(rand.NewPCG(33, 34))
	old := randomCorpus(rng, 3000, 80)
	fresh := randomCorpus(rng, 400, 80)
	// Keep every other old doc, then the fresh ones.
	var oldOf []int32
	var texts []string
	for j := 0; j < len(old); j += 2 {
		oldOf = append(oldOf, int32(j))
		texts = append(texts, old[j])
	}
	for i := range fresh {
		oldOf = append(oldOf, -int32(i)-1)
		texts = append(texts, fresh[i])
	}
	merged := mergeBM25(NewBM25(old), NewBM25(fresh), oldOf)
	whole := NewBM25(texts)
	for qi := range 40 {
		q := randomQuery(rng, 80)
		want := exactTop(whole, q, 50)
		sameTop(t, fmt.Sprintf("query %d %v", qi, q), merged.prepare(q).top(50), want)
	}
}
