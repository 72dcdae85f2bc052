package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// `eval -outcomes` saves which questions a run got right and `-baseline`
// counts, question by question, what a later run gained and lost: the
// comparison a maintainer needs to tell a real change from chance.
func TestEvalComparesWithABaselineQuestionByQuestion(t *testing.T) {
	dir := t.TempDir()
	qs := twoQuestions(t, dir, "What is the best recipe for banana bread?", "what")
	first := filepath.Join(dir, "first.json")
	if _, _, err := runCmd(t, sharedData, "", "eval", "--questions", qs, "--outcomes", first); err != nil {
		t.Fatal(err)
	}
	f, err := readOutcomes(first)
	if err != nil {
		t.Fatal(err)
	}
	got := f.Sets[qs]
	if len(got) != 2 || !got[0] || !got[1] {
		t.Fatalf("outcomes %v, want both questions right (answered, refused)", got)
	}
	// A baseline that got the first question wrong: this run is one
	// better on it.
	worse := filepath.Join(dir, "worse.json")
	if err := writeOutcomes(worse, outcomeFile{Sets: map[string][]bool{qs: {false, true}}}); err != nil {
		t.Fatal(err)
	}
	out, _, err := runCmd(t, sharedData, "", "eval", "--questions", qs, "--baseline", worse)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "1 better, 0 worse, 1 the same") {
		t.Fatalf("no paired comparison in the output:\n%s", out)
	}
	// A baseline of other questions is an error, not a comparison.
	if err := writeOutcomes(worse, outcomeFile{Sets: map[string][]bool{qs: {true}}}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := runCmd(t, sharedData, "", "eval", "--questions", qs, "--baseline", worse); err == nil || !strings.Contains(err.Error(), "not the same questions") {
		t.Fatalf("a baseline of one question compared with two: err %v", err)
	}
}

// `eval -threshold` answers at the given refusal threshold instead of the
// reader's: at 1 every question is refused, at 0 none is for want of an
// answer, near misses included.
func TestEvalThresholdOverridesTheReaders(t *testing.T) {
	dir := t.TempDir()
	qs := twoQuestions(t, dir, "How much ransom did the hackers demand from Albania?", "how-many")
	for _, c := range []struct {
		threshold string
		want      []bool
	}{
		{"1", []bool{false, true}}, // the answerable one refused, the near miss too
		{"0", []bool{true, false}}, // both answered
	} {
		out := filepath.Join(dir, "o"+c.threshold+".json")
		if _, _, err := runCmd(t, sharedData, "", "eval", "--questions", qs, "--threshold", c.threshold, "--outcomes", out); err != nil {
			t.Fatal(err)
		}
		f, err := readOutcomes(out)
		if err != nil {
			t.Fatal(err)
		}
		if got := f.Sets[qs]; len(got) != 2 || got[0] != c.want[0] || got[1] != c.want[1] {
			t.Errorf("threshold %s: outcomes %v, want %v", c.threshold, got, c.want)
		}
	}
}

// twoQuestions writes a question file in dir: one the articles answer,
// then unanswerable, one they do not (of kind kind).
func twoQuestions(t *testing.T, dir, unanswerable, kind string) string {
	t.Helper()
	qs := filepath.Join(dir, "q.yaml")
	if err := os.WriteFile(qs, []byte(`- id: q1
  question: "Which police system was attacked on September 9?"
  docs: [002_013f2565afa33a21]
  must: ["TIMS"]
  kind: what
- id: q2
  question: "`+unanswerable+`"
  unanswerable: true
  docs: []
  must: []
  kind: `+kind+`
`), 0o644); err != nil {
		t.Fatal(err)
	}
	return qs
}

// A file of questions is taken for a blind set: its first run reports
// figures, never which questions it got wrong (their ids or their text,
// in the table or the JSON), or reading them would make it a training
// set; -show, for a maintainer's own file, prints them.
func TestEvalOfAQuestionsFileDoesNotShowItsMisses(t *testing.T) {
	dir := t.TempDir()
	qs := twoQuestions(t, dir, "What is the best recipe for banana bread?", "what")
	// At threshold 1 every question is refused: q1 is a miss.
	for _, args := range [][]string{{}, {"--json"}} {
		out, _, err := runCmd(t, sharedData, "", append([]string{"eval", "--questions", qs, "--threshold", "1"}, args...)...)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out, "0.000") && !strings.Contains(out, `"accuracy":0`) {
			t.Fatalf("q1 was not missed, so the test shows nothing:\n%s", out)
		}
		if strings.Contains(out, "q1") || strings.Contains(out, "police system") {
			t.Errorf("eval %v shows the blind set's miss:\n%s", args, out)
		}
	}
	out, _, err := runCmd(t, sharedData, "", "eval", "--questions", qs, "--threshold", "1", "--show")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "q1") || !strings.Contains(out, "police system") {
		t.Errorf("eval --show does not show the miss:\n%s", out)
	}
}
