package retrieval

import (
	"container/heap"
	"encoding/binary"
	"math"
	"runtime"
	"slices"
	"sort"
)

// A search needs only the best hundred passages and sentences by BM25, and
// the scores of the few hundred passages the vectors find, not the score of
// every doc: at a million passages the query's common words have postings
// of most of the docs, and scoring them all (and clearing the scores
// after) took 60 ms a query, on the core that is meant to be done by the
// time the query is embedded. The top
// docs are found by MaxScore (Turtle and Flood, 1995) with block maxima
// (Ding and Suel, 2011; Chakrabarti et al., 2011): the docs are visited in
// order, only through the postings of the terms that could lift a doc into
// the top on their own ("essential"); the other terms are looked up, by
// skipping through their postings a block at a time, only for a doc whose
// best possible score still beats the k-th best so far. The scores found
// are computed as ScoresWeighted computes them, term by term in the same
// order, so they are the same to the last bit, and so is the top (ties go
// to the lower doc, as Sparse.Top breaks them).

// bm25Block is how many postings a skip block holds: a lookup decodes half
// of one on average.
const bm25Block = 64

// skipBlock describes one block of a term's postings.
type skipBlock struct {
	last uint32 // the block's last doc
	off  uint32 // where its first posting starts, in bytes into the list
	// max is at least f·(k1+1)/(f+norm) of each posting of the block,
	// rounded up: a term's contribution to a doc of the block is at most
	// weight·idf·max (see boundSlack).
	max float32
}

// boundSlack covers the rounding of the bounds: a contribution computed
// in floats can exceed weight·idf·max by a few units in the last place,
// and a sum of them its real sum by a few more. Pruning a doc when its
// bound times boundSlack is still no better than the k-th score only
// spares the docs that cannot beat it; the docs within the slack of it (a
// tie) are scored exactly and compared.
const boundSlack = 1 + 1e-9

// A term in at least one doc of denseShare also has its counts by doc, a
// byte each (denseEscape and above: look in the postings), so a doc's
// count is read at once instead of decoded from the postings before it.
// The top of a query scores thousands of docs in full (every copy of the
// best sentence ties with it, and a tie is only known as one once scored),
// and each looked up the query's common words by decoding their postings
// up to it: most of a million-sentence list, for every query. At that
// share the bytes are at most four times the postings' own (2-3 bytes a
// posting), and a corpus has few such words: at a million synthetic
// passages 42 of the passages' terms and 10 of the sentences', 69 MB
// (beside 166 MB of postings and 15 MB of skip blocks).
const (
	denseShare  = 8
	denseEscape = 255
)

// buildBlocks makes every term's skip blocks and the commonest terms'
// counts by doc (after the postings and norm are final), on every core:
// it reads every posting once.
func (ix *BM25) buildBlocks() {
	terms := make([]string, 0, len(ix.postings))
	for t := range ix.postings {
		terms = append(terms, t)
	}
	// In the order of the postings, so the blocks come out the same on
	// every run.
	sort.Slice(terms, func(i, j int) bool { return ix.postings[terms[i]].off < ix.postings[terms[j]].off })
	total := 0
	ix.dense = nil
	for _, t := range terms {
		pl := ix.postings[t]
		pl.block, pl.dense = uint32(total), 0
		if int(pl.n)*denseShare >= len(ix.docLen) {
			ix.dense = append(ix.dense, make([]uint8, len(ix.docLen)))
			pl.dense = uint32(len(ix.dense))
		}
		ix.postings[t] = pl
		total += blocksOf(pl.n)
	}
	ix.blocks = make([]skipBlock, total)
	workers := runtime.GOMAXPROCS(0)
	onEveryCore(workers, len(terms), func(_, i int) {
		pl := ix.postings[terms[i]]
		data := ix.data[pl.off : pl.off+uint64(pl.size)]
		blocks := ix.blocks[pl.block : int(pl.block)+blocksOf(pl.n)]
		var dense []uint8
		if pl.dense > 0 {
			dense = ix.dense[pl.dense-1]
		}
		pos, doc := 0, 0
		k1 := ix.k1 + 1
		for b := range blocks {
			blocks[b].off = uint32(pos)
			var best float64
			for range min(bm25Block, int(pl.n)-b*bm25Block) {
				gap, k := binary.Uvarint(data[pos:])
				freq, m := binary.Uvarint(data[pos+k:])
				pos += k + m
				doc += int(gap)
				f := float64(freq)
				best = max(best, f*k1/(f+ix.norm[doc]))
				if dense != nil {
					dense[doc] = uint8(min(freq, denseEscape))
				}
			}
			blocks[b].last = uint32(doc)
			blocks[b].max = roundUp32(best * (1 + 1e-12))
		}
	})
}

func blocksOf(n uint32) int { return (int(n) + bm25Block - 1) / bm25Block }

// roundUp32 is the least float32 not below x.
func roundUp32(x float64) float32 {
	f := float32(x)
	if float64(f) < x {
		f = math.Nextafter32(f, float32(math.Inf(1)))
	}
	return f
}

// bm25Query is a query's terms prepared against one index: what scoring
// any doc for it needs.
type bm25Query struct {
	ix    *BM25
	terms []queryTerm // in ScoresWeighted's order: sorted
}

type queryTerm struct {
	wi    float64 // weight·idf, as ScoresWeighted computes it
	list  postingList
	ub    float64 // at least the term's contribution to any doc
	dense []uint8 // the counts by doc, if the term has them
}

// prepare reads weighted terms as ScoresWeighted does; terms the index does
// not have, or that weigh nothing, add nothing.
func (ix *BM25) prepare(terms map[string]float64) *bm25Query {
	order := make([]string, 0, len(terms))
	for t := range terms {
		order = append(order, t)
	}
	sort.Strings(order)
	n := float64(len(ix.docLen))
	q := &bm25Query{ix: ix}
	for _, term := range order {
		pl := ix.postings[term]
		if pl.n == 0 {
			continue
		}
		idf := math.Log(1 + (n-float64(pl.n)+0.5)/(float64(pl.n)+0.5))
		wi := terms[term] * idf
		if !(wi > 0) {
			continue
		}
		var best float32
		for _, b := range ix.blocks[pl.block : int(pl.block)+blocksOf(pl.n)] {
			best = max(best, b.max)
		}
		qt := queryTerm{wi: wi, list: pl, ub: wi * float64(best)}
		if pl.dense > 0 {
			qt.dense = ix.dense[pl.dense-1]
		}
		q.terms = append(q.terms, qt)
	}
	return q
}

// contribution is a term's share of doc's score, computed exactly as
// ScoresWeighted computes it.
func (q *bm25Query) contribution(t int, doc int, freq uint64) float64 {
	f := float64(freq)
	return q.terms[t].wi * f * (q.ix.k1 + 1) / (f + q.ix.norm[doc])
}

// cursor walks one term's postings in doc order.
type cursor struct {
	data   []byte
	blocks []skipBlock
	n      int // postings
	i      int // the current posting
	pos    int // where the next posting starts
	doc    int // the current posting's doc; math.MaxInt when done
	freq   uint64
	// shallow is the block blockMax last found: the targets it is asked
	// for only grow, so it only moves on.
	shallow int
}

func (q *bm25Query) cursor(t int) cursor {
	pl := q.terms[t].list
	c := cursor{
		data:   q.ix.data[pl.off : pl.off+uint64(pl.size)],
		blocks: q.ix.blocks[pl.block : int(pl.block)+blocksOf(pl.n)],
		n:      int(pl.n),
		i:      -1,
	}
	c.doc = 0
	c.next()
	return c
}

// next moves to the next posting.
func (c *cursor) next() {
	c.i++
	if c.i >= c.n {
		c.doc = math.MaxInt
		return
	}
	gap, k := binary.Uvarint(c.data[c.pos:])
	freq, m := binary.Uvarint(c.data[c.pos+k:])
	c.pos += k + m
	c.doc += int(gap)
	c.freq = freq
}

// advance moves to the first posting of a doc ≥ target, skipping the
// blocks that end before it.
func (c *cursor) advance(target int) {
	if c.doc >= target {
		return
	}
	b := c.i / bm25Block
	if int(c.blocks[b].last) < target {
		// The first later block that reaches target.
		rest := c.blocks[b+1:]
		j := sort.Search(len(rest), func(j int) bool { return int(rest[j].last) >= target })
		if j == len(rest) {
			c.i, c.doc = c.n, math.MaxInt
			return
		}
		b += 1 + j
		c.i = b*bm25Block - 1
		c.pos = int(c.blocks[b].off)
		c.doc = int(c.blocks[b-1].last)
		c.next()
	}
	for c.doc < target {
		c.next()
	}
}

// blockMax is the bound of the block in which a doc ≥ target would be
// found, from the current posting on, without decoding (0 past the end).
func (c *cursor) blockMax(target int) float32 {
	b := max(c.shallow, c.i/bm25Block)
	for b < len(c.blocks) && int(c.blocks[b].last) < target {
		b++
	}
	c.shallow = b
	if b == len(c.blocks) {
		return 0
	}
	return c.blocks[b].max
}

// top returns the k best docs, best first, with their scores: what
// ScoresWeighted(terms).Top(k) returns.
func (q *bm25Query) top(k int) []Scored {
	m := len(q.terms)
	if k <= 0 || m == 0 {
		return nil
	}
	curs := make([]cursor, m)
	for t := range curs {
		curs[t] = q.cursor(t)
	}
	// byBound: the terms by their bound, least first; cum[j] bounds what
	// the first j+1 of them can add to a doc together.
	byBound := make([]int, m)
	for t := range byBound {
		byBound[t] = t
	}
	slices.SortStableFunc(byBound, func(a, b int) int {
		switch {
		case q.terms[a].ub < q.terms[b].ub:
			return -1
		case q.terms[a].ub > q.terms[b].ub:
			return 1
		}
		return 0
	})
	cum := make([]float64, m)
	for j, t := range byBound {
		cum[j] = q.terms[t].ub
		if j > 0 {
			cum[j] += cum[j-1]
		}
		cum[j] *= boundSlack
	}
	h := make(worstFirst, 0, k+1)
	theta := math.Inf(-1) // the k-th best score, once there are k
	// The first lazy terms of byBound cannot lift a doc into the top
	// alone: docs are visited through the others' postings only.
	lazy := 0
	contrib := make([]float64, m)
	for {
		doc := math.MaxInt
		for _, t := range byBound[lazy:] {
			doc = min(doc, curs[t].doc)
		}
		if doc == math.MaxInt {
			break
		}
		if lazy > 0 && theta > 0 {
			// Bounded first by the blocks the doc is in: a doc that
			// cannot make the top is passed without computing a
			// contribution (a division, and a read of the doc's norm
			// from wherever it is).
			bound := cum[lazy-1]
			for _, t := range byBound[lazy:] {
				if c := &curs[t]; c.doc == doc {
					bound += q.terms[t].wi * float64(c.blocks[c.i/bm25Block].max)
				}
			}
			if bound*boundSlack <= theta {
				for _, t := range byBound[lazy:] {
					if c := &curs[t]; c.doc == doc {
						c.next()
					}
				}
				continue
			}
		}
		s := 0.0
		for _, t := range byBound[lazy:] {
			if c := &curs[t]; c.doc == doc {
				contrib[t] = q.contribution(t, doc, c.freq)
				s += contrib[t]
				c.next()
			}
		}
		pruned := false
		for j := lazy - 1; j >= 0; j-- {
			if (s+cum[j])*boundSlack <= theta {
				pruned = true
				break
			}
			t := byBound[j]
			if f, ok := q.terms[t].count(doc); ok {
				if f > 0 {
					contrib[t] = q.contribution(t, doc, f)
					s += contrib[t]
				}
				continue
			}
			c := &curs[t]
			if bm := q.terms[t].wi * float64(c.blockMax(doc)); j > 0 && (s+bm+cum[j-1])*boundSlack <= theta || j == 0 && (s+bm)*boundSlack <= theta {
				pruned = true
				break
			}
			c.advance(doc)
			if c.doc == doc {
				contrib[t] = q.contribution(t, doc, c.freq)
				s += contrib[t]
			}
		}
		if !pruned {
			// The score as ScoresWeighted sums it: in term order, from 0.
			score := 0.0
			for _, c := range contrib {
				score += c
			}
			if len(h) < k {
				heap.Push(&h, Scored{doc, score})
			} else if score > theta {
				h[0] = Scored{doc, score}
				heap.Fix(&h, 0)
			}
			if len(h) == k {
				theta = h[0].Score
				for lazy < m && cum[lazy] <= theta {
					lazy++
				}
			}
		}
		clear(contrib)
	}
	return sortedTop(h, k)
}

// worstFirst is a heap of the best k docs so far with the worst on top, by
// better: of equal scores, the higher doc. (A heap by score alone may drop
// either of two equal scores when a better one comes, and the lower doc
// should stay.)
type worstFirst []Scored

func (h worstFirst) Len() int           { return len(h) }
func (h worstFirst) Less(i, j int) bool { return better(h[j], h[i]) }
func (h worstFirst) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *worstFirst) Push(x any)        { *h = append(*h, x.(Scored)) }
func (h *worstFirst) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// count is doc's count of the term if the term has counts by doc (ok),
// 0 when the doc lacks it.
func (t *queryTerm) count(doc int) (f uint64, ok bool) {
	if t.dense == nil || t.dense[doc] == denseEscape {
		return 0, false
	}
	return uint64(t.dense[doc]), true
}

// scores returns the score of each of docs (sorted, ascending), as
// ScoresWeighted computes it (0 for a doc without any of the terms).
func (q *bm25Query) scores(docs []int) []float64 {
	out := make([]float64, len(docs))
	for t := range q.terms {
		c := q.cursor(t)
		for i, d := range docs {
			if f, ok := q.terms[t].count(d); ok {
				if f > 0 {
					out[i] += q.contribution(t, d, f)
				}
				continue
			}
			c.advance(d)
			if c.doc == d {
				out[i] += q.contribution(t, d, c.freq)
			}
		}
	}
	return out
}
