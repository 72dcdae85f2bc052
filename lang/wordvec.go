package lang

import (
	"container/heap"
	"math"
	"sort"
	"strings"
	"unicode"
)

// Word vectors: GloVe 100-d, L2-normalised and stored as int8 with one
// float32 per vector (see Meta().Quant for the measured error: each stored
// vector is within 1e-4 of cosine 1 with the float32 JSON, and cosines
// between words agree to 7e-4 on average, 5e-3 at worst). int8 halves the
// size of float16 for an error far below what separates GloVe neighbours.

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

const (
	// compoundMinPart and compoundMaxRank limit the parts of a closed
	// compound that vectorOf splits: each at least three letters and among
	// the 30,000 most frequent GloVe words, so that a name or a typo is not
	// read as two short rare tokens.
	compoundMinPart = 3
	compoundMaxRank = 30000
)

// compound returns the parts of w, a word without a vector of its own, as
// a closed or hyphenated compound of words that have one (cyberattack →
// cyber + attack; ransom-seeking → ransom + seeking), or nil. Of several
// splits it takes the one whose rarer part is the most frequent.
func (r *Resources) compound(w string) []int {
	if strings.Contains(w, "-") {
		var rows []int
		for _, part := range strings.Split(w, "-") {
			row, ok := r.rowOf(part)
			if !ok {
				return nil
			}
			rows = append(rows, row)
		}
		return rows
	}
	var best []int
	bestRank := compoundMaxRank + 1
	for i := compoundMinPart; i+compoundMinPart <= len(w); i++ {
		a, b := w[:i], w[i:]
		ra, rb := r.Rank(a), r.Rank(b)
		if ra == 0 || rb == 0 || max(ra, rb) >= bestRank {
			continue
		}
		rowA, okA := r.rowOf(a)
		rowB, okB := r.rowOf(b)
		if okA && okB {
			best, bestRank = []int{rowA, rowB}, max(ra, rb)
		}
	}
	return best
}

// vectorOf returns word's unit vector: its row's (see rowOf), else the
// normalised sum of the rows of its compound parts; nil if neither.
func (r *Resources) vectorOf(word string) []float32 {
	w := normWord(word)
	if row, ok := r.rowOf(w); ok {
		return r.rowFloat(row, nil)
	}
	parts := r.compound(w)
	if len(parts) == 0 {
		return nil
	}
	sum := make([]float32, r.dims)
	for _, row := range parts {
		r.rowFloat(row, sum)
	}
	var n float64
	for _, x := range sum {
		n += float64(x) * float64(x)
	}
	if n == 0 {
		return nil
	}
	inv := float32(1 / math.Sqrt(n))
	for i := range sum {
		sum[i] *= inv
	}
	return sum
}

// rowFloat adds row's unit vector to acc (allocated if nil) and returns it.
func (r *Resources) rowFloat(row int, acc []float32) []float32 {
	if acc == nil {
		acc = make([]float32, r.dims)
	}
	s := r.rowScale[row]
	for i, b := range r.rowVec(row) {
		acc[i] += float32(int8(b)) * s
	}
	return acc
}

// Vector returns the unit-length GloVe vector of word, or nil if it has
// none. A word without a vector of its own takes that of its first base
// form that has one (Lemmas), or else, for a compound of two frequent
// words, the normalised sum of theirs (cyberattack, which GloVe ranks
// 124,333rd, beyond the vectors kept). The slice is the caller's.
func (r *Resources) Vector(word string) []float32 {
	v, ok := r.cache.vectors.Get(word)
	if !ok {
		v = r.vectorOf(word)
		r.cache.vectors.Add(word, v)
	}
	if v == nil {
		return nil
	}
	return append([]float32(nil), v...)
}

// Similarity is the cosine similarity of the two words' vectors (see
// Vector), in [-1, 1]; 0 if either has none.
func (r *Resources) Similarity(a, b string) float64 {
	ra, ok1 := r.rowOf(a)
	rb, ok2 := r.rowOf(b)
	if ok1 && ok2 {
		return max(-1, min(1, r.dot(ra, rb)))
	}
	va, vb := r.vectorOf(a), r.vectorOf(b)
	if va == nil || vb == nil {
		return 0
	}
	var d float64
	for i := range va {
		d += float64(va[i]) * float64(vb[i])
	}
	return max(-1, min(1, d))
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

// Nearest returns the k words most similar to word (see Vector) among the
// Frequent most frequent GloVe words (100,000 by default), best first,
// leaving out the word itself and tokens without a letter (punctuation). It
// scans every one of those vectors: a few milliseconds.
func (r *Resources) Nearest(word string, k int) []Neighbor {
	if k <= 0 {
		return nil
	}
	self := -1
	var score func(row int) float64
	if q, ok := r.rowOf(word); ok {
		self = q
		qv, qs := r.rowVec(q), float64(r.rowScale[q])
		score = func(row int) float64 {
			return float64(dotInt8(qv, r.rowVec(row))) * float64(r.rowScale[row]) * qs
		}
	} else if v := r.vectorOf(word); v != nil {
		score = func(row int) float64 {
			var d float32
			for i, b := range r.rowVec(row) {
				d += v[i] * float32(int8(b))
			}
			return float64(d) * float64(r.rowScale[row])
		}
	} else {
		return nil
	}
	h := &neighborHeap{}
	for row := 0; row < r.meta.Frequent; row++ {
		if row == self {
			continue
		}
		sim := score(row)
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
		out = append(out, Neighbor{Word: r.term(r.rowTerm[s.row]), Similarity: s.sim})
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
