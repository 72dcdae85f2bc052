package lang

import (
	"container/heap"
	"sort"
	"unicode"
)

// Word vectors: GloVe 100-d, L2-normalised and stored as int8 with one
// float32 per vector (see Meta().Quant for the measured error: cosines agree
// with the float32 JSON to about 1e-3, at worst 5e-3).

// Neighbor is a word and its cosine similarity to the query of Nearest.
type Neighbor struct {
	Word       string
	Similarity float64
}

// rowOf returns the vector row of word. A word without a vector of its own
// falls back on its first base form (Lemmas) that has one, so rare
// inflections of kept lemmas still have a vector.
func (r *Resources) rowOf(word string) (int, bool) {
	w := normWord(word)
	if t, ok := r.lookup(w); ok && r.termRow[t] != 0 {
		return int(r.termRow[t] - 1), true
	}
	for _, l := range r.lemmas(w) {
		if t, ok := r.lookup(l); ok && r.termRow[t] != 0 {
			return int(r.termRow[t] - 1), true
		}
	}
	return 0, false
}

func (r *Resources) rowVec(row int) []byte {
	return r.vecs[row*r.dims : (row+1)*r.dims]
}

// dot is the cosine of two rows: their int8 dot product, rescaled.
func (r *Resources) dot(a, b int) float64 {
	va, vb := r.rowVec(a), r.rowVec(b)
	return float64(dotInt8(va, vb)) * float64(r.rowScale[a]) * float64(r.rowScale[b])
}

func dotInt8(a, b []byte) int32 {
	b = b[:len(a)]
	var s0, s1, s2, s3 int32
	i := 0
	for ; i+4 <= len(a); i += 4 {
		s0 += int32(int8(a[i])) * int32(int8(b[i]))
		s1 += int32(int8(a[i+1])) * int32(int8(b[i+1]))
		s2 += int32(int8(a[i+2])) * int32(int8(b[i+2]))
		s3 += int32(int8(a[i+3])) * int32(int8(b[i+3]))
	}
	for ; i < len(a); i++ {
		s0 += int32(int8(a[i])) * int32(int8(b[i]))
	}
	return s0 + s1 + s2 + s3
}

// Vector returns the unit-length GloVe vector of word, or nil if the word
// (and every base form of it) has no vector in the pack. The slice is the
// caller's.
func (r *Resources) Vector(word string) []float32 {
	row, ok := r.rowOf(word)
	if !ok {
		return nil
	}
	out := make([]float32, r.dims)
	s := r.rowScale[row]
	for i, b := range r.rowVec(row) {
		out[i] = float32(int8(b)) * s
	}
	return out
}

// Similarity is the cosine similarity of the two words' vectors, in [-1, 1];
// 0 if either has none.
func (r *Resources) Similarity(a, b string) float64 {
	ra, ok1 := r.rowOf(a)
	rb, ok2 := r.rowOf(b)
	if !ok1 || !ok2 {
		return 0
	}
	return max(-1, min(1, r.dot(ra, rb)))
}

// Rank is word's GloVe frequency rank (1 is the most frequent word, "the");
// 0 if the word is not in the GloVe vocabulary. Every one of the 341,479
// GloVe words has its rank, not only those that keep a vector.
func (r *Resources) Rank(word string) int {
	t, ok := r.lookup(normWord(word))
	if !ok {
		return 0
	}
	return int(r.termRank[t])
}

// Nearest returns the k words most similar to word among the Frequent most
// frequent GloVe words (100,000 by default), best first, leaving out the word
// itself and tokens without a letter (punctuation). It scans every one of
// those vectors: a few milliseconds.
func (r *Resources) Nearest(word string, k int) []Neighbor {
	q, ok := r.rowOf(word)
	if !ok || k <= 0 {
		return nil
	}
	qv := r.rowVec(q)
	h := &neighborHeap{}
	for row := 0; row < r.meta.Frequent; row++ {
		if row == q {
			continue
		}
		d := dotInt8(qv, r.rowVec(row))
		sim := float64(d) * float64(r.rowScale[row])
		if h.Len() == k && sim <= (*h)[0].sim {
			continue
		}
		if !hasLetter(r.term(r.rowTerm[row])) {
			continue
		}
		if h.Len() == k {
			(*h)[0] = scored{row, sim}
			heap.Fix(h, 0)
		} else {
			heap.Push(h, scored{row, sim})
		}
	}
	out := make([]Neighbor, 0, h.Len())
	for _, s := range *h {
		out = append(out, Neighbor{Word: r.term(r.rowTerm[s.row]), Similarity: s.sim * float64(r.rowScale[q])})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Similarity > out[j].Similarity })
	return out
}

func hasLetter(s string) bool {
	for _, c := range s {
		if unicode.IsLetter(c) {
			return true
		}
	}
	return false
}

type scored struct {
	row int
	sim float64
}

// neighborHeap is a min-heap on similarity: the root is the worst kept.
type neighborHeap []scored

func (h neighborHeap) Len() int           { return len(h) }
func (h neighborHeap) Less(i, j int) bool { return h[i].sim < h[j].sim }
func (h neighborHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *neighborHeap) Push(x any)        { *h = append(*h, x.(scored)) }
func (h *neighborHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
