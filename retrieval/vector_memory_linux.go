// The memory of an index's vectors outside the Go heap: the exact vectors
// in the page cache, the scan's codes in an anonymous mapping.

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
// must hold (at 100k passages 722 MB of the index's 1080 MB). Rescoring
// reads them from the file (load).
type exactVectors struct {
	file     *os.File
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
	if err := os.Remove(f.Name()); err != nil {
		f.Close()
		return nil, fmt.Errorf("unlinking the file for the exact vectors: %w", err)
	}
	size := n * 4
	if err := f.Truncate(int64(size)); err != nil {
		f.Close()
		return nil, fmt.Errorf("sizing the file for the exact vectors (%d MB): %w", size>>20, err)
	}
	mem, err := unix.Mmap(int(f.Fd()), 0, size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("mapping the file for the exact vectors: %w", err)
	}
	return &exactVectors{file: f, mem: mem, floats: unsafe.Slice((*float32)(unsafe.Pointer(&mem[0])), n)}, nil
}

// add stores a copy of v and returns it.
func (e *exactVectors) add(v []float32) []float32 {
	out := e.floats[e.used : e.used+len(v) : e.used+len(v)]
	copy(out, v)
	e.wrote(len(v))
	return out
}

// wrote counts n more floats handed out, and drops the pages written
// since the last drop from the resident set every releaseEvery bytes.
func (e *exactVectors) wrote(n int) {
	e.used += n
	if written := e.used * 4; written-e.released >= releaseEvery {
		// Not the page being written: its vector is coded next.
		e.drop(e.released, written-os.Getpagesize())
	}
}

// reserve hands out room for n floats, to be filled by copyRange.
func (e *exactVectors) reserve(n int) []float32 {
	out := e.floats[e.used : e.used+n : e.used+n]
	e.wrote(n)
	return out
}

// copyRange copies the n floats of src from its float off on to e's from
// its float at on. The kernel copies them from file to file
// (copy_file_range), so the previous index's vectors are not read into
// this process's memory to be written out again; through the mappings
// if it cannot.
func (e *exactVectors) copyRange(src *exactVectors, off, at, n int) {
	from, to := int64(off*4), int64(at*4)
	left := n * 4
	for left > 0 {
		k, err := unix.CopyFileRange(int(src.file.Fd()), &from, int(e.file.Fd()), &to, left, 0)
		if err != nil || k <= 0 {
			done := n - left/4
			copy(e.floats[at+done:at+n], src.floats[off+done:off+n])
			return
		}
		left -= k
	}
}

// offsetOf is the float at which v, a vector that add or reserve
// returned, starts.
func (e *exactVectors) offsetOf(v []float32) int {
	return int((uintptr(unsafe.Pointer(&v[0])) - uintptr(unsafe.Pointer(&e.floats[0]))) / 4)
}

// load returns the contents of v, a vector that add returned, read from
// the file into buf rather than through the mapping: a read through the
// mapping maps far more than the page it needs (the kernel faults in the
// memory around it), and a few hundred queries' rescoring would make the
// whole file resident.
func (e *exactVectors) load(v, buf []float32) []float32 {
	if e.file == nil || len(v) == 0 {
		return v
	}
	off := int64(uintptr(unsafe.Pointer(&v[0])) - uintptr(unsafe.Pointer(&e.mem[0])))
	buf = buf[:len(v)]
	if _, err := e.file.ReadAt(unsafe.Slice((*byte)(unsafe.Pointer(&buf[0])), 4*len(buf)), off); err != nil {
		return v // the mapping has the same contents
	}
	return buf
}

// dropAll drops every page from the resident set (a full exact scan, or a
// snapshot's export, has read them all). It leaves the build's count of
// what was dropped alone, so readers of a built index may call it at the
// same time.
func (e *exactVectors) dropAll() {
	if len(e.mem) > 0 {
		unix.Madvise(e.mem, unix.MADV_DONTNEED)
	}
}

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

// close gives back the file's pages once the index is unreachable.
func (e *exactVectors) close() {
	if e.file != nil {
		e.file.Close()
	}
	unmapLate(e.mem)
}

// unmapLate gives back the memory of a mapping. The range is mapped again
// to anonymous zero pages rather than unmapped, so that a read through a
// slice of an index that was collected cannot fault the process; it costs
// address space only.
func unmapLate(mem []byte) {
	if len(mem) == 0 {
		return
	}
	unix.MmapPtr(-1, 0, unsafe.Pointer(&mem[0]), uintptr(len(mem)), unix.PROT_READ, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS|unix.MAP_FIXED)
}

// offHeapCodes returns room for n int8 codes outside the Go heap. They are
// resident like heap memory, but the garbage collector does not count
// them: it lets the heap grow to twice what it holds before collecting,
// and twice the codes (190 MB at 100k passages) is memory the process
// would take for nothing. release gives the memory back.
func offHeapCodes(n int) (codes []int8, release func(), err error) {
	b, release, err := offHeapBytes(n)
	if err != nil || n == 0 {
		return nil, release, err
	}
	return unsafe.Slice((*int8)(unsafe.Pointer(unsafe.SliceData(b))), n)[:0], release, nil
}

// offHeapBytes is offHeapCodes for bytes (the sign codes).
func offHeapBytes(n int) (codes []byte, release func(), err error) {
	if n == 0 {
		return nil, func() {}, nil
	}
	mem, err := unix.Mmap(-1, 0, n, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS)
	if err != nil {
		return nil, nil, fmt.Errorf("mapping %d MB for the scan's codes: %w", n>>20, err)
	}
	// In 2 MB pages where the system allows it (transparent huge pages in
	// "madvise" mode): the int8 rescoring reads rows scattered over the
	// whole matrix (1.4 GB at a million passages), and with 4 KB pages
	// nearly every row read also missed the TLB and walked the page
	// tables: 180 ns a row, 100 ns in huge pages. The codes are written
	// whole as the index is built, so the pages cost no more memory. A
	// refusal (no THP in the kernel) only leaves the small pages.
	_ = unix.Madvise(mem, unix.MADV_HUGEPAGE)
	return mem[:0], func() { unmapLate(mem) }, nil
}
