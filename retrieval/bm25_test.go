package retrieval

import (
	"math"
	"strings"
	"testing"
)

// Scores follow Okapi BM25 exactly for every doc, whatever the gaps between
// the docs that share a term and however often a doc repeats it (the
// compact postings store both as varints of one to three bytes).
func TestBM25ScoresAreOkapiAcrossLongLists(t *testing.T) {
	const docs = 40000
	texts := make([]string, docs)
	for i := range texts {
		texts[i] = "ordinary filler words"
	}
	// "ransomware" in docs far apart (gaps of 1, 200 and 20000 docs),
	// once in most, 300 times in one.
	for _, d := range []int{0, 1, 201, 20201, docs - 1} {
		texts[d] += " ransomware attack"
	}
	texts[20201] = strings.Repeat("ransomware ", 300) + "attack"
	ix := NewBM25(texts)

	total := 0
	lens := make([]int, docs)
	for i, t := range texts {
		lens[i] = len(Terms(t))
		total += lens[i]
	}
	avg := float64(total) / docs
	term := Terms("ransomware")[0]
	df := 0
	for _, t := range texts {
		if strings.Contains(t, "ransomware") {
			df++
		}
	}
	idf := math.Log(1 + (docs-float64(df)+0.5)/(float64(df)+0.5))
	got := ix.Scores("ransomware")
	for i, text := range texts {
		f := 0.0
		for _, w := range Terms(text) {
			if w == term {
				f++
			}
		}
		want := 0.0
		if f > 0 {
			want = idf * f * (1.2 + 1) / (f + 1.2*(1-0.6+0.6*float64(lens[i])/avg))
		}
		if math.Abs(got.Get(i)-want) > 1e-12 {
			t.Fatalf("doc %d: score %v, want %v", i, got.Get(i), want)
		}
	}
	if top := got.Top(1); len(top) != 1 || top[0].Doc != 20201 {
		t.Fatalf("the doc that repeats the term 300 times should rank first, got %v", top)
	}
	if ix.IDF(term) != idf {
		t.Errorf("IDF %v, want %v", ix.IDF(term), idf)
	}
}
