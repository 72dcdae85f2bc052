package retrieval

import (
	"container/heap"
	"encoding/binary"
	"math"
	"sort"
	"strings"
	"sync"
)

// BM25 is an Okapi BM25 index over a fixed list of texts (the passages).
// Postings are compact: each term's list is a run of varints (the gap to
// the previous doc, then the term's count in the doc) in one shared
// buffer, two to three bytes a posting instead of eight.
type BM25 struct {
	k1, b    float64
	postings map[string]postingList
	data     []byte
	docLen   []uint32
	avgLen   float64
	// norm is each doc's length normalisation, k1·(1 − b + b·len/avg),
	// computed once rather than for each of the hundreds of thousands of
	// postings a query over a large corpus reads.
	norm []float64
	// blocks are the postings' skip blocks (bm25_topk.go), each list's
	// from its postingList.block on; dense the counts of the commonest
	// terms by doc (denseFreq), the list's at postingList.dense-1.
	blocks []skipBlock
	dense  [][]uint8
}

// postingList locates a term's postings in BM25.data.
type postingList struct {
	off  uint64
	size uint32 // bytes
	n    uint32 // docs
	// block is the list's first skip block in BM25.blocks; dense, if not
	// 0, one more than the index of its counts in BM25.dense.
	block, dense uint32
}

// NewBM25 indexes texts; doc i of the index is texts[i].
func NewBM25(texts []string) *BM25 {
	b := newBM25Builder(len(texts))
	for _, t := range texts {
		b.add(t)
	}
	return b.finish()
}

// bm25Builder indexes texts one at a time, so that they need not all be
// held at once.
type bm25Builder struct {
	lists  map[string]*growingList
	counts map[string]uint32 // the current doc's terms, reused
	docLen []uint32
	total  int
}

type growingList struct {
	data    []byte
	n       uint32
	lastDoc uint32
}

func newBM25Builder(docs int) *bm25Builder {
	return &bm25Builder{lists: map[string]*growingList{}, counts: map[string]uint32{}, docLen: make([]uint32, 0, docs)}
}

func (b *bm25Builder) add(text string) { b.addTerms(Terms(text)) }

// addTerms indexes the next doc by its terms (Terms of its text).
func (b *bm25Builder) addTerms(terms []string) {
	doc := uint32(len(b.docLen))
	b.docLen = append(b.docLen, uint32(len(terms)))
	b.total += len(terms)
	clear(b.counts)
	for _, term := range terms {
		b.counts[term]++
	}
	for term, f := range b.counts {
		l := b.lists[term]
		if l == nil {
			l = &growingList{}
			b.lists[term] = l
		}
		gap := doc - l.lastDoc
		if l.n == 0 {
			gap = doc
		}
		l.data = binary.AppendUvarint(l.data, uint64(gap))
		l.data = binary.AppendUvarint(l.data, uint64(f))
		l.n++
		l.lastDoc = doc
	}
}

// finish packs the postings into one buffer of exactly their size.
func (b *bm25Builder) finish() *BM25 {
	ix := &BM25{k1: 1.2, b: 0.6, postings: make(map[string]postingList, len(b.lists)), docLen: b.docLen}
	size := 0
	for _, l := range b.lists {
		size += len(l.data)
	}
	ix.data = make([]byte, 0, size)
	for term, l := range b.lists {
		ix.postings[term] = postingList{off: uint64(len(ix.data)), size: uint32(len(l.data)), n: l.n}
		ix.data = append(ix.data, l.data...)
	}
	if len(b.docLen) > 0 {
		ix.avgLen = float64(b.total) / float64(len(b.docLen))
	}
	ix.norm = make([]float64, len(ix.docLen))
	for doc, n := range ix.docLen {
		ix.norm[doc] = ix.k1 * (1 - ix.b + ix.b*float64(n)/ix.avgLen)
	}
	ix.buildBlocks()
	*b = bm25Builder{}
	return ix
}

// HasWordLike reports whether some indexed term is term, or starts with
// it, or is the start of it, with at least five letters in common, or is
// one letter away from it (apostrophes aside): the index knows "Bektashi"
// when it has "Bektashian", and "Kanani" when it has "Ka'nani".
func (ix *BM25) HasWordLike(term string) bool {
	if ix.postings[term].n > 0 {
		return true
	}
	if len(term) < 5 {
		return false
	}
	bare := strings.ReplaceAll(term, "'", "")
	for t := range ix.postings {
		if len(t) < 5 {
			continue
		}
		if strings.HasPrefix(t, term) || strings.HasPrefix(term, t) {
			return true
		}
		if strings.Contains(t, "'") {
			t = strings.ReplaceAll(t, "'", "")
		}
		if oneEditApart(t, bare) {
			return true
		}
	}
	return false
}

// oneEditApart reports whether a and b differ by at most one inserted,
// deleted or changed byte.
func oneEditApart(a, b string) bool {
	if len(a) < len(b) {
		a, b = b, a
	}
	if len(a)-len(b) > 1 {
		return false
	}
	i := 0
	for i < len(b) && a[i] == b[i] {
		i++
	}
	if len(a) == len(b) {
		return a[i+min(1, len(a)-i):] == b[i+min(1, len(b)-i):]
	}
	return a[i+1:] == b[i:]
}

// Len is the number of indexed texts.
func (ix *BM25) Len() int { return len(ix.docLen) }

// Scores returns the BM25 score of every doc that shares a term with the
// query. Repeated query terms count once.
func (ix *BM25) Scores(query string) *Sparse {
	ws := map[string]float64{}
	for _, t := range Terms(query) {
		ws[t] = 1
	}
	return ix.ScoresWeighted(ws)
}

// ScoresWeighted is Scores for weighted terms: each term's contribution
// is multiplied by its weight.
func (ix *BM25) ScoresWeighted(terms map[string]float64) *Sparse {
	n := float64(len(ix.docLen))
	// In a fixed order, so that sums come out the same on every run.
	order := make([]string, 0, len(terms))
	postings := 0
	for t := range terms {
		order = append(order, t)
		postings += int(ix.postings[t].n)
	}
	sort.Strings(order)
	sc := newSparse(len(ix.docLen), postings)
	for _, term := range order {
		weight := terms[term]
		pl := ix.postings[term]
		if pl.n == 0 {
			continue
		}
		idf := math.Log(1 + (n-float64(pl.n)+0.5)/(float64(pl.n)+0.5))
		// weight·idf·f·(k1+1)/(f+norm), multiplied left to right as it
		// always was, so the scores are the same to the last bit.
		wi, k1 := weight*idf, ix.k1+1
		data := ix.data[pl.off : pl.off+uint64(pl.size)]
		dense, norm := sc.dense, ix.norm
		doc := 0
		for len(data) > 0 {
			gap, k := binary.Uvarint(data)
			freq, m := binary.Uvarint(data[k:])
			data = data[k+m:]
			doc += int(gap)
			f := float64(freq)
			if dense[doc] == 0 {
				sc.touched = append(sc.touched, doc)
			}
			dense[doc] += wi * f * k1 / (f + norm[doc])
		}
	}
	return sc
}

// Top returns the k best docs for query, best first.
func (ix *BM25) Top(query string, k int) []Scored {
	return ix.Scores(query).Top(k)
}

// Sparse holds scores for a few of many docs: a dense array (cheap to add
// into) and the list of docs that have a score.
type Sparse struct {
	dense   []float64
	touched []int
}

// sparsePool keeps the dense arrays between queries: at a million
// passages a query's two are 30 MB, garbage that would have the collector
// mark the whole index every few dozen queries.
var sparsePool sync.Pool

func newSparse(docs, touched int) *Sparse {
	if s, ok := sparsePool.Get().(*Sparse); ok && cap(s.dense) >= docs {
		s.dense = s.dense[:docs]
		if cap(s.touched) < touched {
			s.touched = make([]int, 0, touched)
		}
		return s
	}
	return &Sparse{dense: make([]float64, docs), touched: make([]int, 0, touched)}
}

// release gives s back for another query to reuse; s must not be used
// after.
func (s *Sparse) release() {
	for _, i := range s.touched {
		s.dense[i] = 0
	}
	s.touched = s.touched[:0]
	sparsePool.Put(s)
}

// Get returns doc i's score (0 when it has none).
func (s *Sparse) Get(i int) float64 { return s.dense[i] }

// Max returns the best score.
func (s *Sparse) Max() float64 {
	best := 0.0
	for _, i := range s.touched {
		best = math.Max(best, s.dense[i])
	}
	return best
}

// Top returns the k best docs, best first (of equal scores, the lower
// docs).
func (s *Sparse) Top(k int) []Scored {
	h := make(worstFirst, 0, k+1)
	for _, i := range s.touched {
		x := Scored{i, s.dense[i]}
		if len(h) < k {
			heap.Push(&h, x)
		} else if k > 0 && better(x, h[0]) {
			h[0] = x
			heap.Fix(&h, 0)
		}
	}
	return sortedTop(h, k)
}

// Map returns the scores as a map.
func (s *Sparse) Map() map[int]float64 {
	m := make(map[int]float64, len(s.touched))
	for _, i := range s.touched {
		m[i] = s.dense[i]
	}
	return m
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
	if k < 0 {
		k = len(out)
	}
	return sortedTop(out, k)
}

// better orders scores best first, ties by doc number for stable results.
func better(a, b Scored) bool {
	if a.Score != b.Score {
		return a.Score > b.Score
	}
	return a.Doc < b.Doc
}

func sortedTop(xs []Scored, k int) []Scored {
	sort.Slice(xs, func(i, j int) bool { return better(xs[i], xs[j]) })
	if len(xs) > k {
		xs = xs[:k]
	}
	return xs
}

// IDF is the inverse document frequency of an analysed term (see Terms); 0
// for a term the index has never seen.
func (ix *BM25) IDF(term string) float64 {
	n := int(ix.postings[term].n)
	if n == 0 {
		return 0
	}
	return math.Log(1 + (float64(len(ix.docLen))-float64(n)+0.5)/(float64(n)+0.5))
}
