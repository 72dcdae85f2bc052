package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"

	"github.com/incidentbot/incidentbot/bench"
)

func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c := newCommand("bench", stderr)
	synth := c.fs.String("synthetic", "10000,100000", "sizes of synthetic corpora (passages) to time queries on, each in a process of its own; empty for none")
	one := c.fs.Int("measure-synthetic", 0, "measure only a synthetic corpus of this many passages and print its figures as JSON (what each size's own process runs)")
	serving := c.fs.String("measure-serving", "", "measure only a process serving the index persisted in this folder (cold start, latency, memory) and print its figures as JSON (what the serving figure's own process runs)")
	if err := c.parse(args); err != nil {
		return err
	}
	cfg := c.cfg
	p, err := corpusProfile(cfg.Corpus)
	if err != nil {
		return err
	}
	opts := bench.Options{ModelDir: cfg.Embedder.ModelDir, Load: corpusLoader(cfg.Corpus), Profile: p}
	if *one > 0 {
		s, err := bench.MeasureSynthetic(ctx, opts, *one)
		if err != nil {
			return err
		}
		return json.NewEncoder(stdout).Encode(s)
	}
	if *serving != "" {
		s, err := bench.MeasureServing(ctx, opts, *serving)
		if err != nil {
			return err
		}
		return json.NewEncoder(stdout).Encode(s)
	}
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
	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("finding this program to measure each synthetic size alone: %w", err)
	}
	opts.Synthetic = sizes
	opts.Progress = func(s string) { fmt.Fprintln(stderr, "measuring", s, "…") }
	opts.Child = func(ctx context.Context, n int) *exec.Cmd {
		cmd := exec.CommandContext(ctx, self, "bench", "--config", c.flags.config, "--corpus", c.flags.corpus,
			"--model-dir", c.flags.modelDir, "--measure-synthetic", strconv.Itoa(n))
		cmd.Stderr = stderr
		return cmd
	}
	opts.Serving = func(ctx context.Context, data string) *exec.Cmd {
		cmd := exec.CommandContext(ctx, self, "bench", "--config", c.flags.config, "--corpus", c.flags.corpus,
			"--model-dir", c.flags.modelDir, "--measure-serving", data)
		cmd.Stderr = stderr
		return cmd
	}
	r, err := bench.Run(ctx, opts)
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
	fmt.Fprintf(stdout, "Cold start (model, language pack, index): %.3f s\n", r.ColdStartSeconds)
	fmt.Fprintf(stdout, "Refresh of unchanged corpus: %.3f s\n", r.RefreshUnchangedSeconds)
	fmt.Fprintf(stdout, "Query (embed + hybrid):      p50 %.2f ms, p99 %.2f ms (%d queries)\n", r.Query.P50MS, r.Query.P99MS, r.Query.N)
	fmt.Fprintf(stdout, "Ask (extractive, warm):      p50 %.2f ms, p99 %.2f ms\n", r.Ask.P50MS, r.Ask.P99MS)
	for _, s := range r.Synthetic {
		fmt.Fprintf(stdout, "Synthetic %7d passages (%d sentences): build %.1f s, heap %.0f MB (+ %.0f MB codes, %.0f MB exact vectors in the page cache), peak RSS %.0f MB, query p50 %.1f ms, p99 %.1f ms, compact-scan recall@10 %.4f, one-article refresh serving after %.1f s and saved after %.1f s (%d texts embedded)\n",
			s.Passages, s.Sentences, s.BuildSeconds, s.HeapMB, s.CodesMB, s.ExactVectorsMB, s.PeakRSSMB, s.Query.P50MS, s.Query.P99MS, s.RecallAt10, s.RefreshOneSeconds, s.RefreshSavedSeconds, s.RefreshEmbedded)
	}
	fmt.Fprintf(stdout, "Peak memory (RSS), a process serving the shipped corpus: %.0f MB\n", r.ServingPeakRSSMB)
	fmt.Fprintf(stdout, "Peak memory (RSS), this bench process (embedding and indexing the shipped corpus): %.0f MB\n", r.BenchPeakRSSMB)
	return nil
}
