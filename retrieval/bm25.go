package retrieval

import (
	"math"
	"sort"
)

// BM25 is an Okapi BM25 index over a fixed list of texts (the passages).
type BM25 struct {
	k1, b    float64
	postings map[string][]posting
	docLen   []int
	avgLen   float64
}

type posting struct {
	doc  int32
	freq int32
}

// NewBM25 indexes texts; doc i of the index is texts[i].
func NewBM25(texts []string) *BM25 {
	ix := &BM25{k1: 1.2, b: 0.6, postings: map[string][]posting{}, docLen: make([]int, len(texts))}
	total := 0
	for i, t := range texts {
		terms := Terms(t)
		ix.docLen[i] = len(terms)
		total += len(terms)
		counts := map[string]int32{}
		for _, term := range terms {
			counts[term]++
		}
		for term, f := range counts {
			ix.postings[term] = append(ix.postings[term], posting{doc: int32(i), freq: f})
		}
	}
	if len(texts) > 0 {
		ix.avgLen = float64(total) / float64(len(texts))
	}
	return ix
}

// Len is the number of indexed texts.
func (ix *BM25) Len() int { return len(ix.docLen) }

// Scores returns the BM25 score of every doc that shares a term with the
// query, keyed by doc number. Repeated query terms count once.
func (ix *BM25) Scores(query string) map[int]float64 {
	scores := map[int]float64{}
	seen := map[string]bool{}
	n := float64(len(ix.docLen))
	for _, term := range Terms(query) {
		if seen[term] {
			continue
		}
		seen[term] = true
		plist := ix.postings[term]
		if len(plist) == 0 {
			continue
		}
		idf := math.Log(1 + (n-float64(len(plist))+0.5)/(float64(len(plist))+0.5))
		for _, p := range plist {
			f := float64(p.freq)
			norm := ix.k1 * (1 - ix.b + ix.b*float64(ix.docLen[p.doc])/ix.avgLen)
			scores[int(p.doc)] += idf * f * (ix.k1 + 1) / (f + norm)
		}
	}
	return scores
}

// Top returns the k best docs for query, best first.
func (ix *BM25) Top(query string, k int) []Scored {
	return topK(ix.Scores(query), k)
}

// Scored is a doc number with its score.
type Scored struct {
	Doc   int
	Score float64
}

func topK(scores map[int]float64, k int) []Scored {
	out := make([]Scored, 0, len(scores))
	for d, s := range scores {
		out = append(out, Scored{d, s})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		return out[i].Doc < out[j].Doc
	})
	if k >= 0 && len(out) > k {
		out = out[:k]
	}
	return out
}

// IDF is the inverse document frequency of an analysed term (see Terms); 0
// for a term the index has never seen.
func (ix *BM25) IDF(term string) float64 {
	n := len(ix.postings[term])
	if n == 0 {
		return 0
	}
	return math.Log(1 + (float64(len(ix.docLen))-float64(n)+0.5)/(float64(n)+0.5))
}
