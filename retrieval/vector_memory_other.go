//go:build !linux

package retrieval

import "unsafe"

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

// reserve hands out room for n floats, to be filled by copyRange.
func (e *exactVectors) reserve(n int) []float32 {
	out := e.floats[e.used : e.used+n : e.used+n]
	e.used += n
	return out
}

// copyRange copies the n floats of src from its float off on to e's from
// its float at on.
func (e *exactVectors) copyRange(src *exactVectors, off, at, n int) {
	copy(e.floats[at:at+n], src.floats[off:off+n])
}

// offsetOf is the float at which v, a vector that add or reserve
// returned, starts.
func (e *exactVectors) offsetOf(v []float32) int {
	return int((uintptr(unsafe.Pointer(&v[0])) - uintptr(unsafe.Pointer(&e.floats[0]))) / 4)
}

func (e *exactVectors) dropAll() {}

func (e *exactVectors) load(v, _ []float32) []float32 { return v }

func (e *exactVectors) close() {}

func offHeapCodes(n int) ([]int8, func(), error) { return make([]int8, 0, n), func() {}, nil }

func offHeapBytes(n int) ([]byte, func(), error) { return make([]byte, 0, n), func() {}, nil }
