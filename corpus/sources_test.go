package corpus

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

const proseBody = "Albania cut ties with Iran after the July attack, officials said.\n"

func article(title string) string {
	return "---\ntitle: \"" + title + "\"\noutlet: Example\ndate: \"2022-09-07\"\ntags: [albania]\n---\n" + proseBody
}

// corpusDir makes a folder with the given files and returns it.
func corpusDir(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestShippedSourcesFileServesTheBuiltInCorpus(t *testing.T) {
	viaSources, err := LoadPath(".") // corpus/ has sources.yaml
	if err != nil {
		t.Fatal(err)
	}
	builtIn, err := Load(Default(), "corpus")
	if err != nil {
		t.Fatal(err)
	}
	if len(viaSources) != len(builtIn) {
		t.Fatalf("sources.yaml lists %d articles, the built-in corpus has %d", len(viaSources), len(builtIn))
	}
	for i := range builtIn {
		a, b := *viaSources[i], *builtIn[i]
		a.Path, b.Path = "", ""
		if !reflect.DeepEqual(a, b) {
			t.Errorf("article %s differs when loaded through sources.yaml", b.ID)
		}
	}
}

func TestSourcesOverridesAndURLEntries(t *testing.T) {
	dir := corpusDir(t, map[string]string{
		"articles/a.md":    article("Original title"),
		"articles/page.md": "---\ntitle: Fetched\nurl: https://news.example/page\n---\n" + proseBody,
		"sources.yaml": `folder: articles
articles:
  - path: articles/a.md
    title: "Corrected title"
    outlet: Balkan Insight
    date: "2022-09"
    tags: [albania, Montenegro]
  - url: https://news.example/page
    file: articles/page.md
    author: Jane Doe
`,
	})
	s, err := ReadSources(filepath.Join(dir, "sources.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if s.Folder != "articles" {
		t.Errorf("folder %q", s.Folder)
	}
	arts, err := s.Load()
	if err != nil {
		t.Fatal(err)
	}
	a, page := arts[0], arts[1]
	if a.ID != "a" || a.Title != "Corrected title" || a.Outlet != "Balkan Insight" || a.DateString() != "2022-09" || strings.Join(a.Tags, ",") != "albania,montenegro" {
		t.Errorf("overrides not applied: %+v", a)
	}
	if page.Title != "Fetched" || page.Author != "Jane Doe" || page.URL != "https://news.example/page" {
		t.Errorf("URL entry: %+v", page)
	}
}

func TestSourcesErrorsNameTheEntryAndLine(t *testing.T) {
	files := map[string]string{"a.md": article("A"), "b.md": article("B")}
	for _, tc := range []struct {
		name, yaml string
		want       string // file:line: entry …: message
	}{
		{"typo in a field", "articles:\n  - path: a.md\n    titel: X\n",
			`sources.yaml:3: entry 1 (path a.md): unknown field "titel" (known fields: path, url, file, title, outlet, author, date, tags)`},
		{"typo at the top", "article:\n  - path: a.md\n", `sources.yaml:1: unknown field "article"`},
		{"neither path nor url", "articles:\n  - path: a.md\n  - title: Lonely\n",
			"sources.yaml:3: entry 2: needs a path (an article file) or a url"},
		{"both path and url", "articles:\n  - path: a.md\n    url: https://news.example/a\n",
			"sources.yaml:2: entry 1 (url https://news.example/a): has both a path and a url"},
		{"bad date", "articles:\n  - path: a.md\n  - path: b.md\n    date: 16.09.2022\n",
			`sources.yaml:4: entry 2 (path b.md): bad date "16.09.2022": use YYYY-MM-DD, YYYY-MM or YYYY`},
		{"duplicate url", "articles:\n  - url: https://News.example/a\n    file: a.md\n  - url: https://news.example/a#top\n    file: b.md\n",
			"sources.yaml:4: entry 2 (url https://news.example/a#top): duplicate url: already listed as entry 1 (line 2)"},
		{"duplicate path", "articles:\n  - path: a.md\n  - path: ./a.md\n",
			"sources.yaml:3: entry 2 (path ./a.md): duplicate file ./a.md: already listed as entry 1 (line 2)"},
		{"file not found", "articles:\n  - path: a.md\n  - path: missing.md\n",
			"sources.yaml:3: entry 2 (path missing.md): file not found"},
		{"url not http", "articles:\n  - url: news.example/a\n    file: a.md\n",
			`sources.yaml:2: entry 1 (url news.example/a): url "news.example/a" must be an http:// or https:// address`},
		{"tags not a list", "articles:\n  - path: a.md\n    tags: albania\n",
			"sources.yaml:3: entry 1 (path a.md): tags must be a list"},
		{"file on a path entry", "articles:\n  - path: a.md\n    file: b.md\n",
			"sources.yaml:2: entry 1 (path a.md): file: is only for url entries"},
		{"broken YAML", "articles:\n  - path: a.md\n    title: x: y\n", "sources.yaml:3: not valid YAML: mapping values are not allowed in this context"},
		{"not a list", "articles: a.md\n", "sources.yaml:1: articles must be a list"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := corpusDir(t, files)
			path := filepath.Join(dir, "sources.yaml")
			if err := os.WriteFile(path, []byte(tc.yaml), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := LoadSources(path)
			if err == nil {
				t.Fatal("no error")
			}
			if got := strings.TrimPrefix(err.Error(), dir+string(filepath.Separator)); !strings.Contains(got, tc.want) {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
			var se *SourcesError
			if !errors.As(err, &se) {
				t.Errorf("error is not a *SourcesError: %T", err)
			}
		})
	}
}

func TestSourcesReportsEveryProblemAtOnce(t *testing.T) {
	dir := corpusDir(t, map[string]string{"a.md": article("A")})
	path := filepath.Join(dir, "sources.yaml")
	os.WriteFile(path, []byte("articles:\n  - path: a.md\n    titel: X\n  - path: gone.md\n  - url: https://x.example/\n    date: soon\n"), 0o644)
	_, err := ReadSources(path)
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{":3: entry 1", ":4: entry 2 (path gone.md): file not found", ":6: entry 3 (url https://x.example/): bad date"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in:\n%v", want, err)
		}
	}
}

func TestSourcesLoadErrors(t *testing.T) {
	dir := corpusDir(t, map[string]string{
		"a.md":      article("A"),
		"x/a.md":    article("Another A"),
		"broken.md": "---\ntitle: x\nsource: DW\n---\n" + proseBody,
	})
	for _, tc := range []struct{ name, yaml, want string }{
		{"not fetched yet", "articles:\n  - path: a.md\n  - url: https://news.example/b\n",
			"sources.yaml:3: entry 2 (url https://news.example/b): not fetched yet: run `incidentbot corpus add https://news.example/b`"},
		{"same id twice", "articles:\n  - path: a.md\n  - path: x/a.md\n", `entry 2 (path x/a.md): article id "a" (the file name) is also entry 1 (path a.md)'s`},
		{"broken article file", "articles:\n  - path: broken.md\n", `sources.yaml:2: entry 1 (path broken.md): ` + filepath.Join(dir, "broken.md") + `:3: unknown field "source"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, "sources.yaml")
			os.WriteFile(path, []byte(tc.yaml), 0o644)
			_, err := LoadSources(path)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v\nwant …%s", err, tc.want)
			}
		})
	}
}

func TestLoadPathFallsBackToTheFolder(t *testing.T) {
	dir := corpusDir(t, map[string]string{"a.md": article("A"), "b.md": article("B")})
	arts, err := LoadPath(dir)
	if err != nil || len(arts) != 2 {
		t.Fatalf("a folder without sources.yaml loads as before: %d articles, %v", len(arts), err)
	}
	os.WriteFile(filepath.Join(dir, SourcesFile), []byte("articles:\n  - path: b.md\n"), 0o644)
	if arts, err = LoadPath(dir); err != nil || len(arts) != 1 || arts[0].ID != "b" {
		t.Fatalf("with sources.yaml, only what it lists: %v %v", arts, err)
	}
	other := filepath.Join(dir, "other.yaml")
	os.WriteFile(other, []byte("articles:\n  - path: a.md\n"), 0o644)
	if arts, err = LoadPath(other); err != nil || len(arts) != 1 || arts[0].ID != "a" {
		t.Fatalf("a sources file given directly: %v %v", arts, err)
	}
}

func TestSetURLKeepsCommentsAndRoundTrips(t *testing.T) {
	dir := corpusDir(t, map[string]string{"a.md": article("A"), "saved/page.md": article("Page")})
	path := filepath.Join(dir, SourcesFile)
	os.WriteFile(path, []byte("# Curated by the maintainers.\nfolder: saved\narticles:\n  - path: a.md # the first one\n"), 0o644)
	s, err := ReadSources(path)
	if err != nil {
		t.Fatal(err)
	}
	s.SetURL("https://news.example/page", "saved/page.md", []string{"kosovo"})
	if err := s.Write(); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	for _, want := range []string{"# Curated by the maintainers.", "# the first one", "- url: https://news.example/page\n    file: saved/page.md\n    tags: [kosovo]\n"} {
		if !strings.Contains(string(data), want) {
			t.Errorf("written file lacks %q:\n%s", want, data)
		}
	}
	arts, err := LoadSources(path)
	if err != nil || len(arts) != 2 || arts[1].URL != "https://news.example/page" || arts[1].Tags[0] != "kosovo" {
		t.Fatalf("written file reads back: %v, %v", arts, err)
	}
	// Updating the entry replaces its file and tags, adds no second entry.
	s, _ = ReadSources(path)
	s.SetURL("https://NEWS.example/page#x", "saved/page.md", []string{"kosovo", "montenegro"})
	if len(s.Entries) != 2 || strings.Join(s.Entries[1].Tags, ",") != "kosovo,montenegro" {
		t.Errorf("update: %+v", s.Entries)
	}
}

func TestNewSourcesListsExistingFiles(t *testing.T) {
	dir := corpusDir(t, map[string]string{"a.md": article("A"), "b c.md": article("B")})
	s, err := NewSources(filepath.Join(dir, SourcesFile), []string{"a.md", "b c.md"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Write(); err != nil {
		t.Fatal(err)
	}
	arts, err := LoadPath(dir)
	if err != nil || len(arts) != 2 {
		t.Fatalf("%v %v", arts, err)
	}
	empty, err := NewSources(filepath.Join(dir, "empty.yaml"), nil)
	if err != nil {
		t.Fatal(err)
	}
	empty.SetURL("https://news.example/p", "a.md", nil)
	data, _ := empty.Encode()
	if !strings.Contains(string(data), "articles:\n  - url: https://news.example/p\n") {
		t.Errorf("an empty list grows into a block list:\n%s", data)
	}
}
