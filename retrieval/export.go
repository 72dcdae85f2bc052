package retrieval

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"math/bits"
	"slices"
	"sync"

	"github.com/philippgille/chromem-go"
)

// A snapshot's vectors are a chromem-go export (DB.ExportToWriter, not
// compressed): chromem-go reads them back (readSnapshot), and any chromem-go
// program can. But chromem-go exports by gob-encoding the whole DB as one
// value, and gob builds a value's whole message in memory before it writes
// any of it: at 100k passages 1.2 GB, grown by doubling and appended to a
// float at a time. That took 17.7 of the 23 s of a one-article refresh
// (bench, 2 cores). So the same stream is written here, a document at a
// time as it is encoded: gob's wire format is fixed (the encoding/gob
// documentation specifies it, and Go keeps it compatible), and the type
// definitions at its start are chromem-go's own, taken from its export of
// a DB of one document (chromemPreamble). TestExportIsChromemsExport
// checks the bytes against chromem-go's own export, and that chromem-go
// reads back every vector.
//
// The value is chromem-go's persistence struct:
//
//	struct{ Collections map[string]*persistenceCollection }
//	persistenceCollection{ Name string; Metadata map[string]string; Documents map[string]*Document }
//	Document{ ID string; Metadata map[string]string; Embedding []float32; Content string }
//
// as chromem-go holds the index's collections: each collection's Metadata
// an empty map (sent, as gob sends every non-nil map), each document's
// Metadata nil and Content empty (not sent).

// exportCollection is one collection of an export: n documents, doc(i)
// giving the i-th's ID (appended to id) and its vector (read until the
// next call).
type exportCollection struct {
	name string
	n    int
	doc  func(i int, id []byte) ([]byte, []float32)
}

// gobTooBig is the largest message gob decodes (encoding/gob's tooBig on
// 64-bit machines): chromem-go could neither write nor read an export
// larger than this.
const gobTooBig = 1 << 33

// exportPreamble is what starts every chromem-go export: gob's type
// definitions of chromem-go's persistence structs, and the type id the
// value message that follows them carries.
type exportPreamble struct {
	types  []byte
	typeID int64
}

// chromemPreamble is taken, once, from chromem-go's own export of a DB
// with one collection of one document: all its messages but the last are
// the type definitions (gob sends every type a value's type holds, whatever
// the value), and the last, the value, starts with its type id.
var chromemPreamble = sync.OnceValues(func() (exportPreamble, error) {
	db := chromem.NewDB()
	noEmbed := func(context.Context, string) ([]float32, error) { return nil, errors.New("not used") }
	c, err := db.CreateCollection("c", nil, noEmbed)
	if err != nil {
		return exportPreamble{}, err
	}
	if err := c.AddDocument(context.Background(), chromem.Document{ID: "d", Embedding: []float32{1}}); err != nil {
		return exportPreamble{}, err
	}
	var out bytes.Buffer
	if err := db.ExportToWriter(&out, false, ""); err != nil {
		return exportPreamble{}, err
	}
	data := out.Bytes()
	for off := 0; off < len(data); {
		size, n := gobUint(data[off:])
		if n == 0 || off+n+int(size) > len(data) {
			return exportPreamble{}, errors.New("chromem-go's export does not read as gob messages")
		}
		msg := data[off+n : off+n+int(size)]
		u, m := gobUint(msg)
		if m == 0 {
			return exportPreamble{}, errors.New("a gob message of chromem-go's export has no type id")
		}
		if id := gobInt(u); id > 0 {
			if off+n+int(size) != len(data) {
				return exportPreamble{}, errors.New("chromem-go's export holds more than one value")
			}
			return exportPreamble{types: data[:off], typeID: id}, nil
		}
		off += n + int(size)
	}
	return exportPreamble{}, errors.New("chromem-go's export holds no value")
})

// writeExport writes the collections to w as chromem-go exports them. Gob
// puts a message's length before it, so the documents are read twice:
// once to size the message, once to encode it, a document at a time
// through a buffer. release, if set, is called after every 8192 documents
// read (the exact vectors' pages are then dropped from the resident set).
func writeExport(w io.Writer, cols []exportCollection, release func()) error {
	pre, err := chromemPreamble()
	if err != nil {
		return fmt.Errorf("learning chromem-go's export format: %w", err)
	}
	var id []byte
	docs := 0
	tick := func() {
		if docs++; docs%8192 == 0 && release != nil {
			release()
		}
	}
	size := exportValueSize(pre, cols, tick)
	if size >= gobTooBig {
		return fmt.Errorf("the vectors would make a chromem-go export of %d GB, more than gob can read back (8 GB)", size>>30)
	}

	bw := bufio.NewWriterSize(w, 1<<20)
	bw.Write(pre.types)
	b := bw.AvailableBuffer()
	b = appendGobUint(b, size)
	b = appendGobInt(b, pre.typeID)
	b = appendGobUint(b, 1) // Collections
	b = appendGobUint(b, uint64(len(cols)))
	bw.Write(b)
	for _, c := range cols {
		b = bw.AvailableBuffer()
		b = appendGobString(b, c.name)
		b = appendGobUint(b, 1) // Name
		b = appendGobString(b, c.name)
		b = appendGobUint(b, 1) // Metadata: empty
		b = appendGobUint(b, 0)
		b = appendGobUint(b, 1) // Documents
		b = appendGobUint(b, uint64(c.n))
		bw.Write(b)
		for i := range c.n {
			var v []float32
			id, v = c.doc(i, id[:0])
			b = bw.AvailableBuffer()
			b = appendGobUint(b, uint64(len(id))) // key
			b = append(b, id...)
			b = appendGobUint(b, 1) // ID
			b = appendGobUint(b, uint64(len(id)))
			b = append(b, id...)
			b = appendGobUint(b, 2) // Embedding (Metadata is nil, not sent)
			b = appendGobFloats(b, v)
			b = appendGobUint(b, 0) // the document's end (Content is empty)
			if _, err := bw.Write(b); err != nil {
				return fmt.Errorf("writing the vectors: %w", err)
			}
			tick()
		}
		bw.WriteByte(0) // the collection's end
	}
	bw.WriteByte(0) // the DB's end
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("writing the vectors: %w", err)
	}
	return nil
}

// exportValueSize is the size of the gob value an export of cols holds:
// its type id, then the struct. tick is called after each document read.
func exportValueSize(pre exportPreamble, cols []exportCollection, tick func()) uint64 {
	var id []byte
	size := uint64(gobIntLen(pre.typeID))
	size += 1 + gobUintLen(uint64(len(cols))) // Collections: delta, count
	for _, c := range cols {
		size += gobStringLen(len(c.name))     // key
		size += 1 + gobStringLen(len(c.name)) // Name
		size += 1 + 1                         // Metadata: delta, count 0
		size += 1 + gobUintLen(uint64(c.n))   // Documents: delta, count
		for i := range c.n {
			var v []float32
			id, v = c.doc(i, id[:0])
			size += gobStringLen(len(id)) + docSize(len(id), v)
			tick()
		}
		size++ // the collection's end
	}
	return size + 1 // the DB's end
}

// exportLen is how many bytes writeExport writes for cols: gob's type
// definitions, the value's length, the value.
func exportLen(cols []exportCollection, release func()) (uint64, error) {
	pre, err := chromemPreamble()
	if err != nil {
		return 0, fmt.Errorf("learning chromem-go's export format: %w", err)
	}
	docs := 0
	size := exportValueSize(pre, cols, func() {
		if docs++; docs%8192 == 0 && release != nil {
			release()
		}
	})
	return uint64(len(pre.types)) + gobUintLen(size) + size, nil
}

// docSize is the size of a document's struct with an ID of idLen bytes
// and vector v: ID, Embedding, end.
func docSize(idLen int, v []float32) uint64 {
	n := 1 + gobStringLen(idLen) + 1 + gobUintLen(uint64(len(v))) + 1
	for _, x := range v {
		// gobUintLen(gobFloat(x)), inlined: this loop reads every float.
		n++
		if u := gobFloat(x); u > 0x7f {
			n += uint64(8 - bits.LeadingZeros64(u)>>3)
		}
	}
	return n
}

// gob's encoding of numbers: an unsigned integer below 128 is its byte;
// above, the negated count of its bytes, then them, big-endian. A signed
// one is shifted left a bit, its complement when negative, and the low
// bit says which. A float is its float64 bits with the bytes reversed (so
// the exponent, not the zero low bits, comes first), as an unsigned.

func gobFloat(x float32) uint64 { return bits.ReverseBytes64(math.Float64bits(float64(x))) }

func gobUintLen(x uint64) uint64 {
	if x <= 0x7f {
		return 1
	}
	return 1 + uint64(8-bits.LeadingZeros64(x)>>3)
}

func gobStringLen(n int) uint64 { return gobUintLen(uint64(n)) + uint64(n) }

func gobIntLen(i int64) uint64 { return gobUintLen(gobZigzag(i)) }

func gobZigzag(i int64) uint64 {
	if i < 0 {
		return uint64(^i<<1) | 1
	}
	return uint64(i << 1)
}

func appendGobUint(b []byte, x uint64) []byte {
	if x <= 0x7f {
		return append(b, byte(x))
	}
	n := 8 - bits.LeadingZeros64(x)>>3
	var be [8]byte
	binary.BigEndian.PutUint64(be[:], x)
	b = append(b, byte(-n))
	return append(b, be[8-n:]...)
}

func appendGobInt(b []byte, i int64) []byte { return appendGobUint(b, gobZigzag(i)) }

func appendGobString(b []byte, s string) []byte {
	return append(appendGobUint(b, uint64(len(s))), s...)
}

// appendGobFloats appends v as gob sends a []float32: its length, then
// every element, zeros too. It is most of the cost of an export (190M
// floats at 100k passages), so each is written as one 8-byte store into
// room kept for the longest (9 bytes), and the slice then cut to its
// length.
func appendGobFloats(b []byte, v []float32) []byte {
	b = appendGobUint(b, uint64(len(v)))
	b = slices.Grow(b, 9*len(v))
	i := len(b)
	b = b[:i+9*len(v)]
	for _, x := range v {
		u := gobFloat(x)
		if u <= 0x7f {
			b[i] = byte(u)
			i++
			continue
		}
		n := 8 - bits.LeadingZeros64(u)>>3
		b[i] = byte(-n)
		// The n bytes of u, big-endian, then 8-n bytes the next float
		// overwrites.
		binary.BigEndian.PutUint64(b[i+1:i+9], u<<(64-8*n))
		i += 1 + n
	}
	return b[:i]
}

// gobUint reads an unsigned integer from the start of b and the bytes it
// took (0 if b is too short).
func gobUint(b []byte) (uint64, int) {
	if len(b) == 0 {
		return 0, 0
	}
	if b[0] <= 0x7f {
		return uint64(b[0]), 1
	}
	n := int(-int8(b[0]))
	if n > 8 || len(b) < 1+n {
		return 0, 0
	}
	var x uint64
	for _, c := range b[1 : 1+n] {
		x = x<<8 | uint64(c)
	}
	return x, 1 + n
}

func gobInt(u uint64) int64 {
	if u&1 == 1 {
		return ^int64(u >> 1)
	}
	return int64(u >> 1)
}
