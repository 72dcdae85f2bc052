//go:build unix

package uselite

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// frozen is memory outside the Go heap, written once and then made
// read-only: the collector neither scans it nor counts it, so it does not
// let the heap grow by its size (GOGC), and a stray write faults instead
// of corrupting the weights.
type frozen struct {
	mem  []byte
	data []float32
}

func newFrozen(n int) (*frozen, error) {
	if n == 0 {
		return &frozen{}, nil
	}
	mem, err := unix.Mmap(-1, 0, n*4, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANON)
	if err != nil {
		return nil, err
	}
	return &frozen{mem: mem, data: floatsOf(mem)}, nil
}

func (f *frozen) freeze() error {
	if f.mem == nil {
		return nil
	}
	return unix.Mprotect(f.mem, unix.PROT_READ)
}

func (f *frozen) release() {
	if f.mem != nil {
		unix.Munmap(f.mem)
		f.mem, f.data = nil, nil
	}
}

// floatsOf is b (aligned for floats, as a mapping is) as floats.
func floatsOf(b []byte) []float32 {
	if len(b) == 0 {
		return nil
	}
	return unsafe.Slice((*float32)(unsafe.Pointer(&b[0])), len(b)/4)
}
