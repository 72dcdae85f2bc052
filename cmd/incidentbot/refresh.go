package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/user"
	"strings"
	"time"

	"github.com/incidentbot/incidentbot"
	"github.com/incidentbot/incidentbot/config"
)

// useLiteTextsPerSecond is the sentence encoder's throughput used for the
// time estimate: texts (passages and sentences of news prose) per second on
// one core. Building the shipped corpus embedded 309 texts in 1.41 s (219/s)
// on a 2-core x86-64 with AVX2; the estimate rounds down to stay on the safe
// side on slower machines.
const useLiteTextsPerSecond = 200

// refreshResult is what `refresh` reports, as text or JSON: the plan (or,
// once applied, what was applied) and the report of applying it.
type refreshResult struct {
	DryRun bool   `json:"dry_run"`
	Corpus string `json:"corpus"`
	*incidentbot.RefreshPlan
	Report *incidentbot.RefreshReport `json:"report,omitempty"` // what was applied
}

func runRefresh(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c commonFlags
	fs := newFlagSet("refresh", stderr)
	c.register(fs)
	dryRun := fs.Bool("dry-run", false, "show what would change and what it would cost, changing nothing")
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
	log := newLogger(cfg, stderr)
	var progress io.Writer
	if isTerminal(stderr) && !c.json && !*dryRun {
		progress = stderr
	}
	by := incidentbot.Actor{Who: osUser(), Via: "cli"}
	a, err := openApp(ctx, cfg, log, openOptions{progress: progress, forRefresh: true, by: by})
	if err != nil {
		return err
	}
	defer a.close()
	plan, err := a.refresher.Plan(ctx)
	if err != nil {
		return err
	}
	res := resultOf(plan, cfg)
	res.DryRun = *dryRun
	if plan.Base == "" {
		plan.Warnings = append(plan.Warnings, "no index has been published yet: every article counts as new")
	}
	if *dryRun {
		return printRefresh(stdout, res, c.json)
	}
	rep, err := a.refresher.Apply(ctx, plan, by)
	if rep == nil {
		return fmt.Errorf("refresh: %w", err)
	}
	done := resultOf(rep.Plan, cfg)
	done.Report = rep
	done.Warnings = append(done.Warnings, plan.Warnings...)
	if perr := printRefresh(stdout, done, c.json); perr != nil {
		return perr
	}
	return err // applied, but not recorded
}

func resultOf(p *incidentbot.RefreshPlan, cfg config.Config) *refreshResult {
	return &refreshResult{Corpus: corpusName(cfg.Corpus), RefreshPlan: p}
}

func printRefresh(w io.Writer, r *refreshResult, asJSON bool) error {
	if r.Changes == nil {
		r.Changes = []incidentbot.ArticleChange{}
	}
	if asJSON {
		return json.NewEncoder(w).Encode(r)
	}
	if r.DryRun {
		fmt.Fprintln(w, "Dry run: nothing was changed.")
	}
	if r.Base != "" {
		fmt.Fprintf(w, "Corpus: %s, compared with the index served (version %s, built %s).\n", r.Corpus, r.Base, r.BaseBuiltAt.UTC().Format("2006-01-02 15:04 UTC"))
	} else {
		fmt.Fprintf(w, "Corpus: %s.\n", r.Corpus)
	}
	for _, warn := range r.Warnings {
		fmt.Fprintln(w, "Note:", warn+".")
	}
	var added, changed, removed int
	for _, c := range r.Changes {
		mark := map[incidentbot.ChangeKind]string{incidentbot.Added: "+", incidentbot.Changed: "~", incidentbot.Removed: "-"}[c.Kind]
		switch c.Kind {
		case incidentbot.Added:
			added++
		case incidentbot.Changed:
			changed++
		case incidentbot.Removed:
			removed++
		}
		line := fmt.Sprintf("  %s %-7s %s", mark, c.Kind, c.ID)
		if c.Title != "" {
			line += fmt.Sprintf(" %q", incidentbot.Excerpt(c.Title, 60))
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
	if !rep.Saved {
		// This process exits: the index it built served nobody, and
		// nothing was published.
		fmt.Fprintf(w, "Not applied: %d passages (%d added, %d changed, %d removed) were indexed (%d texts embedded), but saving the new index failed (%d attempts; last: %s). Nothing was published: every process still serves the previous index.\n",
			r.Passages, r.PassagesAdded, r.PassagesChanged, r.PassagesRemoved, rep.Embedded, rep.SaveFailures, rep.SaveError)
		return nil
	}
	if rep.Version == r.Base {
		fmt.Fprintf(w, "Nothing to apply: the index served (version %s) already matches the corpus.\n", rep.Version)
		return nil
	}
	fmt.Fprintf(w, "Applied: %d passages (%d added, %d changed, %d removed); embedded %d texts and built the index in %s; published as version %s after %s, which every process serving this state swaps in within seconds.\n",
		r.Passages, r.PassagesAdded, r.PassagesChanged, r.PassagesRemoved, rep.Embedded, seconds(rep.Seconds), rep.Version, seconds(rep.SavedSeconds))
	fmt.Fprintln(w, "Recorded in the refresh history (incidentbot corpus log).")
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
