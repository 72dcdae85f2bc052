//go:build unix

package lang

import (
	"golang.org/x/sys/unix"
	"os"
	"unsafe"
)

// mapFile maps f (size bytes) read-only. evict drops the pages of a part
// of it from the resident set (they stay in the page cache, and are read
// again if touched): for tables the load checks once and lookups then
// touch a little of. The mapping lives as long as the process: a loaded
// pack is never released.
func mapFile(f *os.File, size int64) ([]byte, func([]byte), error) {
	data, err := unix.Mmap(int(f.Fd()), 0, int(size), unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		return nil, nil, err
	}
	page := uintptr(os.Getpagesize())
	evict := func(b []byte) {
		if len(b) == 0 {
			return
		}
		// Whole pages inside b only: a page shared with a neighbouring
		// table may be in use.
		lo := (uintptr(unsafe.Pointer(&b[0])) + page - 1) &^ (page - 1)
		hi := (uintptr(unsafe.Pointer(&b[0])) + uintptr(len(b))) &^ (page - 1)
		if hi <= lo {
			return
		}
		base := uintptr(unsafe.Pointer(&data[0]))
		unix.Madvise(data[lo-base:hi-base], unix.MADV_DONTNEED)
	}
	return data, evict, nil
}
