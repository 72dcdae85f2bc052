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
	"os"
	"path/filepath"
	"time"

	"github.com/philippgille/chromem-go"
)

// SnapshotFile is the index file inside the data folder. It is replaced by
// writing a new file beside it and renaming, never written in place, so a
// crash mid-write leaves the previous snapshot loadable.
const SnapshotFile = "index.snapshot"

const snapshotMagic = "incidentbot-index 1\n"

// Manifest describes a snapshot: which embedder made its vectors and which
// article and passage texts they belong to.
type Manifest struct {
	Embedder string          `json:"embedder"`
	Dim      int             `json:"dim"`
	BuiltAt  time.Time       `json:"built_at"`
	Articles []ArticleRecord `json:"articles"`
	Passages []PassageRecord `json:"passages"`
}

// ArticleRecord is an article as it was indexed.
type ArticleRecord struct {
	ID    string    `json:"id"`
	Title string    `json:"title"`
	Hash  string    `json:"hash"`
	Added time.Time `json:"added"` // when it first entered the index
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
		m.Articles = append(m.Articles, ArticleRecord{ID: a.ID, Title: a.Title, Hash: articleHash(a), Added: a.Added})
	}
	for _, p := range ix.passages {
		r := PassageRecord{ID: p.ID, Article: p.ArticleID, Hash: p.Hash}
		for j := range p.Sentences {
			r.Sentences = append(r.Sentences, Hash(ix.SentenceText(p, j)))
		}
		m.Passages = append(m.Passages, r)
	}
	return m
}

// writeSnapshot persists ix to dir atomically: temp file, fsync, rename,
// fsync of the folder.
func writeSnapshot(dir string, ix *Index) (err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("creating data folder: %w", err)
	}
	tmp, err := os.CreateTemp(dir, SnapshotFile+".tmp-*")
	if err != nil {
		return fmt.Errorf("creating snapshot: %w", err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	w := bufio.NewWriter(tmp)
	man, err := json.Marshal(manifestOf(ix))
	if err != nil {
		return fmt.Errorf("encoding manifest: %w", err)
	}
	w.WriteString(snapshotMagic)
	var n [binary.MaxVarintLen64]byte
	w.Write(n[:binary.PutUvarint(n[:], uint64(len(man)))])
	w.Write(man)
	if err := ix.db.ExportToWriter(w, true, "", passagesCollection, sentencesCollection); err != nil {
		return fmt.Errorf("writing vectors: %w", err)
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("writing snapshot: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("syncing snapshot: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("closing snapshot: %w", err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(dir, SnapshotFile)); err != nil {
		return fmt.Errorf("replacing snapshot: %w", err)
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// DamagedSnapshotError is a snapshot that was read but cannot be loaded:
// truncated, garbage, or not an incidentbot index. The index is derived
// from the corpus, so Open moves such a file aside and builds anew.
type DamagedSnapshotError struct {
	Path string
	Part string // what could not be read: "header", "manifest", "vectors", …
	Err  error
}

func (e *DamagedSnapshotError) Error() string {
	return fmt.Sprintf("index %s is damaged (%s: %v); delete it or run `incidentbot index --rebuild`", e.Path, e.Part, e.Err)
}

func (e *DamagedSnapshotError) Unwrap() error { return e.Err }

// moveAside renames a damaged snapshot to index.snapshot.damaged-<UTC
// time>, kept for whoever wants to see what went wrong, and returns the
// new path.
func moveAside(path string, now time.Time) (string, error) {
	to := path + ".damaged-" + now.UTC().Format("20060102T150405.000Z")
	if err := os.Rename(path, to); err != nil {
		return "", fmt.Errorf("moving the damaged index aside: %w", err)
	}
	return to, nil
}

// readSnapshot loads the snapshot in dir; it returns (nil, nil) when there
// is none yet, and a *DamagedSnapshotError when the file is there but
// cannot be loaded.
func readSnapshot(ctx context.Context, dir string) (_ *snapshot, err error) {
	path := filepath.Join(dir, SnapshotFile)
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading index: %w", err)
	}
	bad := func(why string, err error) error {
		return &DamagedSnapshotError{Path: path, Part: why, Err: err}
	}
	defer func() {
		// Decoding garbage must not take the process down with it.
		if p := recover(); p != nil {
			err = bad("vectors", fmt.Errorf("decoding panicked: %v", p))
		}
	}()
	if !bytes.HasPrefix(data, []byte(snapshotMagic)) {
		return nil, bad("header", errors.New("not an incidentbot index"))
	}
	r := bytes.NewReader(data[len(snapshotMagic):])
	size, err := binary.ReadUvarint(r)
	if err != nil || size > uint64(r.Len()) {
		return nil, bad("manifest length", fmt.Errorf("%v", err))
	}
	man := make([]byte, size)
	if _, err := io.ReadFull(r, man); err != nil {
		return nil, bad("manifest", err)
	}
	s := &snapshot{vectors: vectorSet{}}
	if err := json.Unmarshal(man, &s.Manifest); err != nil {
		return nil, bad("manifest", err)
	}
	db := chromem.NewDB()
	// chromem seeks back to the start of its reader to sniff compression, so
	// it gets a reader of its own part of the file.
	rest := data[len(data)-r.Len():]
	if err := db.ImportFromReader(bytes.NewReader(rest), ""); err != nil {
		return nil, bad("vectors", err)
	}
	pc, sc := db.GetCollection(passagesCollection, nil), db.GetCollection(sentencesCollection, nil)
	if pc == nil || sc == nil {
		return nil, bad("vectors", errors.New("collections missing"))
	}
	for _, p := range s.Passages {
		doc, err := pc.GetByID(ctx, p.ID)
		if err != nil {
			return nil, bad("passage "+p.ID, err)
		}
		s.vectors[p.Hash] = doc.Embedding
		for j, h := range p.Sentences {
			doc, err := sc.GetByID(ctx, sentenceID(p.ID, j))
			if err != nil {
				return nil, bad("sentence "+sentenceID(p.ID, j), err)
			}
			s.vectors[h] = doc.Embedding
		}
	}
	return s, nil
}
