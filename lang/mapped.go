package lang

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"unsafe"
)

// The pack is 38 MB, and Load used to read it whole and copy every table
// onto the Go heap: 38 MB of garbage and 30 MB live, which the collector
// lets grow to twice that before it collects. Mapped read-only instead
// (mapFile), the tables are views of the file and only the pages a process
// reads are resident; they are clean page-cache pages the kernel can drop
// and read again, not heap the collector must keep room for. The seed
// corpus's process touches a few MB of them.

// littleEndian reports whether this machine stores integers as the pack
// does, so its tables can be read in place.
var littleEndian = binary.NativeEndian.Uint16([]byte{1, 0}) == 1

// readPack opens the pack at path, checks its CRC, and returns its bytes
// (mapped where the system allows, else read) and a function that gives
// back the memory of pages read once and not needed again (nothing where
// the pack was read onto the heap).
func readPack(path string) (data []byte, evict func(b []byte), err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	// The CRC is checked once, at load, and through read calls into a
	// small buffer rather than through the mapping: reading all 38 MB
	// through the mapping would make all of it resident, which is what
	// mapping it avoids. It costs a read of the file from the page cache
	// (a few ms); a lazy check, section by section as each is first used,
	// would let a damaged pack answer wrongly before it is refused.
	if err := checkCRC(f, fi.Size()); err != nil {
		return nil, nil, err
	}
	if data, evict, err := mapFile(f, fi.Size()); err == nil {
		return data, evict, nil
	}
	data = make([]byte, fi.Size())
	if _, err := f.ReadAt(data, 0); err != nil {
		return nil, nil, err
	}
	return data, func([]byte) {}, nil
}

// checkCRC verifies the magic and the CRC-32C of the body of the pack in f
// (size bytes): the format openPack reads.
func checkCRC(f *os.File, size int64) error {
	if size < int64(len(packMagic))+8 {
		return fmt.Errorf("lang: not a language pack (bad magic): %w", errCorrupt)
	}
	head := make([]byte, len(packMagic))
	if _, err := f.ReadAt(head, 0); err != nil || string(head) != packMagic {
		return fmt.Errorf("lang: not a language pack (bad magic): %w", errCorrupt)
	}
	// Another format is reported as such, not as damage (as openPack does).
	var version, tail [4]byte
	if _, err := f.ReadAt(version[:], int64(len(packMagic))); err != nil {
		return err
	}
	if v := binary.LittleEndian.Uint32(version[:]); v != packVersion {
		return &VersionError{Got: int(v), Want: packVersion}
	}
	if _, err := f.ReadAt(tail[:], size-4); err != nil {
		return err
	}
	crc := uint32(0)
	buf := make([]byte, 1<<20)
	body := io.NewSectionReader(f, int64(len(packMagic)), size-4-int64(len(packMagic)))
	for {
		n, err := body.Read(buf)
		crc = crc32.Update(crc, castagnoli, buf[:n])
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
	}
	if crc != binary.LittleEndian.Uint32(tail[:]) {
		return fmt.Errorf("lang: pack checksum mismatch (truncated or damaged file): %w", errCorrupt)
	}
	return nil
}

// view returns b as n values of T read in place when the machine's byte
// order is the pack's and b is aligned for T, else nil (the caller
// copies).
func view[T uint16 | uint32](b []byte, size int) []T {
	if !littleEndian || len(b) == 0 || uintptr(unsafe.Pointer(&b[0]))%uintptr(size) != 0 {
		return nil
	}
	return unsafe.Slice((*T)(unsafe.Pointer(&b[0])), len(b)/size)
}

// bytesOf is the memory of a table, for evict.
func bytesOf[T uint16 | uint32 | float32](v []T) []byte {
	if len(v) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&v[0])), len(v)*int(unsafe.Sizeof(v[0])))
}
