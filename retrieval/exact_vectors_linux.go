package retrieval

import (
	"fmt"
	"os"
	"unsafe"

	"golang.org/x/sys/unix"
)

// exactVectors holds an index's exact float32 vectors (the ones chromem's
// documents and the rescoring use) outside the Go heap, in a shared
// mapping of a temporary file that is deleted as soon as it is mapped. The
// scan never reads them, only the few hundred candidates it rescores do,
// so their pages are dropped from the process's resident set as they are
// written: they live in the page cache, which the kernel writes back to
// the file and reclaims under pressure, instead of in memory the process
// must hold (at 100k passages 758 MB of the index's 950 MB).
type exactVectors struct {
	mem      []byte
	floats   []float32
	used     int // floats handed out
	released int // bytes before this were dropped from the resident set
}

// releaseEvery is how many bytes are written between drops of the
// written pages.
const releaseEvery = 16 << 20

func newExactVectors(n int) (*exactVectors, error) {
	if n == 0 {
		return &exactVectors{}, nil
	}
	f, err := os.CreateTemp("", "incidentbot-vectors-*")
	if err != nil {
		return nil, fmt.Errorf("creating the file for the exact vectors: %w", err)
	}
	defer f.Close()
	if err := os.Remove(f.Name()); err != nil {
		return nil, fmt.Errorf("unlinking the file for the exact vectors: %w", err)
	}
	size := n * 4
	if err := f.Truncate(int64(size)); err != nil {
		return nil, fmt.Errorf("sizing the file for the exact vectors (%d MB): %w", size>>20, err)
	}
	mem, err := unix.Mmap(int(f.Fd()), 0, size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		return nil, fmt.Errorf("mapping the file for the exact vectors: %w", err)
	}
	return &exactVectors{mem: mem, floats: unsafe.Slice((*float32)(unsafe.Pointer(&mem[0])), n)}, nil
}

// add stores a copy of v and returns it.
func (e *exactVectors) add(v []float32) []float32 {
	out := e.floats[e.used : e.used+len(v) : e.used+len(v)]
	copy(out, v)
	e.used += len(v)
	if written := e.used * 4; written-e.released >= releaseEvery {
		// Not the page being written: chromem reads the vector next.
		e.drop(e.released, written-os.Getpagesize())
	}
	return out
}

// dropAll drops every page from the resident set (a full exact scan has
// read them all).
func (e *exactVectors) dropAll() { e.drop(0, len(e.mem)) }

// drop drops the whole pages of mem[from:to] from the resident set; their
// contents stay in the page cache and the file.
func (e *exactVectors) drop(from, to int) {
	page := os.Getpagesize()
	from -= from % page
	to -= to % page
	if to <= from {
		return
	}
	if err := unix.Madvise(e.mem[from:to], unix.MADV_DONTNEED); err == nil && from <= e.released {
		e.released = max(e.released, to)
	}
}

// close gives back the file's pages once the index is unreachable. The
// range is mapped again to anonymous zero pages rather than unmapped, so
// that a read through a vector whose index was collected cannot fault the
// process; it costs address space only.
func (e *exactVectors) close() {
	if len(e.mem) == 0 {
		return
	}
	unix.MmapPtr(-1, 0, unsafe.Pointer(&e.mem[0]), uintptr(len(e.mem)), unix.PROT_READ, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS|unix.MAP_FIXED)
}
