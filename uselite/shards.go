package uselite

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"unsafe"
)

// shardGroup is one weight group's shard files, which TensorFlow.js
// splits at arbitrary byte offsets (a tensor may straddle two): read as
// one stream of bytes.
type shardGroup struct {
	files []*os.File
	start []int64 // start[i] is file i's offset in the stream
	size  int64
}

// close closes the files; reading then fails.
func (g *shardGroup) close() {
	for _, f := range g.files {
		f.Close()
	}
	g.files = nil
}

func openShards(dir string, names []string) (*shardGroup, error) {
	g := &shardGroup{}
	for _, name := range names {
		p := filepath.Join(dir, name)
		f, err := os.Open(p)
		if err != nil {
			g.close()
			return nil, fmt.Errorf("open weight shard: %w", err)
		}
		fi, err := f.Stat()
		if err != nil {
			f.Close()
			g.close()
			return nil, fmt.Errorf("weight shard: %w", err)
		}
		g.files = append(g.files, f)
		g.start = append(g.start, g.size)
		g.size += fi.Size()
	}
	return g, nil
}

// names lists the group's files (in their folder, which errors name
// already), for errors.
func (g *shardGroup) names() string {
	var ns []string
	for _, f := range g.files {
		ns = append(ns, filepath.Base(f.Name()))
	}
	return strings.Join(ns, ", ")
}

// readAt fills p from the stream at off.
func (g *shardGroup) readAt(p []byte, off int64) error {
	for len(p) > 0 {
		i := g.file(off)
		if i < 0 {
			return io.ErrUnexpectedEOF
		}
		n, err := g.files[i].ReadAt(p[:min(int64(len(p)), g.end(i)-off)], off-g.start[i])
		p, off = p[n:], off+int64(n)
		if err != nil && !(errors.Is(err, io.EOF) && len(p) == 0) {
			return fmt.Errorf("%s: %w", g.files[i].Name(), err)
		}
	}
	return nil
}

// readFloats reads len(dst) little-endian floats from the stream at off.
func (g *shardGroup) readFloats(dst []float32, off int64) error {
	if littleEndian {
		// Straight into the floats: no byte buffer beside them.
		return g.readAt(floatBytes(dst), off)
	}
	buf := make([]byte, len(dst)*4)
	if err := g.readAt(buf, off); err != nil {
		return err
	}
	for i := range dst {
		dst[i] = math.Float32frombits(binary.LittleEndian.Uint32(buf[i*4:]))
	}
	return nil
}

// file returns the index of the file holding stream offset off, or -1.
func (g *shardGroup) file(off int64) int {
	for i := range g.files {
		if off >= g.start[i] && off < g.end(i) {
			return i
		}
	}
	return -1
}

func (g *shardGroup) end(i int) int64 {
	if i+1 < len(g.start) {
		return g.start[i+1]
	}
	return g.size
}

// table is a [rows × cols] tensor left in the shards and read a row at a
// time, when a row is needed.
type table struct {
	g          *shardGroup
	off        int64
	rows, cols int
}

// row reads row i into dst (cols floats).
func (t *table) row(i int, dst []float32) error {
	if i < 0 || i >= t.rows {
		return fmt.Errorf("row %d of %d", i, t.rows)
	}
	return t.g.readFloats(dst[:t.cols], t.off+int64(i)*int64(t.cols)*4)
}

// floatBytes is the memory of f, to read floats straight into.
func floatBytes(f []float32) []byte {
	if len(f) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&f[0])), len(f)*4)
}
