package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/incidentbot/incidentbot/bench"
)

func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c := newCommand("bench", stderr)
	synth := c.fs.String("synthetic", "10000,100000", "sizes of synthetic corpora (passages) to time queries on; empty for none")
	if err := c.parse(args); err != nil {
		return err
	}
	cfg := c.cfg
	var sizes []int
	for _, s := range strings.Split(*synth, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return fmt.Errorf("--synthetic: %q is not a passage count", s)
		}
		sizes = append(sizes, n)
	}
	p, err := corpusProfile(cfg.Corpus)
	if err != nil {
		return err
	}
	r, err := bench.Run(ctx, bench.Options{
		ModelDir: cfg.Embedder.ModelDir, Load: corpusLoader(cfg.Corpus), Synthetic: sizes, Profile: p,
		Progress: func(s string) { fmt.Fprintln(stderr, "measuring", s, "…") },
	})
	if err != nil {
		return err
	}
	if c.flags.json {
		return json.NewEncoder(stdout).Encode(r)
	}
	fmt.Fprintf(stdout, "Encoder (USE-Lite, pure Go): %.0f passages/s, %.0f tokens/s (%d passages, %.0f tokens each)\n",
		r.Encoder.PassagesPerSec, r.Encoder.TokensPerSec, r.Encoder.Passages, r.Encoder.MeanTokens)
	fmt.Fprintf(stdout, "Model load:                  %.3f s\n", r.ModelLoadSeconds)
	fmt.Fprintf(stdout, "Index build (shipped corpus): %.2f s\n", r.IndexBuildSeconds)
	fmt.Fprintf(stdout, "Cold start (model + index):  %.3f s\n", r.ColdStartSeconds)
	fmt.Fprintf(stdout, "Refresh of unchanged corpus: %.3f s\n", r.RefreshUnchangedSeconds)
	fmt.Fprintf(stdout, "Query (embed + hybrid):      p50 %.2f ms, p99 %.2f ms (%d queries)\n", r.Query.P50MS, r.Query.P99MS, r.Query.N)
	fmt.Fprintf(stdout, "Ask (extractive, warm):      p50 %.2f ms, p99 %.2f ms\n", r.Ask.P50MS, r.Ask.P99MS)
	for _, s := range r.Synthetic {
		fmt.Fprintf(stdout, "Synthetic %6d passages (%d sentences): build %.1f s, query p50 %.1f ms, p99 %.1f ms\n",
			s.Passages, s.Sentences, s.BuildSeconds, s.Query.P50MS, s.Query.P99MS)
	}
	fmt.Fprintf(stdout, "Peak memory (RSS):           %.0f MB\n", r.PeakRSSMB)
	return nil
}
