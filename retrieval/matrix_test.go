package retrieval

import (
	"math"
	"math/rand/v2"
	"testing"
)

func randomUnit(rng *rand.Rand, dim int) []float32 {
	v := make([]float32, dim)
	var n float64
	for i := range v {
		x := rng.NormFloat64()
		v[i], n = float32(x), n+x*x
	}
	for i := range v {
		v[i] /= float32(math.Sqrt(n))
	}
	return v
}

// The AVX2 kernels and the portable loops give the same integer dot
// products, of consecutive rows and of listed ones, at the extremes of the codes and for dimensions that are not
// a multiple of 32.
func TestInt8KernelsAgree(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, dim := range []int{16, 48, 512, 100} {
		rows := 37
		codes := make([]int8, rows*dim)
		for i := range codes {
			codes[i] = int8(rng.IntN(255) - 127)
		}
		codes[0] = 127
		q := make([]int16, dim)
		for i := range q {
			q[i] = int16(rng.IntN(65535) - 32767)
		}
		q[0] = -32767
		want, got := make([]int32, rows), make([]int32, rows)
		for r := range want {
			var s int64
			for i := range dim {
				s += int64(codes[r*dim+i]) * int64(q[i])
			}
			want[r] = int32(s)
		}
		dotsInt8(codes, q, got)
		for r := range want {
			if got[r] != want[r] {
				t.Fatalf("dim %d row %d: kernel %d, exact %d", dim, r, got[r], want[r])
			}
		}
		dotsInt8Go(codes, q, got)
		for r := range want {
			if got[r] != want[r] {
				t.Fatalf("dim %d row %d: portable %d, exact %d", dim, r, got[r], want[r])
			}
		}
		// The listed rows, scattered and repeated, as the sign pass's
		// candidates are given.
		rowsList := []int32{36, 0, 5, 5, 17, 2, 30, 31, 1, 36}
		for _, kernel := range []func([]int8, []int32, []int16, []int32){dotsInt8Rows, dotsInt8RowsGo} {
			out := make([]int32, len(rowsList))
			kernel(codes, rowsList, q, out)
			for i, r := range rowsList {
				if out[i] != want[r] {
					t.Fatalf("dim %d listed row %d: %d, exact %d", dim, r, out[i], want[r])
				}
			}
		}
	}
}

// The compact scan returns the rows an exact scan of every float32 vector
// returns, with the exact scores, among near neighbours as well as far.
func TestCompactScanFindsTheExactNearest(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const dim, rows = 512, 20000
	m := newMatrix(dim, rows)
	for range rows {
		m.add(randomUnit(rng, dim))
	}
	// Near duplicates of a few rows, so that the best scores are close.
	base := m.row(7)
	for range 50 {
		v := make([]float32, dim)
		for i := range v {
			v[i] = base[i] + float32(rng.NormFloat64()*0.002)
		}
		m.add(unit(v))
	}
	found, total := 0, 0
	for qi := range 40 {
		q := randomUnit(rng, dim)
		if qi%2 == 0 {
			q = m.row(rng.IntN(m.rows()))
		}
		for _, k := range []int{10, 300} {
			exact := m.exactNearest(q, k, sentenceCosine, func() {})
			got := m.nearest(q, k, sentenceCosine)
			if len(got) != k {
				t.Fatalf("asked for %d, got %d", k, len(got))
			}
			in := checkExactBestFirst(t, m, q, got)
			for _, s := range exact {
				total++
				if in[s.Doc] {
					found++
				}
			}
		}
	}
	if recall := float64(found) / float64(total); recall < 0.999 {
		t.Fatalf("compact scan found %.4f of the exact nearest rows, want ≥ 0.999", recall)
	}
}

// checkExactBestFirst checks that the scan's results carry their exact
// cosines, best first, and returns the rows it found.
func checkExactBestFirst(t *testing.T, m *matrix, q []float32, got []Scored) map[int]bool {
	t.Helper()
	in := map[int]bool{}
	for i, s := range got {
		in[s.Doc] = true
		if s.Score != sentenceCosine(q, m.row(s.Doc)) {
			t.Fatalf("row %d: score %v is not its exact cosine", s.Doc, s.Score)
		}
		if i > 0 && s.Score > got[i-1].Score {
			t.Fatalf("results not best first at %d", i)
		}
	}
	return in
}
