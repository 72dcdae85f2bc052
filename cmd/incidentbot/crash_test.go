package main

import (
	"context"
	"github.com/incidentbot/incidentbot/internal/wiring"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/incidentbot/incidentbot"
	"github.com/incidentbot/incidentbot/corpus"
	"github.com/incidentbot/incidentbot/retrieval"
	"github.com/incidentbot/incidentbot/uselite"
)

// A refresh killed at any moment leaves an index a new process can load:
// the old one or the new one, never a torn file.
func TestKilledRefreshLeavesLoadableIndex(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the real binary")
	}
	bin := filepath.Join(t.TempDir(), "incidentbot")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	corpusDir := t.TempDir()
	entries, _ := os.ReadDir("../../corpus/articles")
	for _, e := range entries {
		b, _ := os.ReadFile(filepath.Join("../../corpus/articles", e.Name()))
		os.WriteFile(filepath.Join(corpusDir, e.Name()), b, 0o644)
	}
	data := t.TempDir()
	if out, err := exec.Command(bin, "index", "--corpus", corpusDir, "--data", data).CombinedOutput(); err != nil {
		t.Fatalf("first index: %v\n%s", err, out)
	}
	m, err := uselite.Load("")
	if err != nil {
		t.Fatal(err)
	}
	// Each round rewrites a word in most sentences, so the refresh embeds
	// for a second or two before it writes, and kills it after a different
	// delay: during start-up, embedding, writing or after.
	for round, delay := range []time.Duration{100 * time.Millisecond, 400 * time.Millisecond, 800 * time.Millisecond, 1200 * time.Millisecond, 1600 * time.Millisecond, 2500 * time.Millisecond} {
		for _, e := range entries {
			p := filepath.Join(corpusDir, e.Name())
			b, _ := os.ReadFile(p)
			from, to := "Iran", "Irán"
			if round%2 == 1 {
				from, to = to, from
			}
			os.WriteFile(p, []byte(strings.ReplaceAll(string(b), from, to)), 0o644)
		}
		cmd := exec.Command(bin, "index", "--corpus", corpusDir, "--data", data)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(delay)
		cmd.Process.Kill()
		cmd.Wait()
		// Whatever was on disk when it died must load (Open then refreshes it).
		_, _, err := retrieval.Open(context.Background(), retrieval.StoreOptions{Query: wiring.ShippedQuery(), DataDir: data, Embedder: m,
			Load: func() ([]*incidentbot.Article, error) { return corpus.LoadDir(corpusDir) }})
		if err != nil {
			t.Fatalf("round %d (killed after %v): the index on disk does not load: %v", round, delay, err)
		}
	}
}
