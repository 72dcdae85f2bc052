package uselite

import (
	"fmt"
	"math"
	"sync"

	"github.com/viterin/vek/vek32"
)

const headMax = hiddenDim / numHeads // the widest attention head

// layer is one pre-norm transformer layer; its matrices are packed for gemm.
type layer struct {
	dim            int // input width: embedDim for layer 0, hiddenDim for layer 1
	ln1Scale       []float32
	ln1Bias        []float32
	qkv            panels // [dim × 3dim]: queries, keys, values side by side
	qkvB           []float32
	out            panels // [dim × hiddenDim]
	outB           []float32
	res            panels // [dim × hiddenDim], layer 0 only: widens the residual
	resB           []float32
	ln2Scale       []float32
	ln2Bias        []float32
	ffn1           panels // [hiddenDim × ffnDim]
	ffn1B          []float32
	ffn2           panels // [ffnDim × hiddenDim]
	ffn2B          []float32
	attentionScale float32
}

// scratch holds every intermediate of one forward pass of up to tokens
// tokens, so that encoding allocates nothing but its result. It is sized
// by the inputs it has met rather than for the longest possible
// (maxTokens): a question of a dozen tokens needs a quarter of the 3.6 MB
// a 128-token passage does, and a process that only embeds questions
// keeps only that.
type scratch struct {
	tokens int       // the longest input it holds
	x      []float32 // layer input, then output, [T × hiddenDim]
	y      []float32 // layer-normed input, [T × dim]
	ap     []float32 // the current left operand, packed for gemm
	qkv    []float32 // [T × 3dim]
	att    []float32 // attention output, heads side by side, [T × dim]
	a      []float32 // after attention and residual, [T × hiddenDim]
	res    []float32 // layer 0's widened residual, [T × hiddenDim]
	h      []float32 // FFN hidden layer, [T × ffnDim]
	pool   []float32 // mean FFN hidden row, [ffnDim]
	mean   []float32 // mean row of a, then the pooled output, [hiddenDim]
	lanes  []*attnScratch
}

// attnScratch is what one goroutine needs to compute attention heads.
type attnScratch struct {
	q, k, p, v []float32 // packed operands
	s          []float32 // scores, then weights, [T × T rounded up to panelCols]
}

// scratchStep is what a scratch's size is rounded up to, in tokens, so that
// a pool of scratches settles after a few inputs of growing length.
const scratchStep = 32

// newScratch returns a scratch for inputs of up to t tokens (rounded up to
// scratchStep, at most maxTokens).
func newScratch(t int) *scratch {
	t = min((max(t, 1)+scratchStep-1)/scratchStep*scratchStep, maxTokens)
	return &scratch{
		tokens: t,
		x:      make([]float32, t*hiddenDim),
		y:      make([]float32, t*hiddenDim),
		ap:     make([]float32, blocksLen(t, ffnDim)),
		qkv:    make([]float32, t*3*hiddenDim),
		att:    make([]float32, t*hiddenDim),
		a:      make([]float32, t*hiddenDim),
		res:    make([]float32, t*hiddenDim),
		h:      make([]float32, t*ffnDim),
		pool:   make([]float32, ffnDim),
		mean:   make([]float32, hiddenDim),
	}
}

func (s *scratch) lane(i int) *attnScratch {
	for len(s.lanes) <= i {
		t := s.tokens
		s.lanes = append(s.lanes, &attnScratch{
			q: make([]float32, blocksLen(t, headMax)),
			k: make([]float32, panelsLen(headMax, t)),
			p: make([]float32, blocksLen(t, t)),
			v: make([]float32, panelsLen(t, headMax)),
			s: make([]float32, t*numPanels(t)*panelCols),
		})
	}
	return s.lanes[i]
}

// encode writes the embedding of ids (at least one, at most s.tokens) to
// out, spreading each matrix multiply over par goroutines. It fails only
// when a token's embedding cannot be read from the shards.
func (m *Model) encode(ids []int, s *scratch, out []float32, par int) error {
	t := len(ids)
	if t > s.tokens {
		panic("uselite: scratch too small for the input")
	}
	// Make sure the lanes exist before any goroutine could race to add them.
	s.lane(min(par, numHeads) - 1)

	x := s.x[:t*embedDim]
	for p, id := range ids {
		row := x[p*embedDim : (p+1)*embedDim]
		if err := m.embeddings.row(id, row); err != nil {
			return fmt.Errorf("reading the embedding of token %d: %w", id, err)
		}
		sig := m.timing[p*embedDim : (p+1)*embedDim]
		for j := range row {
			// The factor 2 is part of the trained graph; leaving it out
			// still gives plausible vectors, just wrong ones.
			row[j] = 2*row[j] + sig[j]
		}
	}

	m.layers[0].forward(s, t, false, par)
	m.layers[1].forward(s, t, true, par)

	// The last layer left the mean over tokens of its output in s.mean.
	gemm(out, hiddenDim, packBlocks(s.ap, s.mean, 1, hiddenDim, hiddenDim, 1), 1, m.outW, m.outB, par)
	var norm float64
	for j := range out {
		v := float32(math.Tanh(float64(out[j])))
		out[j] = v
		norm += float64(v) * float64(v)
	}
	inv := float32(1 / math.Sqrt(max(norm, 1e-12)))
	for j := range out {
		out[j] *= inv
	}
	return nil
}

// forward runs one transformer layer on the t rows of s.x and leaves its
// [t × hiddenDim] output there. With pooled set (the last layer) it leaves
// only the mean over tokens of its output, in s.mean: that is all the final
// layer reads, and because the FFN's second matrix is linear it can then be
// applied once to the mean hidden row instead of to every token, which saves
// a sixth of the model's arithmetic.
func (l *layer) forward(s *scratch, t int, pooled bool, par int) {
	d := l.dim
	x := s.x[:t*d]

	y := s.y[:t*d]
	layerNorm(y, x, l.ln1Scale, l.ln1Bias, d)
	qkv := s.qkv[:t*3*d]
	gemm(qkv, 3*d, packBlocks(s.ap, y, t, d, d, 1), t, l.qkv, l.qkvB, par)
	att := s.att[:t*d]
	l.attention(s, att, qkv, t, par)

	a := s.a[:t*hiddenDim]
	gemm(a, hiddenDim, packBlocks(s.ap, att, t, d, d, 1), t, l.out, l.outB, par)
	if l.res.data != nil {
		res := s.res[:t*hiddenDim]
		gemm(res, hiddenDim, packBlocks(s.ap, x, t, d, d, 1), t, l.res, l.resB, par)
		vek32.Add_Inplace(a, res)
	} else {
		vek32.Add_Inplace(a, x)
	}

	z := s.y[:t*hiddenDim]
	layerNorm(z, a, l.ln2Scale, l.ln2Bias, hiddenDim)
	h := s.h[:t*ffnDim]
	gemm(h, ffnDim, packBlocks(s.ap, z, t, hiddenDim, hiddenDim, 1), t, l.ffn1, l.ffn1B, par)
	vek32.MaximumNumber_Inplace(h, 0)

	if pooled {
		meanRows(s.pool, h, t)
		out := s.mean
		gemm(out, hiddenDim, packBlocks(s.ap, s.pool, 1, ffnDim, ffnDim, 1), 1, l.ffn2, l.ffn2B, par)
		meanA := s.res[:hiddenDim] // free in the last layer
		meanRows(meanA, a, t)
		vek32.Add_Inplace(out, meanA)
		return
	}
	xo := s.x[:t*hiddenDim]
	gemm(xo, hiddenDim, packBlocks(s.ap, h, t, ffnDim, ffnDim, 1), t, l.ffn2, l.ffn2B, par)
	vek32.Add_Inplace(xo, a)
}

// attention computes softmax(q·kᵀ/√headDim)·v for each head from the fused
// qkv rows and writes the heads side by side into att. With par > 1 the
// heads are shared out among goroutines, each with its own scratch lane.
func (l *layer) attention(s *scratch, att, qkv []float32, t, par int) {
	lanes := min(par, numHeads)
	if lanes <= 1 {
		for h := range numHeads {
			l.head(s.lane(0), att, qkv, t, h)
		}
		return
	}
	var wg sync.WaitGroup
	for w := range lanes {
		lane := s.lanes[w]
		wg.Go(func() {
			for h := w; h < numHeads; h += lanes {
				l.head(lane, att, qkv, t, h)
			}
		})
	}
	wg.Wait()
}

func (l *layer) head(ls *attnScratch, att, qkv []float32, t, h int) {
	d := l.dim
	hd := d / numHeads
	stride := 3 * d
	// Queries are scaled while packing, as the reference scales them before
	// the product; keys are packed transposed straight from the qkv rows.
	q := packBlocks(ls.q, qkv[h*hd:], t, hd, stride, l.attentionScale)
	k := packPanels(ls.k, qkv[d+h*hd:], hd, t, 1, stride)
	lds := numPanels(t) * panelCols
	scores := ls.s[:t*lds]
	gemm(scores, lds, q, t, k, nil, 1)
	for i := range t {
		softmax(scores[i*lds : i*lds+t])
	}
	p := packBlocks(ls.p, scores, t, t, lds, 1)
	v := packPanels(ls.v, qkv[2*d+h*hd:], t, hd, stride, 1)
	gemm(att[h*hd:], d, p, t, v, nil, 1)
}

// layerNorm normalises each d-wide row of src to zero mean and unit
// variance, then applies scale and bias, into dst.
func layerNorm(dst, src, scale, bias []float32, d int) {
	inv := 1 / float32(d)
	for r := 0; r < len(src); r += d {
		row, out := src[r:r+d], dst[r:r+d]
		vek32.SubNumber_Into(out, row, vek32.Sum(row)*inv)
		variance := vek32.Dot(out, out) * inv
		vek32.MulNumber_Inplace(out, float32(1/math.Sqrt(float64(variance)+layerNormE)))
		vek32.Mul_Inplace(out, scale)
		vek32.Add_Inplace(out, bias)
	}
}

// softmaxFloor keeps exponents where vek32.Exp is accurate: below about
// -87.5 it returns garbage (even negative numbers) instead of underflowing
// to 0. exp(-87) ≈ 1.6e-38 is as good as 0 next to the row's maximum, 1.
const softmaxFloor = -87

func softmax(row []float32) {
	vek32.SubNumber_Inplace(row, vek32.Max(row))
	vek32.MaximumNumber_Inplace(row, softmaxFloor)
	vek32.Exp_Inplace(row)
	vek32.MulNumber_Inplace(row, 1/vek32.Sum(row))
}

// meanRows sets dst to the mean of the first t rows of src, whose rows are
// len(dst) wide.
func meanRows(dst, src []float32, t int) {
	d := len(dst)
	clear(dst)
	for r := range t {
		vek32.Add_Inplace(dst, src[r*d:(r+1)*d])
	}
	vek32.MulNumber_Inplace(dst, 1/float32(t))
}
