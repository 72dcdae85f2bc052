package corpus

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/google/renameio/v2"
	"github.com/incidentbot/incidentbot"
)

// A sources file lists the corpus: local article files and article URLs,
// each with optional metadata overrides. It is how maintainers curate the
// corpus without editing article files (a re-fetched page would overwrite
// such edits):
//
//	folder: fetched             # where `incidentbot corpus add` saves pages
//	articles:
//	  - path: articles/002_013f2565afa33a21.md
//	    tags: [albania, diplomatic-break]
//	  - url: https://www.dw.com/en/…/a-63136035
//	    file: fetched/2022-09-16-albania-blames-iran-for-cyberattacks.md
//	    outlet: DW
//
// Paths are relative to the sources file's folder. A URL entry is loaded from
// the file its page was saved to, so loading never touches the network.
//
// The shipped corpus/sources.yaml is not embedded in the binary: the
// built-in corpus is articles/*.md, loaded as a folder.

// SourcesFile is the name of the sources file in a corpus folder.
const SourcesFile = "sources.yaml"

var (
	sourcesTopFields = []string{"folder", "articles"}
	sourceFields     = []string{"path", "url", "file", "title", "outlet", "author", "date", "tags"}
)

// Sources is a parsed sources file.
type Sources struct {
	Path string // the file itself
	// Folder is where `corpus add` saves fetched pages, relative to the
	// file's folder ("" means the file's own folder).
	Folder  string
	Entries []*Source
	doc     *yaml.Node // kept so that writing the file back keeps its comments
	list    *yaml.Node // the articles sequence in doc
}

// Source is one entry of a sources file. Title, Outlet, Author, Date and
// Tags override the article file's front matter when set.
type Source struct {
	Index  int // 1-based position in the list
	Line   int // where the entry starts in the file
	Path   string
	URL    string
	File   string // for a URL entry: the file its page was saved to
	Title  string
	Outlet string
	Author string
	Date   string
	Tags   []string
	node   *yaml.Node
}

// Name says which entry this is, for messages: `entry 3 (url https://…)`.
func (e *Source) Name() string {
	if e.URL != "" {
		return fmt.Sprintf("entry %d (url %s)", e.Index, e.URL)
	}
	if e.Path != "" {
		return fmt.Sprintf("entry %d (path %s)", e.Index, e.Path)
	}
	return fmt.Sprintf("entry %d", e.Index)
}

// Saved is the article file the entry loads from, relative to the sources
// file's folder ("" for a URL not fetched yet).
func (e *Source) Saved() string {
	if e.Path != "" {
		return e.Path
	}
	return e.File
}

// SourcesError points at the line of a sources file, and the entry, where
// something is wrong.
type SourcesError struct {
	File  string
	Line  int
	Entry string // "entry 3 (url …)", or "" for the file as a whole
	Msg   string
}

func (e *SourcesError) Error() string {
	if e.Entry == "" {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s:%d: %s: %s", e.File, e.Line, e.Entry, e.Msg)
}

// Dir is the folder the file's relative paths start from.
func (s *Sources) Dir() string { return filepath.Dir(s.Path) }

// Abs turns a path from the file into one the program can open.
func (s *Sources) Abs(p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(s.Dir(), filepath.FromSlash(p))
}

// ReadSources reads and validates a sources file.
func ReadSources(path string) (*Sources, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("sources file: %w", err)
	}
	return ParseSources(path, data)
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): `)

// ParseSources validates a sources file's content; path names it in errors
// and anchors its relative paths. Every problem is reported, each with its
// line and entry, not only the first.
func ParseSources(path string, data []byte) (*Sources, error) {
	s := &Sources{Path: path}
	var errs []error
	fail := func(line int, e *Source, format string, args ...any) {
		se := &SourcesError{File: path, Line: line, Msg: fmt.Sprintf(format, args...)}
		if e != nil {
			se.Entry = e.Name()
		}
		errs = append(errs, se)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		line := 1
		if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
			line, _ = strconv.Atoi(m[1])
		}
		msg := strings.TrimPrefix(yamlLine.ReplaceAllString(err.Error(), ""), "yaml: ")
		return nil, &SourcesError{File: path, Line: line, Msg: "not valid YAML: " + msg}
	}
	if len(doc.Content) == 0 {
		return nil, &SourcesError{File: path, Line: 1, Msg: "the file is empty: it needs an `articles:` list"}
	}
	s.doc = &doc
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, &SourcesError{File: path, Line: root.Line, Msg: "must be a mapping with an `articles:` list"}
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		switch k.Value {
		case "folder":
			if v.Kind != yaml.ScalarNode {
				fail(v.Line, nil, "folder must be a single path")
			}
			s.Folder = strings.TrimSpace(v.Value)
		case "articles":
			if v.Kind != yaml.SequenceNode {
				fail(v.Line, nil, "articles must be a list of entries, each with a path or a url")
				continue
			}
			s.list = v
		default:
			fail(k.Line, nil, "unknown field %q (known fields: %s)", k.Value, strings.Join(sourcesTopFields, ", "))
		}
	}
	if s.list == nil && len(errs) == 0 {
		fail(root.Line, nil, "no `articles:` list")
	}
	if s.list != nil {
		for i, n := range s.list.Content {
			e := &Source{Index: i + 1, Line: n.Line, node: n}
			s.Entries = append(s.Entries, e)
			parseEntry(e, n, func(line int, format string, args ...any) { fail(line, e, format, args...) })
		}
	}
	s.checkEntries(fail)
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return s, nil
}

func parseEntry(e *Source, n *yaml.Node, fail func(int, string, ...any)) {
	if n.Kind != yaml.MappingNode {
		fail(n.Line, "must be a mapping such as `- path: articles/x.md` or `- url: https://…`")
		return
	}
	// Read path and url first so that any message names the entry by them.
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if v.Kind == yaml.ScalarNode && (k.Value == "path" || k.Value == "url") {
			if k.Value == "path" {
				e.Path = strings.TrimSpace(v.Value)
			} else {
				e.URL = strings.TrimSpace(v.Value)
			}
		}
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if seen[k.Value] {
			fail(k.Line, "field %q appears twice", k.Value)
			continue
		}
		seen[k.Value] = true
		if k.Value == "tags" {
			if v.Kind != yaml.SequenceNode {
				fail(v.Line, "tags must be a list, e.g. [albania, montenegro]")
				continue
			}
			for _, t := range v.Content {
				if t.Kind != yaml.ScalarNode || strings.TrimSpace(t.Value) == "" {
					fail(t.Line, "each tag must be a non-empty word")
					continue
				}
				e.Tags = append(e.Tags, strings.ToLower(strings.TrimSpace(t.Value)))
			}
			continue
		}
		if !slices.Contains(sourceFields, k.Value) {
			fail(k.Line, "unknown field %q (known fields: %s)", k.Value, strings.Join(sourceFields, ", "))
			continue
		}
		if v.Kind != yaml.ScalarNode {
			fail(v.Line, "field %q must be a single value", k.Value)
			continue
		}
		val := strings.TrimSpace(v.Value)
		if v.Tag == "!!null" {
			val = ""
		}
		switch k.Value {
		case "file":
			e.File = val
		case "title":
			e.Title = val
		case "outlet":
			e.Outlet = val
		case "author":
			e.Author = val
		case "date":
			e.Date = val
			if _, _, err := parseDate(val); err != nil {
				fail(v.Line, "bad date %q: use YYYY-MM-DD, YYYY-MM or YYYY", val)
			}
		case "url":
			if u, err := url.Parse(val); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				fail(v.Line, "url %q must be an http:// or https:// address", val)
			}
		}
	}
	switch {
	case e.Path == "" && e.URL == "":
		fail(n.Line, "needs a path (an article file) or a url (a page to fetch)")
	case e.Path != "" && e.URL != "":
		fail(n.Line, "has both a path and a url: give one (a fetched url names its saved copy with file:)")
	case e.Path != "" && e.File != "":
		fail(n.Line, "file: is only for url entries (where the page was saved); a local article needs only path:")
	}
}

// checkEntries finds duplicates and files that are not there.
func (s *Sources) checkEntries(fail func(int, *Source, string, ...any)) {
	urls, files := map[string]*Source{}, map[string]*Source{}
	for _, e := range s.Entries {
		if e.URL != "" {
			key := NormalizeURL(e.URL)
			if first, ok := urls[key]; ok {
				fail(e.Line, e, "duplicate url: already listed as entry %d (line %d)", first.Index, first.Line)
			} else {
				urls[key] = e
			}
		}
		saved := e.Saved()
		if saved == "" {
			continue
		}
		key := filepath.Clean(s.Abs(saved))
		if first, ok := files[key]; ok {
			fail(e.Line, e, "duplicate file %s: already listed as entry %d (line %d)", saved, first.Index, first.Line)
			continue
		}
		files[key] = e
		if st, err := os.Stat(key); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				fail(e.Line, e, "file not found: %s", key)
			} else {
				fail(e.Line, e, "%v", err)
			}
		} else if st.IsDir() {
			fail(e.Line, e, "%s is a folder, not an article file", key)
		}
	}
}

// Load reads every entry's article file and applies the entry's overrides.
// Articles are sorted by ID, as LoadDir sorts them, so listing a folder's
// files in a sources file serves exactly the same corpus.
func (s *Sources) Load() ([]*incidentbot.Article, error) {
	var (
		arts []*incidentbot.Article
		errs []error
		ids  = map[string]*Source{}
	)
	for _, e := range s.Entries {
		where := fmt.Sprintf("%s:%d: %s", s.Path, e.Line, e.Name())
		if e.Saved() == "" {
			errs = append(errs, fmt.Errorf("%s: not fetched yet: run `incidentbot corpus add %s`", where, e.URL))
			continue
		}
		file := s.Abs(e.Saved())
		data, err := os.ReadFile(file)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", where, err))
			continue
		}
		a, err := Parse(file, data)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", where, err))
			continue
		}
		if first, ok := ids[a.ID]; ok {
			errs = append(errs, fmt.Errorf("%s: article id %q (the file name) is also %s's; rename one file", where, a.ID, first.Name()))
			continue
		}
		ids[a.ID] = e
		e.apply(a)
		arts = append(arts, a)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if len(arts) == 0 {
		return nil, fmt.Errorf("%s lists no articles", s.Path)
	}
	sort.Slice(arts, func(i, j int) bool { return arts[i].ID < arts[j].ID })
	return arts, nil
}

func (e *Source) apply(a *incidentbot.Article) {
	if e.Title != "" {
		a.Title = e.Title
	}
	if e.Outlet != "" {
		a.Outlet = e.Outlet
	}
	if e.Author != "" {
		a.Author = e.Author
	}
	if e.Date != "" {
		a.Date, a.DatePrecision, _ = parseDate(e.Date) // validated when read
	}
	if e.URL != "" {
		a.URL = e.URL
	}
	if len(e.Tags) > 0 {
		a.Tags = append([]string(nil), e.Tags...)
	}
}

// LoadSources reads a sources file and loads the articles it lists.
func LoadSources(path string) ([]*incidentbot.Article, error) {
	s, err := ReadSources(path)
	if err != nil {
		return nil, err
	}
	return s.Load()
}

// FindSources returns dir's sources file, or "" when it has none.
func FindSources(dir string) string {
	p := filepath.Join(dir, SourcesFile)
	if st, err := os.Stat(p); err == nil && !st.IsDir() {
		return p
	}
	return ""
}

// LoadPath loads the corpus at p: a sources file, a folder with a
// sources.yaml (loaded through it), or a folder of article files (loaded as
// LoadDir does).
func LoadPath(p string) ([]*incidentbot.Article, error) {
	st, err := os.Stat(p)
	if err != nil {
		return nil, fmt.Errorf("corpus: %w", err)
	}
	if !st.IsDir() {
		return LoadSources(p)
	}
	if src := FindSources(p); src != "" {
		return LoadSources(src)
	}
	return LoadDir(p)
}

// NewSources starts a sources file at path listing files (paths relative to
// path's folder), e.g. the articles already in a folder that gets its first
// sources file.
func NewSources(path string, files []string) (*Sources, error) {
	var b strings.Builder
	b.WriteString("# The corpus: the articles incidentbot answers from. Each entry is a local\n")
	b.WriteString("# article file (path:) or a fetched page (url:, saved to file:), with optional\n")
	b.WriteString("# title, outlet, author, date and tags that override the file's front matter.\n")
	b.WriteString("articles:\n")
	for _, f := range files {
		fmt.Fprintf(&b, "  - path: %s\n", yamlString(filepath.ToSlash(f)))
	}
	if len(files) == 0 {
		b.Reset()
		b.WriteString("articles: []\n")
	}
	return ParseSources(path, []byte(b.String()))
}

func yamlString(s string) string {
	out, err := yaml.Marshal(s)
	if err != nil {
		return strconv.Quote(s)
	}
	return strings.TrimSpace(string(out))
}

// FindURL returns the entry listing rawURL, or nil.
func (s *Sources) FindURL(rawURL string) *Source {
	key := NormalizeURL(rawURL)
	for _, e := range s.Entries {
		if e.URL != "" && NormalizeURL(e.URL) == key {
			return e
		}
	}
	return nil
}

// SetURL records that rawURL was saved to file (relative to the sources
// file's folder), with tags, adding an entry or updating the one listing the
// URL. Other fields, and the rest of the file with its comments, are kept.
func (s *Sources) SetURL(rawURL, file string, tags []string) *Source {
	e := s.FindURL(rawURL)
	if e == nil {
		n := &yaml.Node{Kind: yaml.MappingNode}
		setField(n, "url", scalar(rawURL))
		s.list.Style = 0 // "articles: []" becomes a block list
		s.list.Content = append(s.list.Content, n)
		e = &Source{Index: len(s.Entries) + 1, URL: rawURL, node: n}
		s.Entries = append(s.Entries, e)
	}
	e.File = file
	setField(e.node, "file", scalar(filepath.ToSlash(file)))
	if tags != nil {
		e.Tags = tags
		list := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
		for _, t := range tags {
			list.Content = append(list.Content, scalar(t))
		}
		setField(e.node, "tags", list)
	}
	return e
}

func scalar(v string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v} }

func setField(m *yaml.Node, key string, v *yaml.Node) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			v.LineComment = m.Content[i+1].LineComment
			m.Content[i+1] = v
			return
		}
	}
	m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: key}, v)
}

// Encode renders the file as it would be written.
func (s *Sources) Encode() ([]byte, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(s.doc); err != nil {
		return nil, fmt.Errorf("encoding %s: %w", s.Path, err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("encoding %s: %w", s.Path, err)
	}
	return buf.Bytes(), nil
}

// Write saves the file (atomically: a crash leaves the old one whole).
func (s *Sources) Write() error {
	data, err := s.Encode()
	if err != nil {
		return err
	}
	return WriteFileAtomic(s.Path, data)
}

// NormalizeURL is the form in which URLs are compared to find duplicates:
// scheme and host in lower case, no fragment, no trailing slash.
func NormalizeURL(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return strings.TrimSpace(raw)
	}
	u.Scheme = strings.ToLower(u.Scheme)
	u.Host = strings.ToLower(u.Host)
	u.Fragment, u.RawFragment = "", ""
	u.Path = strings.TrimSuffix(u.Path, "/")
	u.RawPath = ""
	return u.String()
}

// WriteFileAtomic replaces path with data through a temporary file and a
// rename (renameio), so readers see the old file or the new one, never
// half of one.
func WriteFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", dir, err)
	}
	if err := renameio.WriteFile(path, data, 0o644, renameio.WithStaticPermissions(0o644)); err != nil {
		return fmt.Errorf("replacing %s: %w", path, err)
	}
	return nil
}
