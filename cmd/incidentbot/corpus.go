package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/incidentbot/incidentbot"
	"github.com/incidentbot/incidentbot/corpus"
	"github.com/incidentbot/incidentbot/corpus/fetch"
	"github.com/incidentbot/incidentbot/retrieval"
)

const corpusUsage = `Usage:
  incidentbot corpus add URL [--corpus DIR | --sources FILE] [--tags a,b] [--update]
  incidentbot corpus list [--corpus DIR | --sources FILE] [--data DIR] [--json]
  incidentbot corpus log [--data DIR] [--json]
`

func runCorpus(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, corpusUsage)
		return errors.New("corpus: say add, list or log")
	}
	switch args[0] {
	case "add":
		return runCorpusAdd(ctx, args[1:], stdout, stderr)
	case "list":
		return runCorpusList(ctx, args[1:], stdout, stderr)
	case "log":
		return runCorpusLog(ctx, args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, corpusUsage)
		return nil
	}
	fmt.Fprint(stderr, corpusUsage)
	return fmt.Errorf("corpus: unknown subcommand %q", args[0])
}

// parseInterspersed parses flags before and after positional arguments, so
// `corpus add URL --tags outage` works as a maintainer would type it.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// sourcesPath is the sources file a corpus command works on: --sources, or
// the corpus setting when it names a file, or sources.yaml in the corpus
// folder. "" means the built-in corpus.
func sourcesPath(sourcesFlag, corpusDir string) string {
	if sourcesFlag != "" {
		return sourcesFlag
	}
	if corpusDir == "" {
		return ""
	}
	if st, err := os.Stat(corpusDir); err == nil && !st.IsDir() {
		return corpusDir
	}
	return filepath.Join(corpusDir, corpus.SourcesFile)
}

func runCorpusAdd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c commonFlags
	fs := newFlagSet("corpus add", stderr)
	c.register(fs)
	sourcesFlag := fs.String("sources", "", "sources file to add the page to (default: <corpus>/sources.yaml)")
	tagsFlag := fs.String("tags", "", "comma-separated tags, e.g. outage,response")
	update := fs.Bool("update", false, "fetch a URL the sources file already lists again, rewriting its file if the page changed")
	timeout := fs.Duration("timeout", fetch.DefaultTimeout, "give up on the page after this long")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		fmt.Fprint(stderr, corpusUsage)
		return errors.New("corpus add: give one URL")
	}
	rawURL := pos[0]
	cfg, err := c.loadConfig()
	if err != nil {
		return err
	}
	path := sourcesPath(*sourcesFlag, cfg.Corpus)
	if path == "" {
		return errors.New("corpus add: say which corpus to add to with --corpus DIR (e.g. --corpus corpus) or --sources FILE; the built-in articles cannot be changed")
	}

	// Check the sources file before fetching anything: a typo in it is the
	// maintainer's to fix first.
	src, created, err := openSources(path)
	if err != nil {
		return err
	}
	entry := src.FindURL(rawURL)
	if entry != nil && entry.File != "" && !*update {
		return fmt.Errorf("%s is already in %s as %s (line %d), saved to %s; add --update to fetch it again",
			rawURL, path, entry.Name(), entry.Line, entry.File)
	}
	tags := splitTags(*tagsFlag)
	if tags == nil && entry != nil {
		tags = entry.Tags
	}

	page, err := fetch.Fetch(ctx, rawURL, fetch.Options{Timeout: *timeout})
	if err != nil {
		return err
	}
	data, err := page.File(tags)
	if err != nil {
		return err
	}
	rel := ""
	if entry != nil && entry.File != "" {
		rel = entry.File // an article keeps its file, hence its id, across re-fetches
	} else if rel, err = newArticlePath(src, page); err != nil {
		return err
	}
	file := src.Abs(rel)
	var before *incidentbot.Article
	if old, err := os.ReadFile(file); err == nil {
		before, _ = corpus.Parse(file, old) // only for the change summary
	}
	outcome, err := fetch.Save(file, data)
	if err != nil {
		return err
	}

	oldSources, err := src.Encode()
	if err != nil {
		return err
	}
	var tagUpdate []string
	if *tagsFlag != "" || entry == nil {
		tagUpdate = tags
	}
	e := src.SetURL(rawURL, rel, tagUpdate)
	newSources, err := src.Encode()
	if err != nil {
		return err
	}
	sourcesChanged := created || !bytes.Equal(oldSources, newSources)
	if sourcesChanged {
		if err := src.Write(); err != nil {
			return err
		}
	}

	res := addResult{URL: rawURL, FinalURL: page.FinalURL, File: file, Outcome: string(outcome), Sources: path,
		SourcesChanged: sourcesChanged, Entry: e.Index, Title: page.Title, Outlet: page.Outlet, Author: page.Author,
		Date: page.Date(), Tags: tags}
	after, err := corpus.Parse(file, data)
	if err != nil {
		return fmt.Errorf("the saved file does not load: %w", err)
	}
	res.Paragraphs = strings.Count(strings.TrimSpace(page.Text), "\n\n") + 1
	res.Sentences = len(corpus.Sentences(after, retrieval.SplitSentences))
	if outcome == fetch.Changed && before != nil {
		if d := corpus.Diff([]*incidentbot.Article{before}, []*incidentbot.Article{after}, retrieval.SplitSentences); len(d) > 0 {
			res.Change = d[0].Summary()
		}
	}
	if c.json {
		return json.NewEncoder(stdout).Encode(res)
	}
	res.print(stdout, page.Text, created, cfg.Corpus)
	return nil
}

// openSources reads the sources file, or starts one listing the article
// files already in its folder (so that adding a page does not drop them
// from the corpus).
func openSources(path string) (src *corpus.Sources, created bool, err error) {
	src, err = corpus.ReadSources(path)
	if err == nil {
		return src, false, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, false, err
	}
	dir := filepath.Dir(path)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return nil, false, fmt.Errorf("corpus folder %s does not exist", dir)
	}
	files, err := filepath.Glob(filepath.Join(dir, "*"+corpus.Ext))
	if err != nil {
		return nil, false, fmt.Errorf("listing %s: %w", dir, err)
	}
	for i, f := range files {
		files[i] = filepath.Base(f)
	}
	src, err = corpus.NewSources(path, files)
	if err != nil {
		return nil, false, err
	}
	return src, true, nil
}

// newArticlePath picks the file for a newly added page, relative to the
// sources file: <folder>/<date>-<slug>.md, with -2, -3… when that name, or
// its article id, is taken.
func newArticlePath(src *corpus.Sources, page *fetch.Page) (string, error) {
	ids := map[string]bool{}
	for _, e := range src.Entries {
		if s := e.Saved(); s != "" {
			ids[strings.TrimSuffix(filepath.Base(s), filepath.Ext(s))] = true
		}
	}
	base := strings.TrimSuffix(page.FileName(), corpus.Ext)
	for n := 1; n < 100; n++ {
		id := base
		if n > 1 {
			id = fmt.Sprintf("%s-%d", base, n)
		}
		rel := filepath.ToSlash(filepath.Join(src.Folder, id+corpus.Ext))
		if _, err := os.Stat(src.Abs(rel)); errors.Is(err, fs.ErrNotExist) && !ids[id] {
			return rel, nil
		}
	}
	return "", fmt.Errorf("no free file name for %s in %s", base, src.Abs(src.Folder))
}

func splitTags(s string) []string {
	var tags []string
	for _, t := range strings.Split(s, ",") {
		if t = strings.ToLower(strings.TrimSpace(t)); t != "" {
			tags = append(tags, t)
		}
	}
	return tags
}

type addResult struct {
	URL            string   `json:"url"`
	FinalURL       string   `json:"final_url"`
	File           string   `json:"file"`
	Outcome        string   `json:"outcome"` // created, changed, unchanged
	Change         string   `json:"change,omitempty"`
	Sources        string   `json:"sources"`
	SourcesChanged bool     `json:"sources_changed"`
	Entry          int      `json:"entry"`
	Title          string   `json:"title"`
	Outlet         string   `json:"outlet"`
	Author         string   `json:"author"`
	Date           string   `json:"date"`
	Tags           []string `json:"tags"`
	Paragraphs     int      `json:"paragraphs"`
	Sentences      int      `json:"citable_sentences"`
}

// print shows what was written, for the maintainer to review: the metadata,
// and the first and last paragraphs (where leftover debris would show).
func (r addResult) print(w io.Writer, text string, createdSources bool, corpusFlag string) {
	if r.FinalURL != "" && r.FinalURL != r.URL {
		fmt.Fprintf(w, "Fetched %s (redirected to %s).\n", r.URL, r.FinalURL)
	} else {
		fmt.Fprintf(w, "Fetched %s.\n", r.URL)
	}
	switch fetch.Outcome(r.Outcome) {
	case fetch.Unchanged:
		fmt.Fprintf(w, "Unchanged: %s already holds this page; nothing was written.\n", r.File)
	case fetch.Changed:
		fmt.Fprintf(w, "Rewrote %s: the page changed", r.File)
		if r.Change != "" {
			fmt.Fprintf(w, " (%s)", r.Change)
		}
		fmt.Fprintln(w, ".")
	default:
		fmt.Fprintf(w, "Wrote %s: %d paragraphs, %d citable sentences.\n", r.File, r.Paragraphs, r.Sentences)
	}
	field := func(name, v string) {
		if v == "" {
			v = "(not found on the page: set it in the sources entry)"
		}
		fmt.Fprintf(w, "  %-7s %s\n", name+":", v)
	}
	field("title", r.Title)
	field("outlet", r.Outlet)
	field("author", r.Author)
	field("date", r.Date)
	fmt.Fprintf(w, "  %-7s %s\n", "tags:", strings.Join(r.Tags, ", "))
	if fetch.Outcome(r.Outcome) != fetch.Unchanged {
		paras := strings.Split(strings.TrimSpace(text), "\n\n")
		fmt.Fprintf(w, "  %-7s %s\n", "first:", corpus.Excerpt(paras[0], 100))
		if len(paras) > 1 {
			fmt.Fprintf(w, "  %-7s %s\n", "last:", corpus.Excerpt(paras[len(paras)-1], 100))
		}
	}
	switch {
	case createdSources:
		fmt.Fprintf(w, "Created %s, listing the folder's articles and this page (entry %d).\n", r.Sources, r.Entry)
	case r.SourcesChanged:
		fmt.Fprintf(w, "Updated %s (entry %d).\n", r.Sources, r.Entry)
	}
	if fetch.Outcome(r.Outcome) != fetch.Unchanged {
		where := "--sources " + r.Sources
		if corpusFlag != "" {
			where = "--corpus " + corpusFlag
		}
		fmt.Fprintf(w, "Review the file, then run `incidentbot refresh --dry-run %s` to see what would go live.\n", where)
	}
}

func runCorpusList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c commonFlags
	fs := newFlagSet("corpus list", stderr)
	c.register(fs)
	sourcesFlag := fs.String("sources", "", "sources file listing the corpus (default: <corpus>/sources.yaml when it exists)")
	if _, err := parseInterspersed(fs, args); err != nil {
		return err
	}
	cfg, err := c.loadConfig()
	if err != nil {
		return err
	}
	if *sourcesFlag != "" {
		cfg.Corpus = *sourcesFlag
	}
	arts, err := corpusLoader(cfg.Corpus)()
	if err != nil {
		return err
	}
	// When each article was added is kept in the index served, the one
	// record of it.
	seen := map[string]time.Time{}
	st, _, err := openState(ctx, cfg, newLogger(cfg, stderr))
	if err != nil {
		return err
	}
	defer st.Close()
	man, err := retrieval.LatestManifest(ctx, st)
	if err != nil {
		return fmt.Errorf("reading the index served: %w", err)
	}
	if man != nil {
		for _, r := range man.Articles {
			if !r.Added.IsZero() {
				seen[r.ID] = r.Added
			}
		}
	}
	type listed struct {
		ID      string     `json:"id"`
		Title   string     `json:"title"`
		Outlet  string     `json:"outlet"`
		Date    string     `json:"date"`
		URL     string     `json:"url"`
		Tags    []string   `json:"tags"`
		Path    string     `json:"path"`
		AddedOn *time.Time `json:"added_on,omitempty"`
	}
	enc := json.NewEncoder(stdout)
	for _, a := range arts {
		l := listed{ID: a.ID, Title: a.Title, Outlet: a.Outlet, Date: a.DateString(), URL: a.URL, Tags: a.Tags, Path: a.Path}
		if t, ok := seen[a.ID]; ok {
			l.AddedOn = &t
		}
		if c.json {
			if err := enc.Encode(l); err != nil {
				return err
			}
			continue
		}
		var meta []string
		for _, m := range []string{a.Outlet, a.DateString()} {
			if m != "" {
				meta = append(meta, m)
			}
		}
		if l.AddedOn != nil {
			meta = append(meta, "added "+l.AddedOn.Format("2006-01-02"))
		}
		fmt.Fprintf(stdout, "%s  %s", a.ID, a.Title)
		if len(meta) > 0 {
			fmt.Fprintf(stdout, " (%s)", strings.Join(meta, ", "))
		}
		fmt.Fprintln(stdout)
	}
	if !c.json {
		fmt.Fprintf(stdout, "%d articles from %s; all load.\n", len(arts), corpusName(cfg.Corpus))
	}
	return nil
}

func runCorpusLog(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c commonFlags
	fs := newFlagSet("corpus log", stderr)
	c.register(fs)
	if _, err := parseInterspersed(fs, args); err != nil {
		return err
	}
	cfg, err := c.loadConfig()
	if err != nil {
		return err
	}
	st, _, err := openState(ctx, cfg, newLogger(cfg, stderr))
	if err != nil {
		return err
	}
	defer st.Close()
	hist, err := st.ReadHistory(ctx)
	if err != nil {
		return err
	}
	slices.Reverse(hist) // newest first
	if c.json {
		enc := json.NewEncoder(stdout)
		for _, e := range hist {
			if err := enc.Encode(e); err != nil {
				return err
			}
		}
		return nil
	}
	if len(hist) == 0 {
		fmt.Fprintln(stdout, "No refreshes recorded yet.")
		return nil
	}
	for _, e := range hist {
		who := e.Who
		if e.Via != "" {
			who += " (" + e.Via + ")"
		}
		fmt.Fprintf(stdout, "%s  %-20s %d added, %d changed, %d removed; %d articles; %d texts embedded in %s\n",
			e.Time.UTC().Format("2006-01-02 15:04:05 UTC"), who, len(e.Added), len(e.Changed), len(e.Removed),
			e.Articles, e.Embedded, seconds(e.Seconds))
		for _, l := range []struct {
			what string
			ids  []string
		}{{"added", e.Added}, {"changed", e.Changed}, {"removed", e.Removed}} {
			if len(l.ids) > 0 {
				fmt.Fprintf(stdout, "    %s: %s\n", l.what, strings.Join(l.ids, ", "))
			}
		}
	}
	return nil
}
