//go:build !unix

package uselite

// frozen is, without mmap, plain heap memory.
type frozen struct{ data []float32 }

func newFrozen(n int) (*frozen, error) { return &frozen{data: make([]float32, n)}, nil }
func (f *frozen) freeze() error        { return nil }
func (f *frozen) release()             {}
