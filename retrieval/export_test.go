package retrieval

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/philippgille/chromem-go"

	"github.com/incidentbot/incidentbot"
)

// chromemExport is what chromem-go itself exports for the collections, each
// doc given with a unit vector (which chromem keeps as it is).
func chromemExport(t *testing.T, cols map[string][]chromem.Document) []byte {
	t.Helper()
	db := chromem.NewDB()
	noEmbed := func(context.Context, string) ([]float32, error) { return nil, fmt.Errorf("not used") }
	for name, docs := range cols {
		c, err := db.CreateCollection(name, nil, noEmbed)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range docs {
			if err := c.AddDocument(context.Background(), d); err != nil {
				t.Fatal(err)
			}
		}
	}
	var out bytes.Buffer
	if err := db.ExportToWriter(&out, false, ""); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// ourExport is writeExport of the same collections, in the order names
// gives.
func ourExport(t *testing.T, names []string, cols map[string][]chromem.Document) []byte {
	t.Helper()
	var ec []exportCollection
	for _, name := range names {
		docs := cols[name]
		ec = append(ec, exportCollection{name: name, n: len(docs), doc: func(i int, id []byte) ([]byte, []float32) {
			return append(id, docs[i].ID...), docs[i].Embedding
		}})
	}
	var out bytes.Buffer
	released := 0
	if err := writeExport(&out, ec, func() { released++ }); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// importedDocs reads an export with chromem-go: collection → ID → vector.
func importedDocs(t *testing.T, export []byte, names []string, ids map[string][]string) map[string]map[string][]float32 {
	t.Helper()
	db := chromem.NewDB()
	if err := db.ImportFromReader(bytes.NewReader(export), ""); err != nil {
		t.Fatalf("chromem-go cannot read the export: %v", err)
	}
	out := map[string]map[string][]float32{}
	for _, name := range names {
		c := db.GetCollection(name, nil)
		if c == nil {
			t.Fatalf("collection %s missing", name)
		}
		if c.Count() != len(ids[name]) {
			t.Fatalf("collection %s: %d documents, want %d", name, c.Count(), len(ids[name]))
		}
		out[name] = map[string][]float32{}
		for _, id := range ids[name] {
			doc, err := c.GetByID(context.Background(), id)
			if err != nil {
				t.Fatal(err)
			}
			out[name][id] = doc.Embedding
		}
	}
	return out
}

// The export is chromem-go's, byte for byte: compared whole where
// chromem-go's order is fixed (one document), and otherwise by size (the
// same whatever order gob walks a map in) and by what chromem-go reads back.
func TestExportIsChromemsExport(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	// Vectors whose floats take every length gob gives them: zero (one
	// byte), short mantissas (0.5, -1), and full ones.
	for _, v := range [][]float32{
		{0.6, 0.8, 0},
		{1},
		{-1, 0, 0, 0},
		{0.5, 0.5, 0.5, -0.5},
		// 2^-15's bits reversed are below 0x80: one byte.
		{float32(math.Ldexp(1, -15)), float32(math.Sqrt(1 - math.Ldexp(1, -30)))},
		randomUnit(rng, 512),
	} {
		cols := map[string][]chromem.Document{"passages": {{ID: "a-long-passage-id_0003", Embedding: v}}}
		want := chromemExport(t, cols)
		if got := ourExport(t, []string{"passages"}, cols); !bytes.Equal(got, want) {
			t.Fatalf("vector %v: the export differs from chromem-go's\n got % x\nwant % x", v[:min(4, len(v))], got[:min(len(got), 400)], want[:min(len(want), 400)])
		}
	}
	// An empty collection, as an index with no passages exports.
	empty := map[string][]chromem.Document{"passages": nil}
	if got, want := ourExport(t, []string{"passages"}, empty), chromemExport(t, empty); !bytes.Equal(got, want) {
		t.Fatalf("empty collection: got % x, want % x", got, want)
	}

	// Two collections of many documents, IDs of every length up to past
	// 127 bytes (a two-byte length).
	cols := map[string][]chromem.Document{}
	ids := map[string][]string{}
	for _, name := range []string{"passages", "sentences"} {
		for i := range 300 {
			id := fmt.Sprintf("%s-%d-%s", name, i, string(slices.Repeat([]byte{'x'}, i%140)))
			cols[name] = append(cols[name], chromem.Document{ID: id, Embedding: randomUnit(rng, 64)})
			ids[name] = append(ids[name], id)
		}
	}
	names := []string{"passages", "sentences"}
	want, got := chromemExport(t, cols), ourExport(t, names, cols)
	if len(got) != len(want) {
		t.Fatalf("the export is %d bytes, chromem-go's %d", len(got), len(want))
	}
	read := importedDocs(t, got, names, ids)
	for _, name := range names {
		for _, d := range cols[name] {
			if !slices.Equal(read[name][d.ID], d.Embedding) {
				t.Fatalf("%s/%s: chromem-go reads back another vector", name, d.ID)
			}
		}
	}
}

func TestGobNumbers(t *testing.T) {
	for _, x := range []uint64{0, 1, 0x7f, 0x80, 0xff, 0x100, 1 << 32, math.MaxUint64} {
		b := appendGobUint(nil, x)
		if uint64(len(b)) != gobUintLen(x) {
			t.Errorf("%d: %d bytes, gobUintLen says %d", x, len(b), gobUintLen(x))
		}
		if got, n := gobUint(b); got != x || n != len(b) {
			t.Errorf("%d reads back as %d (%d bytes)", x, got, n)
		}
	}
	for _, i := range []int64{0, 1, -1, 63, 64, -65, math.MaxInt64, math.MinInt64} {
		u, _ := gobUint(appendGobInt(nil, i))
		if gobInt(u) != i || gobIntLen(i) != uint64(len(appendGobInt(nil, i))) {
			t.Errorf("%d reads back as %d", i, gobInt(u))
		}
	}
}

// BenchmarkWriteSnapshot: a snapshot of 600 passages and 6,000 sentences
// (6,600 vectors of 512 dimensions, 19 MB), written to nowhere; bytes/s is
// the manifest's and the export's speed.
func BenchmarkWriteSnapshot(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	var arts []*incidentbot.Article
	for a := 0; len(arts) < 200; a++ {
		var paras []string
		for p := range 10 {
			paras = append(paras, fmt.Sprintf("Article %d says thing %d happened. Officials confirmed %d on Monday. Nobody else did %d.", a, p, a*10+p, a*10+p))
		}
		arts = append(arts, &incidentbot.Article{ID: fmt.Sprintf("a%04d", a), Title: "T", Text: strings.Join(paras, "\n\n")})
	}
	ix, err := NewIndex("bench", arts, func(string) []float32 { return randomUnit(rng, 512) })
	if err != nil {
		b.Fatal(err)
	}
	var size countingWriter
	if err := WriteSnapshot(&size, ix); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(size))
	b.ResetTimer()
	for range b.N {
		if err := WriteSnapshot(io.Discard, ix); err != nil {
			b.Fatal(err)
		}
	}
}

type countingWriter int

func (c *countingWriter) Write(p []byte) (int, error) {
	*c += countingWriter(len(p))
	return len(p), nil
}
