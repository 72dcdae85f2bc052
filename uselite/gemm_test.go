package uselite

import (
	"math"
	"math/rand/v2"
	"testing"
)

// naiveMatMul is the obvious triple loop, in float64, as the yardstick.
func naiveMatMul(a, b, bias []float32, m, k, n int) []float64 {
	c := make([]float64, m*n)
	for i := range m {
		for j := range n {
			s := 0.0
			if bias != nil {
				s = float64(bias[j])
			}
			for l := range k {
				s += float64(a[i*k+l]) * float64(b[l*n+j])
			}
			c[i*n+j] = s
		}
	}
	return c
}

func randSlice(r *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = r.Float32()*2 - 1
	}
	return s
}

// TestGemm checks the packed multiply, on both the assembly and the portable
// micro-kernel, on shapes with ragged edges in every dimension.
func TestGemm(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	defer func(saved kernelKind) { kernel = saved }(kernel)
	for _, kk := range availableKernels() {
		kernel = kk
		for _, s := range [][3]int{{1, 1, 32}, {6, 7, 16}, {7, 64, 90}, {86, 96, 160}, {13, 129, 33}, {128, 3, 5}, {12, 2, 64}} {
			m, k, n := s[0], s[1], s[2]
			a, b, bias := randSlice(r, m*k), randSlice(r, k*n), randSlice(r, n+panelCols)
			want := naiveMatMul(a, b, bias, m, k, n)
			for _, par := range []int{1, 3} {
				ldc := numPanels(n) * panelCols
				c := make([]float32, m*ldc)
				bp := packPanels(make([]float32, panelsLen(k, n)), b, k, n, n, 1)
				ap := packBlocks(make([]float32, blocksLen(m, k)), a, m, k, k, 1)
				gemm(c, ldc, ap, m, bp, bias, par)
				for i := range m {
					for j := range n {
						if d := math.Abs(float64(c[i*ldc+j]) - want[i*n+j]); d > 1e-4 {
							t.Fatalf("kernel %v, shape %v, par %d: c[%d,%d] = %v, want %v", kk, s, par, i, j, c[i*ldc+j], want[i*n+j])
						}
					}
				}
			}
		}
	}
}

// TestPackTransposed checks packing from a transposed source, as attention
// does with the keys.
func TestPackTransposed(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	m, k, n := 9, 20, 21
	a, bt := randSlice(r, m*k), randSlice(r, n*k) // bt is b transposed: n × k
	b := make([]float32, k*n)
	for i := range k {
		for j := range n {
			b[i*n+j] = bt[j*k+i]
		}
	}
	want := naiveMatMul(a, b, nil, m, k, n)
	ldc := numPanels(n) * panelCols
	c := make([]float32, m*ldc)
	gemm(c, ldc, packBlocks(make([]float32, blocksLen(m, k)), a, m, k, k, 1), m,
		packPanels(make([]float32, panelsLen(k, n)), bt, k, n, 1, k), nil, 1)
	for i := range m {
		for j := range n {
			if d := math.Abs(float64(c[i*ldc+j]) - want[i*n+j]); d > 1e-4 {
				t.Fatalf("c[%d,%d] = %v, want %v", i, j, c[i*ldc+j], want[i*n+j])
			}
		}
	}
}

// BenchmarkGemm times the FFN's first multiply for an 86-token passage on
// each micro-kernel.
func BenchmarkGemm(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	m, k, n := 86, 512, 1536
	a, w := randSlice(r, m*k), randSlice(r, k*n)
	bp := packPanels(make([]float32, panelsLen(k, n)), w, k, n, n, 1)
	ap := make([]float32, blocksLen(m, k))
	c := make([]float32, m*n)
	defer func(saved kernelKind) { kernel = saved }(kernel)
	for _, kk := range availableKernels() {
		b.Run(kk.String(), func(b *testing.B) {
			kernel = kk
			for b.Loop() {
				packBlocks(ap, a, m, k, k, 1)
				gemm(c, n, ap, m, bp, nil, 1)
			}
			b.ReportMetric(float64(b.N)*float64(2*m*k*n)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}
