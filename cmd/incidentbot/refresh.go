package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"time"

	"github.com/incidentbot/incidentbot"
	"github.com/incidentbot/incidentbot/config"
	"github.com/incidentbot/incidentbot/corpus"
	"github.com/incidentbot/incidentbot/retrieval"
)

// useLiteTextsPerSecond is the sentence encoder's throughput used for the
// time estimate: texts (passages and sentences of news prose) per second on
// one core. Building the shipped corpus embedded 309 texts in 1.41 s (219/s)
// on a 2-core x86-64 with AVX2; the estimate rounds down to stay on the safe
// side on slower machines.
const useLiteTextsPerSecond = 200

// refreshResult is what `refresh` reports, as text or JSON.
type refreshResult struct {
	DryRun bool   `json:"dry_run"`
	Corpus string `json:"corpus"`
	// Baseline is when the corpus compared against was applied; absent when
	// no refresh has recorded one.
	Baseline         *time.Time        `json:"baseline,omitempty"`
	Changes          []corpus.Change   `json:"changes"`
	Articles         int               `json:"articles"`
	ToEmbed          int               `json:"to_embed"`
	EstimatedSeconds float64           `json:"estimated_seconds,omitempty"`
	Report           *retrieval.Report `json:"report,omitempty"` // what was applied
	Warnings         []string          `json:"warnings,omitempty"`
}

func runRefresh(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c commonFlags
	fs := newFlagSet("refresh", stderr)
	c.register(fs)
	dryRun := fs.Bool("dry-run", false, "show what would change and what it would cost, changing nothing on disk")
	sources := fs.String("sources", "", "sources file listing the corpus (default: <corpus>/sources.yaml when it exists)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("refresh takes no arguments, got %q", fs.Args())
	}
	cfg, err := c.loadConfig()
	if err != nil {
		return err
	}
	if *sources != "" {
		cfg.Corpus = *sources
	}
	applied, err := corpus.ReadApplied(cfg.Data)
	if err != nil {
		return err
	}
	res := &refreshResult{DryRun: *dryRun, Corpus: corpusName(cfg.Corpus)}
	var old []*incidentbot.Article
	if applied != nil {
		old = applied.Articles
		t := applied.SavedAt
		res.Baseline = &t
		// Only a dry run needs this: an applied refresh reports what the
		// index itself changed.
		if st, err := os.Stat(filepath.Join(cfg.Data, retrieval.SnapshotFile)); *dryRun && err == nil && st.ModTime().After(t.Add(time.Second)) {
			res.Warnings = append(res.Warnings, fmt.Sprintf("the index was saved at %s, after the last recorded refresh: "+
				"another command (index, or one that refreshed on start) may have applied some of these changes already",
				st.ModTime().UTC().Format("2006-01-02 15:04 UTC")))
		}
	} else if *dryRun {
		res.Warnings = append(res.Warnings, fmt.Sprintf("no record of the corpus being served (%s is written by each `incidentbot refresh`): "+
			"every article counts as new", filepath.Join(cfg.Data, corpus.AppliedFile)))
	}

	if *dryRun {
		// Nothing is opened that could write: the store refreshes when it
		// opens, so the diff and the embedding estimate are computed here.
		next, err := corpusLoader(cfg.Corpus)()
		if err != nil {
			return fmt.Errorf("loading corpus: %w", err)
		}
		res.Changes = corpus.Diff(old, next, retrieval.SplitSentences)
		res.Articles = len(next)
		res.ToEmbed = textsToEmbed(old, next)
		if cfg.Embedder.Provider != "openai" {
			res.EstimatedSeconds = float64(res.ToEmbed) / useLiteTextsPerSecond
		}
		return printRefresh(stdout, res, c.json, cfg)
	}

	log := newLogger(cfg, stderr)
	var progress io.Writer
	if isTerminal(stderr) && !c.json {
		progress = stderr
	}
	a, err := openApp(ctx, cfg, log, openOptions{progress: progress})
	if err != nil {
		return err
	}
	rep := a.opened // opening brought the index up to date: that was the refresh
	next := a.store.Index().Articles()
	res.Report = rep
	res.Articles = len(next)
	res.ToEmbed = rep.Embedded
	res.Changes = appliedChanges(corpus.Diff(old, next, retrieval.SplitSentences), rep, next)
	if err := corpus.AppendHistory(cfg.Data, corpus.HistoryEntry{
		Who: osUser(), Via: "cli", Added: rep.ArticlesAdded, Changed: rep.ArticlesChanged, Removed: rep.ArticlesRemoved,
		Articles: rep.Articles, Embedded: rep.Embedded, Seconds: rep.Seconds,
	}); err != nil {
		return fmt.Errorf("the refresh was applied, but recording it failed: %w", err)
	}
	if err := corpus.SaveApplied(cfg.Data, next); err != nil {
		return fmt.Errorf("the refresh was applied, but saving the applied corpus for the next dry run failed: %w", err)
	}
	return printRefresh(stdout, res, c.json, cfg)
}

// textsToEmbed counts the passages and sentences of next that old has no
// vector for: what the store would send to the embedder, since the vectors
// it keeps are exactly those of the corpus it serves.
func textsToEmbed(old, next []*incidentbot.Article) int {
	known := map[string]bool{}
	each := func(arts []*incidentbot.Article, f func(string)) {
		for _, a := range arts {
			for _, p := range retrieval.Chunk(a) {
				f(p.Text)
				for _, s := range p.Sentences {
					f(a.Text[s.Start:s.End])
				}
			}
		}
	}
	each(old, func(t string) { known[retrieval.Hash(t)] = true })
	n := 0
	each(next, func(t string) {
		if h := retrieval.Hash(t); !known[h] {
			known[h] = true
			n++
		}
	})
	return n
}

// appliedChanges keeps the articles the refresh changed in the index (the
// report is the authority on that), with the diff's detail where the
// previous text was recorded.
func appliedChanges(diff []corpus.Change, rep *retrieval.Report, next []*incidentbot.Article) []corpus.Change {
	byID := map[string]corpus.Change{}
	for _, c := range diff {
		byID[c.ID] = c
	}
	titles := map[string]string{}
	for _, a := range next {
		titles[a.ID] = a.Title
	}
	var out []corpus.Change
	add := func(ids []string, kind corpus.ChangeKind) {
		for _, id := range ids {
			c, ok := byID[id]
			if !ok || c.Kind != kind {
				c = corpus.Change{Kind: kind, ID: id, Title: titles[id]}
			}
			out = append(out, c)
		}
	}
	add(rep.ArticlesAdded, corpus.Added)
	add(rep.ArticlesChanged, corpus.Changed)
	add(rep.ArticlesRemoved, corpus.Removed)
	return out
}

func printRefresh(w io.Writer, r *refreshResult, asJSON bool, cfg config.Config) error {
	if r.Changes == nil {
		r.Changes = []corpus.Change{}
	}
	if asJSON {
		return json.NewEncoder(w).Encode(r)
	}
	if r.DryRun {
		fmt.Fprintln(w, "Dry run: nothing was changed.")
	}
	if r.Baseline != nil {
		fmt.Fprintf(w, "Corpus: %s, compared with the one applied on %s.\n", r.Corpus, r.Baseline.UTC().Format("2006-01-02 15:04 UTC"))
	} else {
		fmt.Fprintf(w, "Corpus: %s.\n", r.Corpus)
	}
	for _, warn := range r.Warnings {
		fmt.Fprintln(w, "Note:", warn+".")
	}
	var added, changed, removed int
	for _, c := range r.Changes {
		mark := map[corpus.ChangeKind]string{corpus.Added: "+", corpus.Changed: "~", corpus.Removed: "-"}[c.Kind]
		switch c.Kind {
		case corpus.Added:
			added++
		case corpus.Changed:
			changed++
		case corpus.Removed:
			removed++
		}
		line := fmt.Sprintf("  %s %-7s %s", mark, c.Kind, c.ID)
		if c.Title != "" {
			line += fmt.Sprintf(" %q", corpus.Excerpt(c.Title, 60))
		}
		if s := c.Summary(); s != "" {
			line += ": " + s
		}
		fmt.Fprintln(w, line)
	}
	if len(r.Changes) == 0 {
		fmt.Fprintf(w, "No changes: the index serves this corpus (%d articles).\n", r.Articles)
	} else {
		fmt.Fprintf(w, "Articles: %d added, %d changed, %d removed; %d in the corpus.\n", added, changed, removed, r.Articles)
	}
	if r.DryRun {
		switch {
		case r.ToEmbed == 0:
			fmt.Fprintln(w, "Passages and sentences to embed: none.")
		case r.EstimatedSeconds > 0:
			fmt.Fprintf(w, "Passages and sentences to embed: %d (about %s with use-lite at ~%d texts/s).\n",
				r.ToEmbed, seconds(r.EstimatedSeconds), useLiteTextsPerSecond)
		default:
			fmt.Fprintf(w, "Passages and sentences to embed: %d (the time depends on the embeddings server).\n", r.ToEmbed)
		}
		if len(r.Changes) > 0 {
			fmt.Fprintln(w, "Run the same command without --dry-run to apply it.")
		}
		return nil
	}
	rep := r.Report
	saved := "index unchanged on disk"
	if rep.Saved {
		saved = "index saved to " + cfg.Data
	}
	fmt.Fprintf(w, "Applied: %d passages (%d added, %d changed, %d removed); embedded %d texts in %s; %s.\n",
		rep.Passages, rep.PassagesAdded, rep.PassagesChanged, rep.PassagesRemoved, rep.Embedded, seconds(rep.Seconds), saved)
	fmt.Fprintf(w, "Recorded in %s.\n", filepath.Join(cfg.Data, corpus.HistoryFile))
	return nil
}

func seconds(s float64) string {
	if s < 10 {
		return fmt.Sprintf("%.1f s", s)
	}
	return time.Duration(s * float64(time.Second)).Round(time.Second).String()
}

func corpusName(c string) string {
	if c == "" {
		return "the built-in corpus"
	}
	return c
}

// osUser names who ran the command, for the refresh history.
func osUser() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	for _, v := range []string{"USER", "USERNAME"} {
		if s := strings.TrimSpace(os.Getenv(v)); s != "" {
			return s
		}
	}
	return "unknown"
}
