package uselite

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// copyWeights copies the installed weights (model.json, vocab.json and
// the shards) into a folder of the test's own, to damage.
func copyWeights(t *testing.T) string {
	t.Helper()
	src, err := FindWeights("")
	if err != nil {
		t.Fatal(err)
	}
	dst := t.TempDir()
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if n := e.Name(); n == "model.json" || n == "vocab.json" || strings.HasPrefix(n, "group") {
			b, err := os.ReadFile(filepath.Join(src, n))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dst, n), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	return dst
}

// shards lists the shard files of dir, in order.
func shards(t *testing.T, dir string) []string {
	t.Helper()
	got, err := filepath.Glob(filepath.Join(dir, "group1-shard*"))
	if err != nil || len(got) < 2 {
		t.Fatalf("shards in %s: %v, %v", dir, got, err)
	}
	slices.Sort(got)
	return got
}

func wantErrNaming(t *testing.T, err error, what string, names ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: no error", what)
	}
	for _, n := range names {
		if !strings.Contains(err.Error(), n) {
			t.Errorf("%s: the error does not name %s:\n%v", what, n, err)
		}
	}
}

func TestLoadNamesMissingShard(t *testing.T) {
	dir := copyWeights(t)
	gone := shards(t, dir)[2]
	if err := os.Remove(gone); err != nil {
		t.Fatal(err)
	}
	_, err := Load(dir)
	wantErrNaming(t, err, "missing shard", gone)
}

func TestLoadNamesTruncatedShard(t *testing.T) {
	dir := copyWeights(t)
	ss := shards(t, dir)
	last := ss[len(ss)-1]
	fi, err := os.Stat(last)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(last, fi.Size()-4096); err != nil {
		t.Fatal(err)
	}
	_, err = Load(dir)
	wantErrNaming(t, err, "truncated shard", filepath.Join(dir, "model.json"), filepath.Base(last), "truncated")
}

func TestLoadNamesMissingTensor(t *testing.T) {
	dir := copyWeights(t)
	path := filepath.Join(dir, "model.json")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// The last mention is the weights manifest's (the graph's nodes come
	// first).
	const name = `"module/Embeddings_en"`
	i := strings.LastIndex(string(b), name)
	if i < 0 {
		t.Fatalf("model.json has no %s", name)
	}
	renamed := string(b[:i]) + `"module/Embeddings_xx"` + string(b[i+len(name):])
	if err := os.WriteFile(path, []byte(renamed), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = Load(dir)
	wantErrNaming(t, err, "missing tensor", path, "module/Embeddings_en")
}

// The token embeddings are read from the shards as texts are encoded: a
// shard damaged after loading gives an error naming it, not a panic or a
// wrong vector.
func TestEmbedNamesShardDamagedAfterLoad(t *testing.T) {
	dir := copyWeights(t)
	m, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Embed(context.Background(), []string{"Who attacked the servers?"}); err != nil {
		t.Fatal(err)
	}
	ss := shards(t, dir)
	for _, s := range ss {
		if err := os.Truncate(s, 0); err != nil {
			t.Fatal(err)
		}
	}
	_, err = m.Embed(context.Background(), []string{"Who attacked the servers?"})
	wantErrNaming(t, err, "shards emptied after loading", "text 0", filepath.Join(dir, "group1-shard"))
}

// A scratch is sized for the text it first encodes and grows for longer
// ones: texts encoded one at a time, short and long in turn, get the same
// vectors as in one batch.
func TestEmbedShortAndLongInTurn(t *testing.T) {
	m := loadModel(t)
	texts := []string{
		"Who?",
		strings.Repeat("The ministry said its servers were attacked again. ", 20), // over 128 tokens
		"When were the servers attacked?",
		strings.Repeat("Officials met on Friday. ", 6),
		"a",
	}
	want, err := m.Embed(context.Background(), texts)
	if err != nil {
		t.Fatal(err)
	}
	for round := range 2 {
		for i, text := range texts {
			got, err := m.Embed(context.Background(), []string{text})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got[0], want[i]) {
				t.Errorf("round %d: text %d alone differs from the batch", round, i)
			}
		}
		slices.Reverse(texts)
		slices.Reverse(want)
	}
}
