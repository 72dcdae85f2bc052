//go:build !linux

package retrieval

// exactVectors holds an index's exact float32 vectors; elsewhere than on
// Linux, on the Go heap (vector_memory_linux.go keeps them in the page
// cache).
type exactVectors struct {
	floats []float32
	used   int
}

func newExactVectors(n int) (*exactVectors, error) {
	return &exactVectors{floats: make([]float32, n)}, nil
}

func (e *exactVectors) add(v []float32) []float32 {
	out := e.floats[e.used : e.used+len(v) : e.used+len(v)]
	copy(out, v)
	e.used += len(v)
	return out
}

func (e *exactVectors) dropAll() {}

func (e *exactVectors) load(v, _ []float32) []float32 { return v }

func (e *exactVectors) close() {}

func offHeapCodes(n int) ([]int8, func(), error) { return make([]int8, 0, n), func() {}, nil }

func offHeapBytes(n int) ([]byte, func(), error) { return make([]byte, 0, n), func() {}, nil }
