package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/incidentbot/incidentbot"
)

type searchResult struct {
	Rank   int     `json:"rank"`
	Doc    string  `json:"doc"`
	Title  string  `json:"title"`
	Outlet string  `json:"outlet"`
	Date   string  `json:"date"`
	Text   string  `json:"text"`
	Start  int     `json:"start"`
	End    int     `json:"end"`
	Score  float64 `json:"score"`
}

func runSearch(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	c := newCommand("search", stderr)
	k := c.fs.Int("k", 5, "how many passages to show")
	if err := c.parse(args); err != nil {
		return err
	}
	if *k < 1 || *k > 50 {
		return fmt.Errorf("-k must be between 1 and 50")
	}
	a, err := c.open(ctx, openOptions{serving: true})
	if err != nil {
		return err
	}
	defer a.close()
	one := func(q string) error {
		if strings.TrimSpace(q) == "" {
			return fmt.Errorf("empty query")
		}
		resp, err := a.store.Search(ctx, q, *k)
		if err != nil {
			return err
		}
		results := make([]searchResult, 0, len(resp.Hits))
		for _, h := range resp.Hits {
			results = append(results, searchResult{Rank: h.Rank, Doc: h.Article.ID, Title: h.Article.Title, Outlet: h.Article.Outlet,
				Date: h.Article.DateString(), Text: h.Passage.Text, Start: h.Passage.Start, End: h.Passage.End, Score: h.Score})
		}
		if c.flags.json {
			return json.NewEncoder(stdout).Encode(map[string]any{"query": q, "results": results})
		}
		fmt.Fprintf(stdout, "Query: %s\n\n", q)
		for _, r := range results {
			fmt.Fprintf(stdout, "%d. %s — %s (score %.3f)\n", r.Rank, r.Title, sourceLine(r.Outlet, r.Date), r.Score)
			fmt.Fprintf(stdout, "   %s\n\n", indent(r.Text, "   "))
		}
		return nil
	}
	if q := strings.Join(c.fs.Args(), " "); q != "" {
		return one(q)
	}
	return readLines(ctx, stdin, one)
}

// sourceLine is the source's byline, or says it has none.
func sourceLine(outlet, date string) string {
	if by := incidentbot.Byline(outlet, date); by != "" {
		return by
	}
	return "outlet not named"
}

func indent(s, prefix string) string {
	return strings.ReplaceAll(strings.TrimSpace(s), "\n", "\n"+prefix)
}
