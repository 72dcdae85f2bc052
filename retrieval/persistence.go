package retrieval

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"time"

	"github.com/philippgille/chromem-go"

	"github.com/incidentbot/incidentbot"
)

// SnapshotFile is the index file inside a data folder (see filestate).
const SnapshotFile = "index.snapshot"

// snapshotMagic starts every snapshot. Version 2 carries the articles
// themselves, so a process can serve a snapshot published by another one
// (even on another machine) without the corpus files, and a refresh diffs
// against exactly what is served. Version 3 splits the vectors into
// parts, each a chromem-go export of at most partDocs documents: gob
// cannot read a message over 8 GB, which one export of a million passages
// (3.7 million vectors) would be.
const snapshotMagic = "incidentbot-index 3\n"

// partDocs is how many documents one part of a snapshot's vectors holds:
// about 0.8 GB of gob at 512 dimensions, 2.4 GB at 1536. A variable so
// that a test can split a small index.
var partDocs = 1 << 18

// Manifest describes a snapshot: which embedder made its vectors and which
// articles and passage texts they belong to.
type Manifest struct {
	Embedder string          `json:"embedder"`
	Dim      int             `json:"dim"`
	BuiltAt  time.Time       `json:"built_at"`
	Articles []ArticleRecord `json:"articles"`
	Passages []PassageRecord `json:"passages"`
}

// ArticleRecord is an article as it was indexed: all of it, so the index
// can be rebuilt from the snapshot alone.
type ArticleRecord struct {
	ID            string                    `json:"id"`
	Title         string                    `json:"title"`
	Outlet        string                    `json:"outlet,omitempty"`
	Author        string                    `json:"author,omitempty"`
	Date          time.Time                 `json:"date,omitzero"`
	DatePrecision incidentbot.DatePrecision `json:"date_precision,omitempty"`
	URL           string                    `json:"url,omitempty"`
	Tags          []string                  `json:"tags,omitempty"`
	Path          string                    `json:"path,omitempty"`
	Text          string                    `json:"text"`
	Hash          string                    `json:"hash"`
	Added         time.Time                 `json:"added"` // when it first entered the index
}

func (r ArticleRecord) article() *incidentbot.Article {
	return &incidentbot.Article{ID: r.ID, Title: r.Title, Outlet: r.Outlet, Author: r.Author, Date: r.Date,
		DatePrecision: r.DatePrecision, URL: r.URL, Tags: r.Tags, Path: r.Path, Text: r.Text, Added: r.Added}
}

// PassageRecord is a passage as it was indexed, with the hashes of its
// sentences (each has its own vector).
type PassageRecord struct {
	ID        string   `json:"id"`
	Article   string   `json:"article"`
	Hash      string   `json:"hash"`
	Sentences []string `json:"sentences"`
}

// snapshot is what a snapshot file holds once read.
type snapshot struct {
	Manifest
	vectors vectorSet
}

func manifestOf(ix *Index) Manifest {
	m := Manifest{Embedder: ix.EmbedderID, Dim: ix.Dim, BuiltAt: ix.BuiltAt}
	for _, a := range ix.articles {
		m.Articles = append(m.Articles, ArticleRecord{ID: a.ID, Title: a.Title, Outlet: a.Outlet, Author: a.Author,
			Date: a.Date, DatePrecision: a.DatePrecision, URL: a.URL, Tags: a.Tags, Path: a.Path, Text: a.Text,
			Hash: ix.artHash[a.ID], Added: a.Added})
	}
	for i, p := range ix.passages {
		r := PassageRecord{ID: p.ID, Article: p.ArticleID, Hash: p.Hash, Sentences: make([]string, len(p.Sentences))}
		for j := range p.Sentences {
			r.Sentences[j] = ix.sentenceHash(int(ix.sentFirst[i]) + j)
		}
		m.Passages = append(m.Passages, r)
	}
	return m
}

// WriteSnapshot encodes ix: a header, the manifest (with the articles),
// then the vectors as a chromem-go export, the store of record.
func WriteSnapshot(w io.Writer, ix *Index) error {
	bw := bufio.NewWriter(w)
	man, err := json.Marshal(manifestOf(ix))
	if err != nil {
		return fmt.Errorf("encoding manifest: %w", err)
	}
	bw.WriteString(snapshotMagic)
	var n [binary.MaxVarintLen64]byte
	bw.Write(n[:binary.PutUvarint(n[:], uint64(len(man)))])
	bw.Write(man)
	// Not compressed: float vectors barely compress (gzip took 75 of the
	// 90 s of CPU that writing a 100k-passage snapshot cost). chromem-go
	// reads either.
	parts := partsOf(exportOf(ix))
	bw.Write(n[:binary.PutUvarint(n[:], uint64(len(parts)))])
	for i, part := range parts {
		// Each part is preceded by its length, which a reader needs to
		// hand chromem-go a reader of that part alone.
		size, err := exportLen(part, ix.exact.dropAll)
		if err == nil {
			bw.Write(n[:binary.PutUvarint(n[:], size)])
			err = writeExport(bw, part, ix.exact.dropAll)
		}
		if err != nil {
			return fmt.Errorf("writing vectors (part %d of %d): %w", i+1, len(parts), err)
		}
	}
	// The vectors written are ix's exact vectors, released when ix is
	// collected: ix must live until they are written.
	runtime.KeepAlive(ix)
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("writing snapshot: %w", err)
	}
	return nil
}

// exportOf is ix's vectors as chromem-go collections: each passage's under
// its ID, each sentence's under sentenceID, read through the mapping of
// the exact vectors (writeExport drops their pages as it goes).
func exportOf(ix *Index) []exportCollection {
	return []exportCollection{
		{name: passagesCollection, n: len(ix.passages), doc: func(i int, id []byte) ([]byte, []float32) {
			return append(id, ix.passages[i].ID...), ix.passMatrix.row(i)
		}},
		{name: sentencesCollection, n: ix.sentCount, doc: func(d int, id []byte) ([]byte, []float32) {
			p := ix.sentOwner[d]
			id = append(append(id, ix.passages[p].ID...), '/')
			return strconv.AppendInt(id, int64(d-int(ix.sentFirst[p])), 10), ix.sentMatrix.row(d)
		}},
	}
}

// partsOf splits collections into parts of at most partDocs documents,
// one collection each: the k-th chunk of a collection is named
// partName(name, k).
func partsOf(cols []exportCollection) [][]exportCollection {
	var parts [][]exportCollection
	for _, c := range cols {
		for k := 0; k == 0 || k*partDocs < c.n; k++ {
			c, start := c, k*partDocs
			parts = append(parts, []exportCollection{{name: partName(c.name, k), n: min(partDocs, c.n-start),
				doc: func(i int, id []byte) ([]byte, []float32) { return c.doc(start+i, id) }}})
		}
	}
	return parts
}

// partName names the k-th part of a collection: its own name for the
// first, so a small index is one chromem-go collection per kind as before.
func partName(name string, k int) string {
	if k == 0 {
		return name
	}
	return name + "~" + strconv.Itoa(k)
}

// DamagedSnapshotError is a snapshot that was read but cannot be loaded:
// truncated, garbage, or not an incidentbot index. The index is derived
// from the corpus, so Open sets it aside and builds anew, and a process
// following new snapshots skips it.
type DamagedSnapshotError struct {
	Path string
	Part string // what could not be read: "header", "manifest", "vectors", …
	Err  error
}

func (e *DamagedSnapshotError) Error() string {
	return fmt.Sprintf("index snapshot %s cannot be loaded (%s: %v)", e.Path, e.Part, e.Err)
}

func (e *DamagedSnapshotError) Unwrap() error { return e.Err }

// readSnapshot decodes a snapshot read from r (named name in errors); it
// returns a *DamagedSnapshotError when it cannot be loaded.
func readSnapshot(ctx context.Context, r io.Reader, name string) (_ *snapshot, err error) {
	// chromem seeks back to the start of its reader to sniff compression,
	// so the snapshot is read whole, as it always was from its file.
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("reading index snapshot %s: %w", name, err)
	}
	path := name
	bad := func(why string, err error) error {
		return &DamagedSnapshotError{Path: path, Part: why, Err: err}
	}
	defer func() {
		// Decoding garbage must not take the process down with it.
		if p := recover(); p != nil {
			err = bad("vectors", fmt.Errorf("decoding panicked: %v", p))
		}
	}()
	br := bytes.NewReader(data)
	s := &snapshot{vectors: vectorSet{}}
	if err := readManifest(br, name, &s.Manifest); err != nil {
		return nil, err
	}
	db := chromem.NewDB()
	parts, err := binary.ReadUvarint(br)
	if err != nil || parts > 1<<20 {
		return nil, bad("vectors", fmt.Errorf("part count: %v", err))
	}
	for i := range parts {
		size, err := binary.ReadUvarint(br)
		if err != nil || size > uint64(br.Len()) {
			return nil, bad("vectors", fmt.Errorf("part %d of %d: length: %v", i+1, parts, err))
		}
		// chromem seeks back to the start of its reader to sniff
		// compression, so it gets a reader of its own part of the file.
		off := len(data) - br.Len()
		if err := db.ImportFromReader(bytes.NewReader(data[off:off+int(size)]), ""); err != nil {
			return nil, bad("vectors", fmt.Errorf("part %d of %d: %w", i+1, parts, err))
		}
		br.Seek(int64(size), io.SeekCurrent)
	}
	// The documents are in the parts in the index's order: the i-th
	// passage (and the d-th sentence) in the chunk i/partDocs.
	chunk := func(name string, i int) *chromem.Collection { return db.GetCollection(partName(name, i/partDocs), nil) }
	d := 0
	for i, p := range s.Passages {
		pc := chunk(passagesCollection, i)
		if pc == nil {
			return nil, bad("vectors", errors.New("collections missing"))
		}
		doc, err := pc.GetByID(ctx, p.ID)
		if err != nil {
			return nil, bad("passage "+p.ID, err)
		}
		s.vectors[p.Hash] = doc.Embedding
		for j, h := range p.Sentences {
			sc := chunk(sentencesCollection, d)
			d++
			if sc == nil {
				return nil, bad("vectors", errors.New("collections missing"))
			}
			doc, err := sc.GetByID(ctx, sentenceID(p.ID, j))
			if err != nil {
				return nil, bad("sentence "+sentenceID(p.ID, j), err)
			}
			s.vectors[h] = doc.Embedding
		}
	}
	return s, nil
}

// readManifest reads a snapshot's header and manifest from r, leaving r
// at the vectors; what cannot be read is a *DamagedSnapshotError naming
// name.
func readManifest(r interface {
	io.Reader
	io.ByteReader
}, name string, m *Manifest) error {
	bad := func(why string, err error) error { return &DamagedSnapshotError{Path: name, Part: why, Err: err} }
	magic := make([]byte, len(snapshotMagic))
	n, _ := io.ReadFull(r, magic)
	if string(magic[:n]) != snapshotMagic {
		if bytes.HasPrefix(magic[:n], []byte("incidentbot-index ")) {
			return bad("header", errors.New("made by an older version, without the articles"))
		}
		return bad("header", errors.New("not an incidentbot index"))
	}
	size, err := binary.ReadUvarint(r)
	if err != nil || size > 1<<40 {
		return bad("manifest length", fmt.Errorf("%v", err))
	}
	// Read as it comes rather than allocated up front: a damaged length
	// must not ask for terabytes.
	man, err := io.ReadAll(io.LimitReader(r, int64(size)))
	if err == nil && uint64(len(man)) < size {
		err = io.ErrUnexpectedEOF
	}
	if err != nil {
		return bad("manifest", err)
	}
	if err := json.Unmarshal(man, m); err != nil {
		return bad("manifest", err)
	}
	return nil
}

// LatestManifest reads only the manifest of the newest published snapshot
// (what it indexes and when each article was added), not its vectors; nil
// when none was published.
func LatestManifest(ctx context.Context, snaps incidentbot.Snapshots) (*Manifest, error) {
	info, err := snaps.Latest(ctx)
	if err != nil || info == nil {
		return nil, err
	}
	rc, err := snaps.Open(ctx, info.Version)
	if err != nil {
		return nil, fmt.Errorf("opening index snapshot %s: %w", info.Version, err)
	}
	defer rc.Close()
	var m Manifest
	if err := readManifest(bufio.NewReader(rc), "version "+info.Version, &m); err != nil {
		return nil, err
	}
	return &m, nil
}
