package lang

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"math"
	"unsafe"
)

// The pack is one little-endian binary file, models/lang/lang.bin:
//
//	magic "IBLANGPK" | uint32 format version | sections... | uint32 CRC-32C
//
// Each section is a uint64 byte length, the payload, and zero padding to a
// multiple of 8 bytes. Sections come in a fixed order (see readPack): first
// the metadata as JSON, then the tables. Integer tables are uint32 or
// uint16; the vectors are int8 bytes. The CRC covers every byte between the
// magic and the CRC itself, so a truncated or damaged pack is refused.
//
// Nothing is parsed at load time: the integer tables are read in place from
// the mapped file (mapped.go; copied out of it only on a big-endian machine
// or where nothing can be mapped), and the term lookup is a hash table built
// by the converter and stored in the pack, so Load does no per-word work.
const (
	packMagic   = "IBLANGPK"
	packVersion = 2 // 2: definition words of every synset
	// PackFile is the pack's file name inside the pack directory.
	PackFile = "lang.bin"
	// ManifestFile is a human-readable copy of the pack's metadata (inputs,
	// their hashes, counts, measured quantisation error).
	ManifestFile = "manifest.json"
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// packWriter writes sections and keeps the running CRC.
type packWriter struct {
	w   *bufio.Writer
	crc hash.Hash32
	err error
	buf [8]byte
}

func newPackWriter(w io.Writer) *packWriter {
	p := &packWriter{w: bufio.NewWriterSize(w, 1<<20), crc: crc32.New(castagnoli)}
	p.raw([]byte(packMagic))
	p.crc.Reset() // the CRC starts after the magic
	binary.LittleEndian.PutUint32(p.buf[:4], packVersion)
	p.write(p.buf[:4])
	return p
}

func (p *packWriter) raw(b []byte) {
	if p.err == nil {
		_, p.err = p.w.Write(b)
	}
}

func (p *packWriter) write(b []byte) {
	p.raw(b)
	p.crc.Write(b)
}

func (p *packWriter) section(n int, fill func(emit func([]byte))) {
	binary.LittleEndian.PutUint64(p.buf[:8], uint64(n))
	p.write(p.buf[:8])
	written := 0
	fill(func(b []byte) { p.write(b); written += len(b) })
	if written != n && p.err == nil {
		p.err = fmt.Errorf("lang: pack section wrote %d bytes, declared %d", written, n)
	}
	if pad := (8 - n%8) % 8; pad > 0 {
		p.write(make([]byte, pad))
	}
}

func (p *packWriter) bytes(b []byte) {
	p.section(len(b), func(emit func([]byte)) { emit(b) })
}

func (p *packWriter) u32s(v []uint32) {
	p.section(4*len(v), func(emit func([]byte)) {
		chunk := make([]byte, 0, 1<<16)
		for _, x := range v {
			chunk = binary.LittleEndian.AppendUint32(chunk, x)
			if len(chunk) == cap(chunk) {
				emit(chunk)
				chunk = chunk[:0]
			}
		}
		emit(chunk)
	})
}

func (p *packWriter) u16s(v []uint16) {
	p.section(2*len(v), func(emit func([]byte)) {
		chunk := make([]byte, 0, 1<<16)
		for _, x := range v {
			chunk = binary.LittleEndian.AppendUint16(chunk, x)
			if len(chunk) == cap(chunk) {
				emit(chunk)
				chunk = chunk[:0]
			}
		}
		emit(chunk)
	})
}

func (p *packWriter) f32s(v []float32) {
	u := make([]uint32, len(v))
	for i, x := range v {
		u[i] = math.Float32bits(x)
	}
	p.u32s(u)
}

func (p *packWriter) close() error {
	binary.LittleEndian.PutUint32(p.buf[:4], p.crc.Sum32())
	p.raw(p.buf[:4])
	if p.err == nil {
		p.err = p.w.Flush()
	}
	return p.err
}

// errCorrupt is wrapped by every error about a damaged or truncated pack.
var errCorrupt = errors.New("corrupt pack")

// packReader walks the sections of a pack held in memory.
type packReader struct {
	b   []byte
	off int
	err error
}

// openPack checks the magic, version and CRC of data and returns a reader
// positioned at the first section.
func openPack(data []byte) (*packReader, error) {
	return openPackChecked(data, false)
}

// openPackChecked is openPack, but trusts the CRC when crcChecked (readPack
// checked it as it read the file).
func openPackChecked(data []byte, crcChecked bool) (*packReader, error) {
	if len(data) < len(packMagic)+8 || string(data[:len(packMagic)]) != packMagic {
		return nil, fmt.Errorf("lang: not a language pack (bad magic): %w", errCorrupt)
	}
	body := data[len(packMagic) : len(data)-4]
	if v := binary.LittleEndian.Uint32(body); v != packVersion {
		return nil, &VersionError{Got: int(v), Want: packVersion}
	}
	if !crcChecked {
		if got, want := crc32.Checksum(body, castagnoli), binary.LittleEndian.Uint32(data[len(data)-4:]); got != want {
			return nil, fmt.Errorf("lang: pack checksum mismatch (truncated or damaged file): %w", errCorrupt)
		}
	}
	return &packReader{b: body, off: 4}, nil
}

// next returns the payload of the next section, a sub-slice of the pack.
func (r *packReader) next() []byte {
	if r.err != nil {
		return nil
	}
	if r.off+8 > len(r.b) {
		r.err = fmt.Errorf("lang: pack ends before a section header: %w", errCorrupt)
		return nil
	}
	n := binary.LittleEndian.Uint64(r.b[r.off:])
	r.off += 8
	if n > uint64(len(r.b)-r.off) {
		r.err = fmt.Errorf("lang: pack section of %d bytes overruns the file: %w", n, errCorrupt)
		return nil
	}
	out := r.b[r.off : r.off+int(n)]
	r.off += int(n) + (8-int(n)%8)%8
	return out
}

func (r *packReader) u32s() []uint32 {
	b := r.next()
	if len(b)%4 != 0 {
		r.fail("uint32 section of odd length")
		return nil
	}
	if v := view[uint32](b, 4); v != nil {
		return v
	}
	v := make([]uint32, len(b)/4)
	for i := range v {
		v[i] = binary.LittleEndian.Uint32(b[4*i:])
	}
	return v
}

func (r *packReader) u16s() []uint16 {
	b := r.next()
	if len(b)%2 != 0 {
		r.fail("uint16 section of odd length")
		return nil
	}
	if v := view[uint16](b, 2); v != nil {
		return v
	}
	v := make([]uint16, len(b)/2)
	for i := range v {
		v[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	return v
}

func (r *packReader) f32s() []float32 {
	u := r.u32s()
	if littleEndian {
		// The same bits, read as floats: in place.
		return unsafe.Slice((*float32)(unsafe.Pointer(unsafe.SliceData(u))), len(u))
	}
	v := make([]float32, len(u))
	for i, x := range u {
		v[i] = math.Float32frombits(x)
	}
	return v
}

func (r *packReader) fail(msg string) {
	if r.err == nil {
		r.err = fmt.Errorf("lang: %s: %w", msg, errCorrupt)
	}
}

// VersionError reports a pack written by another version of the converter.
type VersionError struct{ Got, Want int }

func (e *VersionError) Error() string {
	return fmt.Sprintf(`lang: the language pack has format %d, this program reads format %d; rebuild it with "make model" (or "go run ./cmd/langpack -out models/lang")`, e.Got, e.Want)
}

// termHash is FNV-1a over the bytes of s; the converter and Load must agree.
func termHash(s string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= 16777619
	}
	return h
}

// slotOf maps a hash onto n slots without a division (Lemire's reduction).
func slotOf(h uint32, n int) int {
	return int((uint64(h) * uint64(n)) >> 32)
}
