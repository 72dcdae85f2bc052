package retrieval

import "context"

// Embedder turns texts into unit-length vectors. The local USE-Lite model and
// OpenAI-compatible servers both satisfy it.
type Embedder interface {
	// ID names the model and where it runs, e.g. "use-lite@0.2.0". An index
	// records it and refuses to be queried with a different one: vectors from
	// two models are not comparable.
	ID() string
	Embed(ctx context.Context, texts []string) ([][]float32, error)
}
