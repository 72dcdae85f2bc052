package retrieval

import (
	"container/heap"
	"math"
	"runtime"
	"sync"
)

// matrix is what a query scans: every vector as int8 codes with a
// per-vector scale, back to back, and beside each row its exact float32
// vector. The exact vectors are the ones chromem's documents hold (the
// store of record), not copies; the codes are a quarter of their size, and
// the scan reads only them: at 270k sentence vectors that is 138 MB a query
// instead of 553 MB. The best candidates of the scan are rescored with the
// exact vectors, so the scores callers see are exact.
type matrix struct {
	dim    int
	codes  []int8
	scales []float32
	exact  [][]float32
	// load reads an exact vector into a buffer, or returns it (nil: the
	// vectors are read as they are).
	load func(v, buf []float32) []float32
}

func newMatrix(dim, rows int) *matrix { return newMatrixIn(dim, rows, make([]int8, 0, dim*rows)) }

// newMatrixIn makes a matrix of rows vectors whose codes go in codes
// (empty, with room for rows*dim).
func newMatrixIn(dim, rows int, codes []int8) *matrix {
	return &matrix{dim: dim, codes: codes, scales: make([]float32, 0, rows), exact: make([][]float32, 0, rows)}
}

// add appends v (a unit vector, which the matrix keeps, not copies) and its
// codes: each component divided by the largest magnitude and scaled to ±127.
func (m *matrix) add(v []float32) {
	var peak float32
	for _, x := range v {
		peak = max(peak, abs32(x))
	}
	scale := peak / 127
	inv := float32(0)
	if peak > 0 {
		inv = 127 / peak
	}
	for _, x := range v {
		m.codes = append(m.codes, int8(math.Round(float64(x*inv))))
	}
	m.scales = append(m.scales, scale)
	m.exact = append(m.exact, v)
}

func abs32(x float32) float32 { return math.Float32frombits(math.Float32bits(x) &^ (1 << 31)) }

func (m *matrix) rows() int { return len(m.exact) }

func (m *matrix) row(i int) []float32 { return m.exact[i] }

// vector returns row i's exact vector, read into buf (of dim floats) if
// the matrix loads them, else the row itself.
func (m *matrix) vector(i int, buf []float32) []float32 {
	if m.load == nil {
		return m.exact[i]
	}
	return m.load(m.exact[i], buf)
}

// quantizeQuery scales q to int16: finer than the rows' int8, so the scan's
// error is the rows' alone.
func quantizeQuery(q []float32) []int16 {
	var peak float32
	for _, x := range q {
		peak = max(peak, abs32(x))
	}
	out := make([]int16, len(q))
	if peak == 0 {
		return out
	}
	inv := 32767 / peak
	for i, x := range q {
		out[i] = int16(math.Round(float64(x * inv)))
	}
	return out
}

// oversample is how many candidates the compact scan keeps for exact
// rescoring when k are asked for. The codes' error on a cosine is about
// 4e-4 (each component off by at most half a step of max/127); the
// exact top k are far more than that apart from the k-th candidate
// beyond them, so twice k (and 32 at least) leaves none out (bench's
// recall_at_10 and TestCompactScanFindsTheExactNearest measure it).
func oversample(k int) int { return 2*k + 32 }

// scanBlock is how many rows one kernel call scores.
const scanBlock = 512

// nearest returns the k rows most similar to q by exact, best first:
// the compact scan finds oversample(k) candidates, exact scores them.
func (m *matrix) nearest(q []float32, k int, exact func(q, v []float32) float64) []Scored {
	n := m.rows()
	k = min(k, n)
	if k <= 0 {
		return nil
	}
	want := min(oversample(k), n)
	var cand []Scored
	if want == n {
		cand = make([]Scored, n)
		for i := range cand {
			cand[i].Doc = i
		}
	} else {
		cand = m.scan(quantizeQuery(q), want)
	}
	buf := make([]float32, m.dim)
	for i := range cand {
		cand[i].Score = exact(q, m.vector(cand[i].Doc, buf))
	}
	return sortedTop(cand, k)
}

// scan returns the k rows whose codes score best against q16, in no
// order, with approximate scores.
func (m *matrix) scan(q16 []int16, k int) []Scored {
	n := m.rows()
	workers := min(runtime.GOMAXPROCS(0), max(1, n/2048))
	parts := make([]minHeap, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h := make(minHeap, 0, k+1)
			var out [scanBlock]int32
			for lo, hi := w*n/workers, (w+1)*n/workers; lo < hi; lo += scanBlock {
				b := min(scanBlock, hi-lo)
				dotsInt8(m.codes[lo*m.dim:(lo+b)*m.dim], q16, out[:b])
				for j, d := range out[:b] {
					s := float64(float32(d) * m.scales[lo+j])
					if len(h) < k {
						heap.Push(&h, Scored{lo + j, s})
					} else if s > h[0].Score {
						h[0] = Scored{lo + j, s}
						heap.Fix(&h, 0)
					}
				}
			}
			parts[w] = h
		}()
	}
	wg.Wait()
	all := make([]Scored, 0, k*workers)
	for _, p := range parts {
		all = append(all, p...)
	}
	return sortedTop(all, k)
}

// exactNearest is nearest by a full exact scan; it measures what the
// compact scan loses (Index.CompactRecall). It calls drop after every
// 8192 rows read.
func (m *matrix) exactNearest(q []float32, k int, exact func(q, v []float32) float64, drop func()) []Scored {
	all := make([]Scored, m.rows())
	for i, v := range m.exact {
		all[i] = Scored{i, exact(q, v)}
		if i%8192 == 8191 {
			drop()
		}
	}
	drop()
	return sortedTop(all, min(k, len(all)))
}

// minHeap keeps the best k scores seen, worst on top.
type minHeap []Scored

func (h minHeap) Len() int           { return len(h) }
func (h minHeap) Less(i, j int) bool { return h[i].Score < h[j].Score }
func (h minHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *minHeap) Push(x any)        { *h = append(*h, x.(Scored)) }
func (h *minHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
