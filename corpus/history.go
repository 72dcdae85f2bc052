package corpus

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"github.com/incidentbot/incidentbot"
)

// Files in the data folder that remember what was applied.
const (
	// HistoryFile has one JSON line per applied refresh, oldest first.
	HistoryFile = "refresh-history.jsonl"
	// AppliedFile holds the corpus as last applied, so that a dry run can
	// show what the next refresh would change, sentence by sentence (the
	// index snapshot keeps only hashes).
	AppliedFile = "corpus-applied.json"
)

// HistoryEntry records one applied refresh.
type HistoryEntry struct {
	Time time.Time `json:"time"` // UTC
	// Who asked for it: the OS user for the CLI, a hash of the Discord user
	// id for the bot (never the id itself).
	Who      string   `json:"who"`
	Via      string   `json:"via,omitempty"` // "cli", "discord"
	Added    []string `json:"added"`         // article ids
	Changed  []string `json:"changed"`
	Removed  []string `json:"removed"`
	Articles int      `json:"articles"` // in the corpus afterwards
	// Embedded counts the texts sent to the embedder: new or changed
	// passages and their sentences.
	Embedded int     `json:"embedded"`
	Seconds  float64 `json:"seconds"`
}

// historyMu serialises appends within the process (the bot may record a
// /refresh while another finishes); O_APPEND keeps whole lines apart between
// processes.
var historyMu sync.Mutex

// AppendHistory records e in dataDir's history. A zero Time means now.
func AppendHistory(dataDir string, e HistoryEntry) error {
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	e.Time = e.Time.UTC()
	line, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("encoding history entry: %w", err)
	}
	line = append(line, '\n')
	historyMu.Lock()
	defer historyMu.Unlock()
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return fmt.Errorf("creating data folder: %w", err)
	}
	path := filepath.Join(dataDir, HistoryFile)
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("opening refresh history: %w", err)
	}
	if _, err := f.Write(line); err != nil {
		f.Close()
		return fmt.Errorf("writing refresh history %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("writing refresh history %s: %w", path, err)
	}
	return nil
}

// ReadHistory returns the recorded refreshes, newest first; none when there
// is no history yet. A last line cut short (a crash mid-append) is skipped;
// any other bad line is an error naming it.
func ReadHistory(dataDir string) ([]HistoryEntry, error) {
	path := filepath.Join(dataDir, HistoryFile)
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading refresh history: %w", err)
	}
	defer f.Close()
	var out []HistoryEntry
	r := bufio.NewReader(f)
	for n := 1; ; n++ {
		line, rerr := r.ReadBytes('\n')
		if rerr != nil && !errors.Is(rerr, io.EOF) {
			return nil, fmt.Errorf("reading %s: %w", path, rerr)
		}
		torn := errors.Is(rerr, io.EOF)
		if len(bytes.TrimSpace(line)) > 0 {
			var e HistoryEntry
			if err := json.Unmarshal(line, &e); err != nil {
				if !torn {
					return nil, fmt.Errorf("%s:%d: not a history entry: %w", path, n, err)
				}
			} else {
				out = append(out, e)
			}
		}
		if torn {
			break
		}
	}
	// Newest first. Appends are in time order; sorting also copes with a
	// clock that stepped back, keeping file order among equal times.
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Time.After(out[j].Time) })
	return out, nil
}

// FirstSeen returns when each article was first added by a recorded
// refresh. Articles indexed before the history began have no entry.
func FirstSeen(dataDir string) (map[string]time.Time, error) {
	hist, err := ReadHistory(dataDir)
	if err != nil {
		return nil, err
	}
	seen := map[string]time.Time{}
	for _, e := range hist {
		for _, id := range e.Added {
			if t, ok := seen[id]; !ok || e.Time.Before(t) {
				seen[id] = e.Time
			}
		}
	}
	return seen, nil
}

// Applied is the corpus as a refresh last applied it.
type Applied struct {
	SavedAt  time.Time
	Articles []*incidentbot.Article
}

type appliedJSON struct {
	SavedAt  time.Time         `json:"saved_at"`
	Articles []appliedArticleJ `json:"articles"`
}

type appliedArticleJ struct {
	ID     string   `json:"id"`
	Title  string   `json:"title"`
	Outlet string   `json:"outlet,omitempty"`
	Author string   `json:"author,omitempty"`
	Date   string   `json:"date,omitempty"`
	URL    string   `json:"url,omitempty"`
	Tags   []string `json:"tags,omitempty"`
	Path   string   `json:"path,omitempty"`
	Hash   string   `json:"hash"` // of Text, to catch a damaged file
	Text   string   `json:"text"`
}

func textHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:16])
}

// SaveApplied records arts as the corpus now served. Call it after every
// applied refresh (CLI or bot) so the next dry run diffs against it.
func SaveApplied(dataDir string, arts []*incidentbot.Article) error {
	out := appliedJSON{SavedAt: time.Now().UTC()}
	for _, a := range arts {
		out.Articles = append(out.Articles, appliedArticleJ{ID: a.ID, Title: a.Title, Outlet: a.Outlet, Author: a.Author,
			Date: a.DateString(), URL: a.URL, Tags: a.Tags, Path: a.Path, Hash: textHash(a.Text), Text: a.Text})
	}
	data, err := json.MarshalIndent(out, "", " ")
	if err != nil {
		return fmt.Errorf("encoding the applied corpus: %w", err)
	}
	return WriteFileAtomic(filepath.Join(dataDir, AppliedFile), append(data, '\n'))
}

// ReadApplied returns the corpus as last applied, or nil when no refresh
// has recorded one.
func ReadApplied(dataDir string) (*Applied, error) {
	path := filepath.Join(dataDir, AppliedFile)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the applied corpus: %w", err)
	}
	var in appliedJSON
	if err := json.Unmarshal(data, &in); err != nil {
		return nil, fmt.Errorf("%s is damaged (delete it; the next refresh writes it again): %w", path, err)
	}
	ap := &Applied{SavedAt: in.SavedAt}
	for _, j := range in.Articles {
		if textHash(j.Text) != j.Hash {
			return nil, fmt.Errorf("%s is damaged: article %s does not match its hash (delete the file; the next refresh writes it again)", path, j.ID)
		}
		a := &incidentbot.Article{ID: j.ID, Title: j.Title, Outlet: j.Outlet, Author: j.Author, URL: j.URL, Tags: j.Tags, Path: j.Path, Text: j.Text}
		if a.Date, a.DatePrecision, err = parseDate(j.Date); err != nil {
			return nil, fmt.Errorf("%s: article %s: %w", path, j.ID, err)
		}
		ap.Articles = append(ap.Articles, a)
	}
	return ap, nil
}
