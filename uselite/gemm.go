package uselite

import "sync"

// The dense layers dominate the cost of a forward pass, so they run on a
// small register-blocked matrix multiply instead of a general-purpose one:
// the weights are packed once, at load time, into narrow column strips stored
// row after row, and the activations are packed per call into blocks of
// blockRows rows stored column after column. A micro-kernel then computes one
// blockRows × panelCols tile of the result with every partial sum held in
// registers, streaming both operands sequentially; a panel of weights stays
// in cache while every row block of the activations passes over it.
//
// The general-purpose alternative, github.com/viterin/vek's MatMul (which
// adds one scaled weight row at a time into the output row), reads the whole
// weight matrix from memory once per token: on the full model that ran at
// roughly 30 GFLOP/s per core, against 95 (AVX2) to 175 (AVX-512) here.
//
// The tile is 6 × 32 for AVX-512 and 6 × 16 for AVX2 (and portable Go):
// twelve vector accumulators either way, which leaves registers for the
// operands and enough independent sums to keep both FMA units busy.
const (
	blockRows = 6
	panelCols = 32
)

// kernelKind names a micro-kernel implementation.
type kernelKind int

const (
	kernelGo kernelKind = iota
	kernelAVX2
	kernelAVX512
)

func (k kernelKind) String() string {
	return [...]string{"go", "avx2", "avx512"}[k]
}

// kernel is the micro-kernel in use: the best the CPU supports, chosen at
// start-up. Tests switch it to check each against the others.
var kernel = kernelGo

// panels is a k × n matrix packed for the micro-kernels as strips of
// stripCols columns, each stored as k rows of stripCols floats. The AVX2 and
// Go kernels take one strip per call, the AVX-512 kernel a panel of two
// (strips 2p and 2p+1, streamed side by side); n is padded with zero columns
// to whole panels so that either works on the same packing.
type panels struct {
	k, n int
	data []float32
}

const stripCols = panelCols / 2

func numPanels(n int) int    { return (n + panelCols - 1) / panelCols }
func numBlocks(m int) int    { return (m + blockRows - 1) / blockRows }
func panelsLen(k, n int) int { return numPanels(n) * k * panelCols }
func blocksLen(m, k int) int { return numBlocks(m) * k * blockRows }

// packPanels packs the k × n matrix whose element (i, j) is
// src[i*rowStride + j*colStride]; a transposed source just swaps the strides.
func packPanels(dst, src []float32, k, n, rowStride, colStride int) panels {
	dst = dst[:panelsLen(k, n)]
	for s := range 2 * numPanels(n) {
		out := dst[s*k*stripCols : (s+1)*k*stripCols]
		c0 := s * stripCols
		cols := min(stripCols, n-c0)
		if cols <= 0 { // padding strip
			clear(out)
			continue
		}
		for i := range k {
			row := out[i*stripCols : (i+1)*stripCols]
			base := i*rowStride + c0*colStride
			if colStride == 1 {
				copy(row, src[base:base+cols])
			} else {
				for j := range cols {
					row[j] = src[base+j*colStride]
				}
			}
			clear(row[cols:])
		}
	}
	return panels{k: k, n: n, data: dst}
}

// packBlocks packs the m × k row-major matrix src (row stride lda), times
// scale, for the micro-kernel: block b holds rows [b·blockRows, (b+1)·blockRows)
// column after column. Rows beyond m are zero.
func packBlocks(dst, src []float32, m, k, lda int, scale float32) []float32 {
	dst = dst[:blocksLen(m, k)]
	for b := range numBlocks(m) {
		out := dst[b*k*blockRows : (b+1)*k*blockRows]
		r0 := b * blockRows
		if m-r0 < blockRows {
			packPartialBlock(out, src[r0*lda:], m-r0, k, lda, scale)
			continue
		}
		// Reading six rows side by side writes the block sequentially.
		s0 := src[r0*lda : r0*lda+k]
		s1 := src[(r0+1)*lda : (r0+1)*lda+k]
		s2 := src[(r0+2)*lda : (r0+2)*lda+k]
		s3 := src[(r0+3)*lda : (r0+3)*lda+k]
		s4 := src[(r0+4)*lda : (r0+4)*lda+k]
		s5 := src[(r0+5)*lda : (r0+5)*lda+k]
		for i := range k {
			o := out[i*blockRows : i*blockRows+blockRows : i*blockRows+blockRows]
			o[0], o[1], o[2] = s0[i]*scale, s1[i]*scale, s2[i]*scale
			o[3], o[4], o[5] = s3[i]*scale, s4[i]*scale, s5[i]*scale
		}
	}
	return dst
}

func packPartialBlock(out, src []float32, rows, k, lda int, scale float32) {
	for i := range k {
		o := out[i*blockRows : (i+1)*blockRows]
		for r := range rows {
			o[r] = src[r*lda+i] * scale
		}
		clear(o[rows:])
	}
}

// zeroBias stands in for a missing bias (attention's products, at most
// maxTokens wide).
var zeroBias [4 * 512]float32

// gemm sets the m × b.n matrix c (row stride ldc) to a·b + bias, where a is
// the m × b.k matrix already packed by packBlocks. The product's padding
// columns (up to the next multiple of panelCols) are written too, so ldc must
// leave room for them. With par > 1 the panels are shared out among that many
// goroutines.
func gemm(c []float32, ldc int, a []float32, m int, b panels, bias []float32, par int) {
	k, np := b.k, numPanels(b.n)
	if bias == nil {
		bias = zeroBias[:]
	}
	// The kernels trust these bounds; checking them once here keeps a shape
	// mistake a panic rather than memory corruption.
	if len(a) < blocksLen(m, k) || len(b.data) < np*k*panelCols ||
		len(bias) < np*panelCols || ldc < np*panelCols || len(c) < (m-1)*ldc+np*panelCols || k == 0 {
		panic("uselite: gemm operands too small")
	}
	if par <= 1 || np < 2 {
		gemmPanels(c, ldc, a, m, b, bias, 0, np)
		return
	}
	gemmParallel(c, ldc, a, m, b, bias, min(par, np))
}

// gemmParallel is gemm's parallel path, kept apart so that the serial one,
// the common case, allocates nothing for the goroutines' closures.
func gemmParallel(c []float32, ldc int, a []float32, m int, b panels, bias []float32, par int) {
	np := numPanels(b.n)
	var wg sync.WaitGroup
	for w := 1; w < par; w++ {
		wg.Go(func() { gemmPanels(c, ldc, a, m, b, bias, w*np/par, (w+1)*np/par) })
	}
	gemmPanels(c, ldc, a, m, b, bias, 0, np/par)
	wg.Wait()
}

// gemmPanels computes gemm's result for panels [p0, p1) of b, one kernel
// tile (a strip, or for AVX-512 a whole panel) at a time. Going down all the
// row blocks before moving on keeps that tile's weights in the L1 cache.
func gemmPanels(c []float32, ldc int, a []float32, m int, b panels, bias []float32, p0, p1 int) {
	k, w := b.k, kernelCols()
	var tile [blockRows * panelCols]float32
	for g := p0 * panelCols / w; g < p1*panelCols/w; g++ {
		bg := b.data[g*k*w:]
		bi := bias[g*w:]
		for blk := range numBlocks(m) {
			ab := a[blk*k*blockRows:]
			r0 := blk * blockRows
			if rows := m - r0; rows < blockRows {
				// The kernel writes whole tiles: stage a ragged one.
				microKernel(k, ab, bg, tile[:], w, bi)
				for r := range rows {
					copy(c[(r0+r)*ldc+g*w:(r0+r)*ldc+(g+1)*w], tile[r*w:])
				}
				continue
			}
			microKernel(k, ab, bg, c[r0*ldc+g*w:], ldc, bi)
		}
	}
}

// kernelCols is the width of the tile the current kernel computes.
func kernelCols() int {
	if kernel == kernelAVX512 {
		return panelCols
	}
	return stripCols
}

// microKernelGo computes one blockRows × stripCols tile from a packed block a
// and strip b: c[r*ldc+j] = bias[j] + Σ_i a[i*blockRows+r]·b[i*stripCols+j].
// It is the portable fallback and the specification of the assembly kernels.
func microKernelGo(k int, a, b, c []float32, ldc int, bias []float32) {
	var acc [blockRows][stripCols]float32
	for r := range acc {
		copy(acc[r][:], bias[:stripCols])
	}
	a = a[:k*blockRows]
	b = b[:k*stripCols]
	for i := range k {
		ai := a[i*blockRows : (i+1)*blockRows]
		bi := b[i*stripCols : (i+1)*stripCols]
		for r := range blockRows {
			ar := ai[r]
			row := &acc[r]
			for j := range stripCols {
				row[j] += ar * bi[j]
			}
		}
	}
	for r := range acc {
		copy(c[r*ldc:r*ldc+stripCols], acc[r][:])
	}
}
