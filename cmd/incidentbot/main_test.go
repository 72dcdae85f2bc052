package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/incidentbot/incidentbot/postgres/pgtest"
)

// runCmd runs the program as a user would, with the index in data.
func runCmd(t *testing.T, data, stdin string, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	full := append([]string{args[0], "--data", data}, args[1:]...)
	err := run(context.Background(), full, strings.NewReader(stdin), &out, &errOut)
	return out.String(), errOut.String(), err
}

var sharedData string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "incidentbot-cmd-test-")
	if err != nil {
		panic(err)
	}
	sharedData = dir
	code := pgtest.Main(m) // runs the tests, then stops the PostgreSQL server if one was started
	os.RemoveAll(dir)
	os.Exit(code)
}

func TestAskJSONShape(t *testing.T) {
	out, _, err := runCmd(t, sharedData, "", "ask", "--json", "Which police system was attacked on September 9?")
	if err != nil {
		t.Fatal(err)
	}
	var ans map[string]any
	if err := json.Unmarshal([]byte(out), &ans); err != nil {
		t.Fatalf("output is not one JSON object: %v\n%s", err, out)
	}
	for _, k := range []string{"question", "answer", "refused", "mode", "citations", "supported_sentences", "total_sentences", "timings_ms"} {
		if _, ok := ans[k]; !ok {
			t.Errorf("JSON lacks %q", k)
		}
	}
	if ans["mode"] != "extractive" || ans["refused"] != false || !strings.Contains(ans["answer"].(string), "TIMS") {
		t.Errorf("unexpected answer: %v", ans)
	}
	cites := ans["citations"].([]any)
	if len(cites) == 0 {
		t.Fatal("no citations")
	}
	c := cites[0].(map[string]any)
	for _, k := range []string{"n", "doc", "title", "outlet", "date", "url", "quote", "start", "end", "score"} {
		if _, ok := c[k]; !ok {
			t.Errorf("citation lacks %q", k)
		}
	}
	// The quote is the article's text at the given offsets.
	data, err := os.ReadFile(filepath.Join("..", "..", "corpus", "articles", c["doc"].(string)+".md"))
	if err != nil {
		t.Fatal(err)
	}
	body := string(data)[strings.Index(string(data), "\n---\n")+5:]
	if got := body[int(c["start"].(float64)):int(c["end"].(float64))]; got != c["quote"] {
		t.Errorf("quote is not verbatim at its offsets: %q vs %q", got, c["quote"])
	}
}

func TestAskReadsQuestionsFromStdin(t *testing.T) {
	stdin := "When did the cyberattack on Montenegro begin?\n\nWho won the 2022 FIFA World Cup?\n" + strings.Repeat("x", 1200) + "\n"
	out, _, err := runCmd(t, sharedData, stdin, "ask", "--json")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 {
		t.Fatalf("want one JSON line per question (3), got %d:\n%s", len(lines), out)
	}
	var first, second, third map[string]any
	json.Unmarshal([]byte(lines[0]), &first)
	json.Unmarshal([]byte(lines[1]), &second)
	json.Unmarshal([]byte(lines[2]), &third)
	if !strings.Contains(first["answer"].(string), "August 20") {
		t.Errorf("first answer: %v", first["answer"])
	}
	if second["refused"] != true {
		t.Errorf("the World Cup question must be refused: %v", second)
	}
	if !strings.Contains(third["error"].(string), "too long") {
		t.Errorf("an over-long line gets an error and the batch goes on: %v", third)
	}
}

func TestAskPlainTextAndErrors(t *testing.T) {
	out, _, err := runCmd(t, sharedData, "", "ask", "Who", "is", "Amin", "Sabeti?")
	if err != nil {
		t.Fatal(err)
	}
	// The answer quotes the source; the list says where the quote stands
	// rather than printing it again.
	if !strings.Contains(out, "Sources:") || !strings.Contains(out, "[1] ") || !strings.Contains(out, "⟨[1]⟩") {
		t.Errorf("plain output should list numbered sources with the words around each quote:\n%s", out)
	}
	if _, _, err := runCmd(t, sharedData, "", "ask", strings.Repeat("why ", 300)); err == nil || !strings.Contains(err.Error(), "too long") {
		t.Errorf("over-long question: %v", err)
	}
	if _, _, err := runCmd(t, sharedData, "", "ask", "  "); err == nil || !strings.Contains(err.Error(), "empty") {
		t.Errorf("empty question: %v", err)
	}
	if _, _, err := runCmd(t, sharedData, "", "frobnicate"); err == nil {
		t.Error("unknown command must fail")
	}
}

func TestSearchJSON(t *testing.T) {
	out, _, err := runCmd(t, sharedData, "Kosovo DDoS\nMEK Ashraf 3\n", "search", "--json", "-k", "2")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 {
		t.Fatalf("want 2 lines, got %d", len(lines))
	}
	var r struct {
		Query   string `json:"query"`
		Results []struct {
			Rank       int
			Doc, Text  string
			Start, End int
			Score      float64
		} `json:"results"`
	}
	if err := json.Unmarshal([]byte(lines[0]), &r); err != nil {
		t.Fatal(err)
	}
	if r.Query != "Kosovo DDoS" || len(r.Results) != 2 || r.Results[0].Rank != 1 || !strings.Contains(r.Results[0].Text, "Kosovo") {
		t.Errorf("unexpected search result: %+v", r)
	}
}

func TestIndexReportsChanges(t *testing.T) {
	data := t.TempDir()
	corpusDir := t.TempDir()
	entries, _ := os.ReadDir("../../corpus/articles")
	for _, e := range entries {
		b, _ := os.ReadFile(filepath.Join("../../corpus/articles", e.Name()))
		os.WriteFile(filepath.Join(corpusDir, e.Name()), b, 0o644)
	}
	out, _, err := runCmd(t, data, "", "index", "--json", "--corpus", corpusDir)
	if err != nil {
		t.Fatal(err)
	}
	var rep map[string]any
	json.Unmarshal([]byte(out), &rep)
	if len(rep["articles_added"].([]any)) != 5 || rep["embedded"].(float64) == 0 {
		t.Errorf("first index: %v", rep)
	}
	out, _, err = runCmd(t, data, "", "index", "--corpus", corpusDir)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "Texts embedded: 0") || !strings.Contains(out, "0 added, 0 changed, 0 removed") {
		t.Errorf("re-index of an unchanged corpus should embed nothing:\n%s", out)
	}
	os.Remove(filepath.Join(corpusDir, "004_3c6ba5321dfd73d4.md"))
	out, _, err = runCmd(t, data, "", "index", "--corpus", corpusDir)
	if err != nil || !strings.Contains(out, "1 (004_3c6ba5321dfd73d4) removed") {
		t.Errorf("removal should be reported: %v\n%s", err, out)
	}
	// A malformed file: the error names the file and line; the index stays.
	os.WriteFile(filepath.Join(corpusDir, "bad.md"), []byte("---\ntitle: x\ndate: yesterday\n---\nSome text here.\n"), 0o644)
	_, _, err = runCmd(t, data, "", "search", "--corpus", corpusDir, "Kosovo")
	if err == nil || !strings.Contains(err.Error(), "bad.md:3") {
		t.Errorf("want bad.md:3 in the error, got %v", err)
	}
}

func TestMissingWeightsSayWhatToRun(t *testing.T) {
	t.Setenv("INCIDENTBOT_MODEL_DIR", "")
	dir := t.TempDir()
	wd, _ := os.Getwd()
	os.Chdir(dir)
	defer os.Chdir(wd)
	// The test binary lives outside the project, so nothing is found.
	exe, _ := os.Executable()
	if strings.HasPrefix(exe, filepath.Dir(filepath.Dir(wd))) {
		t.Skip("test binary inside the project tree; weights would be found beside it")
	}
	_, _, err := runCmd(t, t.TempDir(), "", "ask", "--model-dir", filepath.Join(dir, "nowhere"), "Who attacked Albania?")
	if err == nil || !strings.Contains(err.Error(), "make model") {
		t.Fatalf("want the command to run, got %v", err)
	}
}

func TestSummaryAndTimelineCommands(t *testing.T) {
	out, _, err := runCmd(t, sharedData, "", "summary", "--topic", "montenegro")
	if err != nil || !strings.Contains(out, "Montenegro") || !strings.Contains(out, "[1]") {
		t.Errorf("summary: %v\n%s", err, out)
	}
	if _, _, err := runCmd(t, sharedData, "", "summary", "--topic", "football"); err == nil || !strings.Contains(err.Error(), "kosovo") {
		t.Errorf("unknown topic should list the topics: %v", err)
	}
	out, _, err = runCmd(t, sharedData, "", "timeline", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var tl struct {
		Events []struct{ Date, Text string }
	}
	json.Unmarshal([]byte(out), &tl)
	if len(tl.Events) < 5 || tl.Events[len(tl.Events)-1].Date < tl.Events[0].Date {
		t.Errorf("timeline: %+v", tl)
	}
}

// A damaged index does not keep the bot down: `ask` sets the snapshot
// aside, rebuilds from the corpus, says so, and answers.
func TestAskRebuildsADamagedIndex(t *testing.T) {
	data := t.TempDir()
	snap := filepath.Join(data, "index.snapshot")
	if err := os.WriteFile(snap, []byte("\x00\xff not an index \x1b[2J"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errOut, err := runCmd(t, data, "", "ask", "Which police system was attacked on September 9?")
	if err != nil {
		t.Fatalf("ask over a damaged index: %v\n%s", err, errOut)
	}
	if !strings.Contains(out, "TIMS") {
		t.Errorf("want the answer from the rebuilt index, got:\n%s", out)
	}
	if !strings.Contains(strings.ToLower(errOut), "damaged") {
		t.Errorf("want a warning naming the damaged index, got:\n%s", errOut)
	}
	if aside, _ := filepath.Glob(snap + ".damaged-*"); len(aside) != 1 {
		t.Errorf("the damaged snapshot is not kept aside: %v", aside)
	}
}

// A maintainer tries a follow-up as a thread would ask it: with --after
// the earlier question says who "he" is.
func TestAskAfterAnEarlierQuestion(t *testing.T) {
	for earlier, name := range map[string]string{"who is fabian zhilla?": "Zhilla", "who is halil krasniqi?": "Krasniqi"} {
		out, _, err := runCmd(t, sharedData, "", "ask", "--after", earlier, "and what did he say?")
		if err != nil {
			t.Fatal(err)
		}
		if answer, _, _ := strings.Cut(out, "Sources:"); !strings.Contains(answer, name) {
			t.Errorf("after %q, \"and what did he say?\" should quote %s:\n%s", earlier, name, out)
		}
	}
}
