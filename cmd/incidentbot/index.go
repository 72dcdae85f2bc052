package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/incidentbot/incidentbot/retrieval"
)

func runIndex(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c := newCommand("index", stderr)
	rebuild := c.fs.Bool("rebuild", false, "discard an index made by another embedder (or a damaged one) and build anew")
	dryRun := c.fs.Bool("dry-run", false, "only report what would change")
	if err := c.parse(args); err != nil {
		return err
	}
	cfg := c.cfg
	var progress io.Writer
	if isTerminal(stderr) && !c.flags.json {
		progress = stderr
	}
	a, err := c.open(ctx, openOptions{rebuild: *rebuild, progress: progress})
	if err != nil {
		return err
	}
	defer a.close()
	rep := a.opened
	if *dryRun {
		// Open already brought the index up to date; a dry run reports what a
		// refresh from here would do.
		if rep, err = a.store.Refresh(ctx, true); err != nil {
			return err
		}
	}
	if c.flags.json {
		return json.NewEncoder(stdout).Encode(rep)
	}
	printReport(stdout, rep, cfg.Data)
	return nil
}

func printReport(w io.Writer, r *retrieval.Report, dataDir string) {
	verb := "Indexed"
	if r.DryRun {
		verb = "Would index"
	}
	fmt.Fprintf(w, "%s %d articles, %d passages.\n", verb, r.Articles, r.Passages)
	list := func(ids []string) string {
		if len(ids) == 0 {
			return "0"
		}
		return fmt.Sprintf("%d (%s)", len(ids), strings.Join(ids, ", "))
	}
	fmt.Fprintf(w, "Articles: %s added, %s changed, %s removed.\n", list(r.ArticlesAdded), list(r.ArticlesChanged), list(r.ArticlesRemoved))
	fmt.Fprintf(w, "Passages: %d added, %d changed, %d removed.\n", r.PassagesAdded, r.PassagesChanged, r.PassagesRemoved)
	if r.DryRun {
		fmt.Fprintf(w, "Texts to embed: %d.\n", r.ToEmbed)
	} else {
		fmt.Fprintf(w, "Texts embedded: %d (passages and sentences; unchanged ones reuse their vectors).\n", r.Embedded)
	}
	saved := "index unchanged on disk"
	if r.Saved {
		saved = "saved to " + dataDir
	}
	fmt.Fprintf(w, "Took %.2f s; %s.\n", r.Seconds, saved)
}
