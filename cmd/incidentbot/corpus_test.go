package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/incidentbot/incidentbot"
	"github.com/incidentbot/incidentbot/corpus"
	"github.com/incidentbot/incidentbot/filestate"
	"github.com/incidentbot/incidentbot/openai/openaitest"
)

// The applying refreshes here embed through the fake embeddings server;
// dry runs and the baseline index use the sentence encoder's weights.

func runCorpusCmd(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, strings.NewReader(""), &out, &errOut)
	return out.String() + errOut.String(), err
}

// newsServer serves a copy of a saved DW article page on loopback; the page
// can be changed mid-test, as a newsroom would.
type newsServer struct {
	*httptest.Server
	page     atomic.Value // string
	requests atomic.Int64
}

func startNews(t *testing.T) *newsServer {
	t.Helper()
	page, err := os.ReadFile("../../corpus/fetch/testdata/dw-albania-blames-iran.html")
	if err != nil {
		t.Fatal(err)
	}
	n := &newsServer{}
	n.page.Store(string(page))
	mux := http.NewServeMux()
	mux.HandleFunc("/en/albania-blames-iran-for-cyberattacks/a-63136035", func(w http.ResponseWriter, r *http.Request) {
		n.requests.Add(1)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, n.page.Load().(string))
	})
	mux.HandleFunc("/old-link", func(w http.ResponseWriter, r *http.Request) {
		n.requests.Add(1)
		http.Redirect(w, r, "/en/albania-blames-iran-for-cyberattacks/a-63136035", http.StatusMovedPermanently)
	})
	mux.HandleFunc("/report.pdf", func(w http.ResponseWriter, r *http.Request) {
		n.requests.Add(1)
		w.Header().Set("Content-Type", "application/pdf")
		fmt.Fprint(w, "%PDF-1.7")
	})
	mux.HandleFunc("/tag/albania", func(w http.ResponseWriter, r *http.Request) {
		n.requests.Add(1)
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, `<html><body><nav><a href="/">Home</a></nav><ul><li><a href="/a">Albania</a></li></ul></body></html>`)
	})
	n.Server = httptest.NewServer(mux)
	t.Cleanup(n.Close)
	return n
}

// testCorpus is a corpus folder laid out like the shipped one: sources.yaml
// beside an articles/ folder, holding copies of some shipped articles.
func testCorpus(t *testing.T, ids ...string) string {
	t.Helper()
	dir := t.TempDir()
	var src strings.Builder
	src.WriteString("# Test corpus.\nfolder: articles\narticles:\n")
	for _, id := range ids {
		data, err := os.ReadFile(filepath.Join("..", "..", "corpus", "articles", id+".md"))
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(dir, "articles", id+".md"), string(data))
		fmt.Fprintf(&src, "  - path: articles/%s.md\n", id)
	}
	writeFile(t, filepath.Join(dir, corpus.SourcesFile), src.String())
	return dir
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// tree records every file under dir with its size and time, to show that a
// command wrote nothing.
func tree(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err == nil {
			fmt.Fprintf(&b, "%s %d %d\n", p, info.Size(), info.ModTime().UnixNano())
		}
		return nil
	})
	return b.String()
}

const dwFile = "articles/2022-09-16-albania-blames-iran-for-cyberattacks.md"

func TestCorpusAddWritesReviewableFileAndRefusesDuplicates(t *testing.T) {
	news := startNews(t)
	dir := testCorpus(t, "001_a5fffa3effbdf9de")
	url := news.URL + "/old-link"

	out, err := runCorpusCmd(t, "corpus", "add", url, "--corpus", dir, "--tags", "albania,iran-response")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, want := range []string{"redirected to " + news.URL + "/en/albania-blames-iran", "Wrote " + filepath.Join(dir, dwFile),
		"title:  Albania blames Iran for cyberattacks", "outlet: DW", "author: Elona Elezi, Niloofar Gholami", "date:   2022-09-16",
		"first:  Early last week, Albania expelled", "last:   Edited by Bettina Marx", "(entry 2)", "refresh --dry-run --corpus " + dir} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	written := readFile(t, filepath.Join(dir, dwFile))
	for _, d := range []string{"Skip to", "Image:", "picture alliance", "DW's Top Story", "Bakhmut", "©"} {
		if strings.Contains(written, d) {
			t.Errorf("debris %q in the written file", d)
		}
	}
	arts, err := corpus.LoadPath(dir)
	if err != nil || len(arts) != 2 {
		t.Fatalf("the corpus with the new page: %v %v", arts, err)
	}
	dw := arts[1]
	if dw.ID != "2022-09-16-albania-blames-iran-for-cyberattacks" || dw.URL != url || strings.Join(dw.Tags, ",") != "albania,iran-response" {
		t.Errorf("new article: %+v", dw)
	}
	if src := readFile(t, filepath.Join(dir, corpus.SourcesFile)); !strings.HasPrefix(src, "# Test corpus.") {
		t.Errorf("sources.yaml lost its comment:\n%s", src)
	}

	// The same URL again is refused without --update…
	out, err = runCorpusCmd(t, "corpus", "add", url, "--corpus", dir)
	if err == nil || !strings.Contains(err.Error(), "entry 2 (url "+url+") (line ") || !strings.Contains(err.Error(), "add --update") {
		t.Errorf("duplicate URL: %v\n%s", err, out)
	}
	// …and with it, an unchanged page writes nothing.
	old := time.Now().Add(-time.Hour)
	os.Chtimes(filepath.Join(dir, dwFile), old, old)
	before := tree(t, dir)
	out, err = runCorpusCmd(t, "corpus", "add", "--update", url, "--corpus", dir)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if !strings.Contains(out, "Unchanged: "+filepath.Join(dir, dwFile)) || tree(t, dir) != before {
		t.Errorf("re-fetching an unchanged page changed something:\n%s", out)
	}

	// A corrected page is rewritten, with the change summarised; the tags
	// given the first time stay.
	page := news.page.Load().(string)
	news.page.Store(strings.Replace(page, "The event was cancelled as a result of the attack.", "The event was postponed after the attack.", 1))
	out, err = runCorpusCmd(t, "corpus", "add", url, "--update", "--corpus", dir)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if !strings.Contains(out, "Rewrote "+filepath.Join(dir, dwFile)+": the page changed (+1 sentence, −1 sentence: «The event was postponed after the attack.»)") {
		t.Errorf("changed page:\n%s", out)
	}
	if w := readFile(t, filepath.Join(dir, dwFile)); !strings.Contains(w, "postponed") || !strings.Contains(w, "tags: [albania, iran-response]") {
		t.Errorf("rewritten file:\n%s", w)
	}
}

func TestCorpusAddStartsASourcesFileForAPlainFolder(t *testing.T) {
	news := startNews(t)
	dir := t.TempDir()
	for _, id := range []string{"000_86e60568a1bc128f", "004_3c6ba5321dfd73d4"} {
		writeFile(t, filepath.Join(dir, id+".md"), readFile(t, filepath.Join("..", "..", "corpus", "articles", id+".md")))
	}
	out, err := runCorpusCmd(t, "corpus", "add", news.URL+"/old-link", "--corpus", dir)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if !strings.Contains(out, "Created "+filepath.Join(dir, corpus.SourcesFile)+", listing the folder's articles and this page (entry 3)") {
		t.Errorf("output:\n%s", out)
	}
	arts, err := corpus.LoadPath(dir)
	if err != nil || len(arts) != 3 {
		t.Fatalf("the folder's articles stay in the corpus: %d, %v", len(arts), err)
	}
}

func TestCorpusAddBadInputs(t *testing.T) {
	news := startNews(t)
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	for _, tc := range []struct {
		name    string
		args    []string
		sources string // replaces sources.yaml when set
		want    []string
	}{
		{"unreachable", []string{closed.URL + "/story"}, "", []string{"fetching " + closed.URL + "/story: unreachable"}},
		{"404", []string{news.URL + "/gone"}, "", []string{"fetching " + news.URL + "/gone: the server answered 404 Not Found"}},
		{"not HTML", []string{news.URL + "/report.pdf"}, "", []string{"not an HTML page (content type application/pdf)"}},
		{"no article", []string{news.URL + "/tag/albania"}, "", []string{"reading the article at " + news.URL + "/tag/albania: no article text found"}},
		{"not http", []string{"ftp://files.example/a.html"}, "", []string{"only http and https URLs can be fetched"}},
		{"typo in sources.yaml", []string{news.URL + "/old-link"}, "folder: articles\narticles:\n  - path: articles/001_a5fffa3effbdf9de.md\n    tilte: Corrected\n",
			[]string{"sources.yaml:4: entry 1 (path articles/001_a5fffa3effbdf9de.md): unknown field \"tilte\""}},
		{"no corpus named", []string{news.URL + "/old-link", "--corpus", ""}, "", []string{"--corpus DIR", "built-in articles cannot be changed"}},
		{"two URLs", []string{news.URL + "/a", news.URL + "/b"}, "", []string{"give one URL"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := testCorpus(t, "001_a5fffa3effbdf9de")
			if tc.sources != "" {
				writeFile(t, filepath.Join(dir, corpus.SourcesFile), tc.sources)
			}
			before, reqs := tree(t, dir), news.requests.Load()
			out, err := runCorpusCmd(t, append([]string{"corpus", "add", "--corpus", dir}, tc.args...)...)
			if err == nil {
				t.Fatalf("no error:\n%s", out)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if tree(t, dir) != before {
				t.Error("a failed add changed the corpus folder")
			}
			if tc.sources != "" && news.requests.Load() != reqs {
				t.Error("the page was fetched although sources.yaml is broken")
			}
		})
	}
}

// applied records the corpus in dir as served, as a refresh would.
// applied builds and publishes the index of the corpus in dir, as serving
// it would.
func applied(t *testing.T, dir, data string) {
	t.Helper()
	if out, err := runCorpusCmd(t, "index", "--corpus", dir, "--data", data); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
}

// history reads the refresh history in data, newest first.
func history(t *testing.T, data string) []incidentbot.HistoryEntry {
	t.Helper()
	st, err := filestate.Open(data, filestate.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	hist, err := st.ReadHistory(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	slices.Reverse(hist)
	return hist
}

func TestRefreshDryRunShowsChangesAndWritesNothing(t *testing.T) {
	dir := testCorpus(t, "001_a5fffa3effbdf9de", "003_af503fd266cc0859", "004_3c6ba5321dfd73d4")
	data := t.TempDir()
	applied(t, dir, data)

	// A correction in 001, 004 dropped from the list, 002 added.
	p := filepath.Join(dir, "articles", "001_a5fffa3effbdf9de.md")
	writeFile(t, p, strings.Replace(readFile(t, p), "The Albanian prime minister says the government is absolutely sure the cyberattack on Albania was an Iranian state attack.",
		"The Albanian prime minister says the government is certain the attack was Iranian.", 1))
	writeFile(t, filepath.Join(dir, "articles", "002_013f2565afa33a21.md"), readFile(t, "../../corpus/articles/002_013f2565afa33a21.md"))
	writeFile(t, filepath.Join(dir, corpus.SourcesFile), "articles:\n  - path: articles/001_a5fffa3effbdf9de.md\n  - path: articles/002_013f2565afa33a21.md\n  - path: articles/003_af503fd266cc0859.md\n")

	before := tree(t, dir) + tree(t, data)
	out, err := runCorpusCmd(t, "refresh", "--dry-run", "--corpus", dir, "--data", data)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, want := range []string{
		"Dry run: nothing was changed.",
		`~ changed 001_a5fffa3effbdf9de "Albania breaks off diplomatic relations with Iran over…": +1 sentence, −1 sentence: «The Albanian prime minister says the government is certain the attack was Iranian.”»`,
		`+ added   002_013f2565afa33a21 "Albania blames Iran for cyberattacks": +57 sentences`,
		`- removed 004_3c6ba5321dfd73d4`,
		"Articles: 1 added, 1 changed, 1 removed; 3 in the corpus.",
		"texts/s).",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if after := tree(t, dir) + tree(t, data); after != before {
		t.Errorf("a dry run changed files:\nbefore\n%s\nafter\n%s", before, after)
	}

	out, err = runCorpusCmd(t, "refresh", "--dry-run", "--json", "--corpus", dir, "--data", data)
	if err != nil {
		t.Fatal(err)
	}
	var res refreshResult
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	// 002 is all new; 001 gains one sentence and the passage holding it.
	if !res.DryRun || len(res.Changes) != 3 || res.ToEmbed < 57+2 || res.EstimatedSeconds <= 0 {
		t.Errorf("JSON: %+v", res)
	}

	// Without a record of what is served, everything is new, and it says so.
	out, _ = runCorpusCmd(t, "refresh", "--dry-run", "--corpus", dir, "--data", t.TempDir())
	if !strings.Contains(out, "no index has been published yet: every article counts as new") || !strings.Contains(out, "3 added, 0 changed, 0 removed") {
		t.Errorf("no baseline:\n%s", out)
	}
}

// fakeEmbedderConfig writes a config that embeds through the fake
// OpenAI-compatible server, so an applying refresh runs without weights.
func fakeEmbedderConfig(t *testing.T) string {
	t.Helper()
	srv := openaitest.NewServer(t)
	p := filepath.Join(t.TempDir(), "config.yaml")
	writeFile(t, p, fmt.Sprintf("embedder:\n  provider: openai\n  base_url: %s\n  model: fake-embed\n  api_key_env: INCIDENTBOT_TEST_UNSET_KEY\nlog:\n  level: error\n", srv.URL()))
	return p
}

func TestRefreshAppliesAndHistoryListsItNewestFirst(t *testing.T) {
	cfg := fakeEmbedderConfig(t)
	dir := testCorpus(t, "001_a5fffa3effbdf9de", "004_3c6ba5321dfd73d4")
	data := t.TempDir()
	common := []string{"--config", cfg, "--corpus", dir, "--data", data}

	out, err := runCorpusCmd(t, append([]string{"refresh"}, common...)...)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if !strings.Contains(out, "+ added   001_a5fffa3effbdf9de") || !strings.Contains(out, "Applied:") || !strings.Contains(out, "Recorded in") {
		t.Errorf("first refresh:\n%s", out)
	}
	if out, _ := runCorpusCmd(t, append([]string{"refresh", "--dry-run"}, common...)...); !strings.Contains(out, "No changes") || !strings.Contains(out, "to embed: none") {
		t.Errorf("after applying, a dry run finds nothing to do:\n%s", out)
	}

	p := filepath.Join(dir, "articles", "004_3c6ba5321dfd73d4.md")
	writeFile(t, p, readFile(t, p)+"\nThe government said more measures would follow in the coming days.\n")
	out, err = runCorpusCmd(t, append([]string{"refresh"}, common...)...)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if !strings.Contains(out, "~ changed 004_3c6ba5321dfd73d4") || !strings.Contains(out, "+1 sentence: «The government said more measures") {
		t.Errorf("second refresh:\n%s", out)
	}

	hist := history(t, data)
	if len(hist) != 2 {
		t.Fatalf("history: %v", hist)
	}
	if hist[0].Changed[0] != "004_3c6ba5321dfd73d4" || len(hist[1].Added) != 2 || hist[0].Who != osUser() || hist[0].Via != "cli" || hist[1].Embedded == 0 {
		t.Errorf("history, newest first: %+v", hist)
	}
	out, err = runCorpusCmd(t, "corpus", "log", "--data", data)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 4 || !strings.Contains(lines[0], "0 added, 1 changed, 0 removed") || !strings.Contains(lines[2], "2 added, 0 changed") {
		t.Errorf("corpus log:\n%s", out)
	}
	out, _ = runCorpusCmd(t, "corpus", "log", "--json", "--data", data)
	if n := strings.Count(out, "\n"); n != 2 || !strings.HasPrefix(out, `{"time":`) {
		t.Errorf("corpus log --json:\n%s", out)
	}
	out, _ = runCorpusCmd(t, "corpus", "list", "--corpus", dir, "--data", data)
	if !strings.Contains(out, "added "+hist[1].Time.Format("2006-01-02")) || !strings.Contains(out, "2 articles from "+dir+"; all load.") {
		t.Errorf("corpus list shows when articles were added:\n%s", out)
	}
}

func TestCorpusLogWithoutHistory(t *testing.T) {
	out, err := runCorpusCmd(t, "corpus", "log", "--data", t.TempDir())
	if err != nil || !strings.Contains(out, "No refreshes recorded") {
		t.Errorf("%v\n%s", err, out)
	}
}

// Two maintainers refreshing at once: both are recorded, whole.
func TestRefreshHistoryFromConcurrentRuns(t *testing.T) {
	data := t.TempDir()
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Each a process of its own, with its own handle on the folder.
			st, err := filestate.Open(data, filestate.Options{})
			if err != nil {
				t.Error(err)
				return
			}
			defer st.Close()
			if err := st.AppendHistory(context.Background(), incidentbot.HistoryEntry{Who: fmt.Sprint("m", i), Via: "cli"}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	out, _ := runCorpusCmd(t, "corpus", "log", "--json", "--data", data)
	if strings.Count(out, "\n") != 4 {
		t.Errorf("%s", out)
	}
}
