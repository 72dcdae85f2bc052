package openai

import (
	"context"
	"errors"
	"fmt"
	"math"

	goopenai "github.com/sashabaranov/go-openai"
)

// Embedder turns texts into unit-length vectors with a server's embeddings
// endpoint. It is safe for concurrent use.
type Embedder struct {
	conn      *conn
	batchSize int
}

// NewEmbedder checks cfg and returns an Embedder. It makes no request.
func NewEmbedder(cfg Config) (*Embedder, error) {
	c, err := newConn(cfg)
	if err != nil {
		return nil, err
	}
	bs := cfg.BatchSize
	if bs == 0 {
		bs = defaultBatchSize
	}
	return &Embedder{conn: c, batchSize: bs}, nil
}

// ID names the vector space: vectors with different IDs must not be
// compared. The host is part of it because two servers can serve different
// models under one name (an Ollama tag and a vLLM path, say).
func (e *Embedder) ID() string { return "openai:" + e.conn.name() }

// Embed returns one L2-normalised vector per text, in the order of texts,
// sending BatchSize texts per request.
func (e *Embedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	dim := 0
	for start := 0; start < len(texts); start += e.batchSize {
		end := min(start+e.batchSize, len(texts))
		batch := texts[start:end]

		var resp goopenai.EmbeddingResponse
		err := e.conn.do(ctx, "embeddings", func(a attempt) error {
			var err error
			// EmbeddingRequest rather than EmbeddingRequestStrings: the
			// latter always sends "user": "", which some servers reject.
			resp, err = e.conn.client.CreateEmbeddings(a.ctx, goopenai.EmbeddingRequest{
				Input: batch,
				Model: goopenai.EmbeddingModel(e.conn.model),
			})
			return err
		})
		if err != nil {
			return nil, err
		}
		if err := place(out[start:end], resp.Data, &dim); err != nil {
			// A malformed reply is the server's fault, but retrying the
			// same request to the same server will not fix it.
			return nil, e.conn.wrap("embeddings", 1, fmt.Errorf("texts %d-%d: %w", start, end-1, err))
		}
	}
	return out, nil
}

var errBadEmbeddings = errors.New("inconsistent embeddings response")

// place puts each returned vector, normalised, at its index in dst, and
// checks that every text got exactly one vector of dimension *dim (set from
// the first vector seen when 0).
func place(dst [][]float32, data []goopenai.Embedding, dim *int) error {
	if len(data) != len(dst) {
		return fmt.Errorf("%w: %d vectors for %d texts", errBadEmbeddings, len(data), len(dst))
	}
	// Servers may answer out of order; the index field is authoritative.
	for _, d := range data {
		if d.Index < 0 || d.Index >= len(dst) || dst[d.Index] != nil {
			return fmt.Errorf("%w: index %d missing, duplicated or out of range", errBadEmbeddings, d.Index)
		}
		if *dim == 0 {
			*dim = len(d.Embedding)
		}
		if len(d.Embedding) == 0 || len(d.Embedding) != *dim {
			return fmt.Errorf("%w: vector %d has dimension %d, want %d", errBadEmbeddings, d.Index, len(d.Embedding), *dim)
		}
		v, err := normalize(d.Embedding)
		if err != nil {
			return fmt.Errorf("%w: vector %d: %w", errBadEmbeddings, d.Index, err)
		}
		dst[d.Index] = v
	}
	return nil
}

// normalize returns v scaled to unit length, so that a dot product is the
// cosine similarity whatever the server's convention.
func normalize(v []float32) ([]float32, error) {
	var sum float64
	for _, x := range v {
		sum += float64(x) * float64(x)
	}
	if sum == 0 || math.IsNaN(sum) || math.IsInf(sum, 0) {
		return nil, errors.New("zero or non-finite vector")
	}
	inv := 1 / math.Sqrt(sum)
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(float64(x) * inv)
	}
	return out, nil
}
