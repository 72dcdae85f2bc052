package retrieval

import (
	"math"
	"math/rand/v2"
	"testing"
)

// The rotation is a rotation: it keeps lengths and dot products, so the
// signs of a rotated vector describe the vector itself.
func TestSignRotationKeepsDotProducts(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, dim := range []int{512, 64, 100} {
		r := newSignRotation(dim)
		a, b := randomUnit(rng, dim), randomUnit(rng, dim)
		ra, rb := make([]float32, dim), make([]float32, dim)
		r.apply(a, ra)
		r.apply(b, rb)
		if got, want := dot(ra, rb), dot(a, b); math.Abs(got-want) > 1e-5 {
			t.Fatalf("dim %d: rotated dot %v, dot %v", dim, got, want)
		}
		if got := dot(ra, ra); math.Abs(got-1) > 1e-5 {
			t.Fatalf("dim %d: rotated length² %v", dim, got)
		}
	}
}

// The kernels (assembly for 512 dimensions, portable) give the sum a plain loop over the bits gives, and the
// estimate from it is RaBitQ's <q, s>/‖x‖₁ computed in floats (up to the
// query's quantization), for dimensions that are not a multiple of 64 too.
func TestSignKernelAgreesWithPlainLoop(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for _, dim := range []int{512, 500, 100, 8} {
		const rows = 41
		var codes []byte
		var inv []float32
		var ones []uint16
		vs := make([][]float32, rows)
		for r := range rows {
			vs[r] = randomUnit(rng, dim)
			if r == 0 {
				for i := range vs[r] {
					vs[r][i] = float32(math.Abs(float64(vs[r][i]))) // every bit set
				}
			}
			var l1 float32
			var o uint16
			codes, l1, o = signCode(codes, vs[r])
			inv, ones = append(inv, l1), append(ones, o)
		}
		q := randomUnit(rng, dim)
		sq := newSignQuery(q)
		got, portable := make([]uint32, rows), make([]uint32, rows)
		signSums(codes, sq, got)
		signSumsGo(codes, sq, portable)
		nb := signBytes(dim)
		for r := range rows {
			var want uint32
			var exact, l1 float64
			for i := range dim {
				u := uint32(math.Round(float64((q[i] - sq.lo) / sq.step)))
				s := -1.0
				if codes[r*nb+i/8]>>(i%8)&1 == 1 {
					want += u
					s = 1
				}
				if (vs[r][i] > 0) != (s > 0) {
					t.Fatalf("dim %d row %d: bit %d is not the sign of %v", dim, r, i, vs[r][i])
				}
				exact += float64(q[i]) * s
				l1 += math.Abs(float64(vs[r][i]))
			}
			if got[r] != want || portable[r] != want {
				t.Fatalf("dim %d row %d: kernel %d, portable %d, plain loop %d", dim, r, got[r], portable[r], want)
			}
			est := float64(sq.estimate(got[r], ones[r], inv[r]))
			// Each component of q is off by at most half a step.
			if tol := float64(sq.step)/2*float64(dim)/l1 + 1e-4; math.Abs(est-exact/l1) > tol {
				t.Fatalf("dim %d row %d: estimate %v, <q,s>/‖x‖₁ %v", dim, r, est, exact/l1)
			}
		}
	}
}

// On random vectors (where the signs are least informative, every
// component alike), the int8 codes lose none of the exact top k they are
// asked to keep oversample(k) candidates for, and the three passes —
// signs, int8 codes, exact vectors — find the exact top 10 (what bench's recall_at_10 measures on the
// synthetic corpora), and most of the top 300 a search asks for, at a size
// where the sign pass is used.
func TestMultiStageScanFindsTheExactNearest(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	const dim, rows = 512, 120000
	m := newMatrix(dim, rows)
	for range rows {
		m.add(randomUnit(rng, dim))
	}
	for _, k := range []int{10, 300} {
		if keepFirst(rows, k) >= rows/2 {
			t.Fatalf("k %d: the sign pass is not used at %d rows", k, rows)
		}
	}
	found := map[int]int{}
	total := map[int]int{}
	firstMissed := rows // the best exact rank a scan missed
	for qi := range 12 {
		q := randomUnit(rng, dim)
		if qi%3 == 0 {
			q = m.row(rng.IntN(rows)) // a row of the matrix: its own nearest
		}
		for _, k := range []int{10, 300} {
			exact := m.exactNearest(q, k, sentenceCosine, func() {})
			// The int8 codes alone, over every row, keep every one of
			// the exact top k among their oversample(k) best.
			kept := map[int]bool{}
			for _, s := range m.scanCodes(quantizeQuery(q), oversample(k), nil, 0) {
				kept[s.Doc] = true
			}
			for rank, s := range exact {
				if !kept[s.Doc] {
					t.Fatalf("query %d, k %d: the int8 codes' best %d miss the exact rank %d", qi, k, oversample(k), rank)
				}
			}
			got := m.nearest(q, k, sentenceCosine)
			in := checkExactBestFirst(t, m, q, got)
			for rank, s := range exact {
				total[k]++
				if in[s.Doc] {
					found[k]++
				} else {
					firstMissed = min(firstMissed, rank)
				}
			}
		}
	}
	t.Logf("best exact rank missed: %d", firstMissed)
	for k, min := range map[int]float64{10: 0.99, 300: 0.93} {
		if recall := float64(found[k]) / float64(total[k]); recall < min {
			t.Errorf("top %d: the multi-stage scan found %.4f of the exact nearest rows, want ≥ %.2f", k, recall, min)
		} else {
			t.Logf("top %d: recall %.4f", k, recall)
		}
	}
}
