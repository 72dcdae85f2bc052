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
// store of record), not copies; the codes are a quarter of their size.
// Beside the codes are sign codes, an eighth of their size again
// (signs.go): large matrices are scanned by the signs first, their best
// candidates rescored with the int8 codes, and the best of those with the
// exact vectors, so the scores callers see are exact.
type matrix struct {
	dim    int
	codes  []int8
	scales []float32
	exact  [][]float32
	// signs holds each row's sign code (signBytes(dim) bytes), with the
	// row's 1/‖x‖₁ and number of set bits in invL1 and ones.
	signs   []byte
	invL1   []float32
	ones    []uint16
	rot     signRotation
	rotated []float32 // add's buffer
	// load reads an exact vector into a buffer, or returns it (nil: the
	// vectors are read as they are).
	load func(v, buf []float32) []float32
}

func newMatrix(dim, rows int) *matrix {
	return newMatrixIn(dim, rows, make([]int8, 0, dim*rows), make([]byte, 0, signBytes(dim)*rows))
}

// newMatrixIn makes a matrix of rows vectors whose codes go in codes
// (empty, with room for rows*dim) and sign codes in signs (empty, with
// room for rows*signBytes(dim)).
func newMatrixIn(dim, rows int, codes []int8, signs []byte) *matrix {
	return &matrix{
		dim: dim, codes: codes, scales: make([]float32, 0, rows), exact: make([][]float32, 0, rows),
		signs: signs, invL1: make([]float32, 0, rows), ones: make([]uint16, 0, rows),
		rot: newSignRotation(dim), rotated: make([]float32, dim),
	}
}

// add appends v (a unit vector, which the matrix keeps, not copies) and its
// codes: each component divided by the largest magnitude and scaled to ±127,
// and the signs of its rotation.
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
	m.rot.apply(v, m.rotated)
	var invL1 float32
	var ones uint16
	m.signs, invL1, ones = signCode(m.signs, m.rotated)
	m.invL1 = append(m.invL1, invL1)
	m.ones = append(m.ones, ones)
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

// oversample is how many candidates the int8 codes keep for exact
// rescoring when k are asked for. The codes' error on a cosine is about
// 4e-4 (each component off by at most half a step of max/127), which
// moves a row only a few places in the order near the k-th best: on a
// million random rows (30 queries) the exact top 300 were always within
// the int8 codes' best 334, the exact top 10 within their best 12
// (TestMultiStageScanFindsTheExactNearest checks it on 120k). A quarter
// more and 64 leaves three times that margin (439 for 300) and reads 190
// fewer exact vectors than twice k and 32 did: each read is of a page
// from anywhere in a file of gigabytes, 20-30 µs when the system has
// paged it out (bench's recall_at_10 and
// TestCompactScanFindsTheExactNearest measure what is lost).
func oversample(k int) int { return k + k/4 + 64 }

// keepFirst is how many candidates the sign pass keeps, of n rows, for
// the k nearest: a sixteenth of the rows, and 32 for each of the k and
// 512 more (16 for each of the 2k+32 the int8 codes kept before
// oversample was cut). The signs' estimate is noisy (its error is about
// three quarters of the spread of random vectors' cosines at 512
// dimensions), so a true neighbour can rank far down: on random vectors a
// sixteenth keeps every exact top 10 of 270k rows, and about 95% of the
// top 300 a search asks for (TestMultiStageScanFindsTheExactNearest,
// bench's recall_at_10); a sentence missed there gets the lowest cosine
// found, as any beyond the 300 does. Each candidate costs a read of its
// 512-byte codes from wherever it is, so keeping all of the top 300 (a
// sixth of the rows) would cost most of the time saved. When it is most
// of the matrix, the int8 codes are scanned whole instead.
func keepFirst(n, k int) int { return max(n/16, 32*k+512) }

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
		cand = m.scan(q, k, want)
	}
	buf := make([]float32, m.dim)
	for i := range cand {
		cand[i].Score = exact(q, m.vector(cand[i].Doc, buf))
	}
	return sortedTop(cand, k)
}

// scan returns the want rows whose int8 codes score best against q, in no
// order, with approximate scores: of every row, or, when the matrix is
// large, of the keepFirst(n, k) rows its sign codes estimate best.
func (m *matrix) scan(q []float32, k, want int) []Scored {
	n := m.rows()
	keep := keepFirst(n, k)
	if keep >= n/2 || len(m.signs) == 0 {
		return m.scanCodes(quantizeQuery(q), want, nil, 0)
	}
	buckets := estimates.get(n)
	defer estimates.put(buckets)
	thr := m.scanSigns(q, keep, buckets)
	return m.scanCodes(quantizeQuery(q), want, buckets, thr)
}

// rowsInParallel calls f on ranges of rows [lo, hi), one range per core
// (of at least 2048 rows), and waits for them; w numbers the range.
func rowsInParallel(n int, f func(w, lo, hi int)) int {
	workers := min(runtime.GOMAXPROCS(0), max(1, n/2048))
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f(w, w*n/workers, (w+1)*n/workers)
		}()
	}
	wg.Wait()
	return workers
}

// estBuckets divide the sign estimates' range, [-2, 2), into steps of
// 1/1024 of a cosine, so the keepFirst best are found by counting rather
// than sorting: keeping everything in the bucket where the count is
// reached keeps at most a few hundred more.
const estBuckets = 4096

func estBucket(e float32) int { return min(estBuckets-1, max(0, int((e+2)*1024))) }

// scanSigns writes every row's sign estimate's bucket (estBucket) into
// buckets and returns the bucket from which on the rows are at least keep.
// The buckets, not the estimates, are kept: half the bytes to write and
// read again on every row of the matrix (the int8 pass's test of every
// row waits on memory more than it computes).
func (m *matrix) scanSigns(q []float32, keep int, buckets []uint16) int {
	rotated := make([]float32, m.dim)
	m.rot.apply(q, rotated)
	sq := newSignQuery(rotated)
	nb := signBytes(m.dim)
	hists := make([][estBuckets]uint32, runtime.GOMAXPROCS(0))
	workers := rowsInParallel(m.rows(), func(w, lo, hi int) {
		var sums [scanBlock]uint32
		h := &hists[w]
		for ; lo < hi; lo += scanBlock {
			b := min(scanBlock, hi-lo)
			signSums(m.signs[lo*nb:(lo+b)*nb], sq, sums[:b])
			for j, s := range sums[:b] {
				b := estBucket(sq.estimate(s, m.ones[lo+j], m.invL1[lo+j]))
				buckets[lo+j] = uint16(b)
				h[b]++
			}
		}
	})
	total := 0
	for b := estBuckets - 1; b > 0; b-- {
		for _, h := range hists[:workers] {
			total += int(h[b])
		}
		if total >= keep {
			return b
		}
	}
	return 0
}

// scanCodes returns the k rows whose codes score best against q16, in no
// order, with approximate scores; if buckets is set, only of the rows
// whose sign estimate is in bucket thr or above.
func (m *matrix) scanCodes(q16 []int16, k int, buckets []uint16, thr int) []Scored {
	n := m.rows()
	parts := make([]minHeap, runtime.GOMAXPROCS(0))
	workers := rowsInParallel(n, func(w, lo, hi int) {
		h := make(minHeap, 0, k+1)
		offer := func(r int, d int32) {
			s := float64(float32(d) * m.scales[r])
			if len(h) < k {
				heap.Push(&h, Scored{r, s})
			} else if s > h[0].Score {
				h[0] = Scored{r, s}
				heap.Fix(&h, 0)
			}
		}
		var out [scanBlock]int32
		if buckets != nil {
			var rows [scanBlock]int32
			for r := lo; r < hi; {
				b := 0
				for ; r < hi && b < scanBlock; r++ {
					if int(buckets[r]) >= thr {
						rows[b] = int32(r)
						b++
					}
				}
				dotsInt8Rows(m.codes, rows[:b], q16, out[:b])
				for j, d := range out[:b] {
					offer(int(rows[j]), d)
				}
			}
		} else {
			for ; lo < hi; lo += scanBlock {
				b := min(scanBlock, hi-lo)
				dotsInt8(m.codes[lo*m.dim:(lo+b)*m.dim], q16, out[:b])
				for j, d := range out[:b] {
					offer(lo+j, d)
				}
			}
		}
		parts[w] = h
	})
	all := make([]Scored, 0, k*workers)
	for _, p := range parts[:workers] {
		all = append(all, p...)
	}
	return sortedTop(all, k)
}

// estimates holds the sign estimates' buckets between queries: at a
// million passages one array is 5 MB, garbage the collector would
// otherwise have to chase every few queries.
var estimates bucketPool

type bucketPool struct{ p sync.Pool }

func (bp *bucketPool) get(n int) []uint16 {
	if b, ok := bp.p.Get().(*[]uint16); ok && cap(*b) >= n {
		return (*b)[:n]
	}
	return make([]uint16, n)
}

func (bp *bucketPool) put(b []uint16) { bp.p.Put(&b) }

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
