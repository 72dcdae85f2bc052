package eval

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

const articlesDir = "../corpus/articles"

// window is how far apart (in bytes of normalised text) the requirements of
// one question may be found in a document: roughly two sentences.
const window = 600

// loadBodies reads every article's text after its YAML front matter.
func loadBodies(t *testing.T) map[string]string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(articlesDir, "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) == 0 {
		t.Fatalf("no articles in %s", articlesDir)
	}
	bodies := map[string]string{}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		s := strings.ReplaceAll(string(data), "\r\n", "\n")
		if !strings.HasPrefix(s, "---\n") {
			t.Fatalf("%s: no front matter", p)
		}
		end := strings.Index(s[4:], "\n---\n")
		if end < 0 {
			t.Fatalf("%s: unterminated front matter", p)
		}
		bodies[strings.TrimSuffix(filepath.Base(p), ".md")] = s[4+end+5:]
	}
	return bodies
}

func loadFile(t *testing.T) []Question {
	t.Helper()
	qs, err := Load("train/questions.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return qs
}

func TestCounts(t *testing.T) {
	qs := loadFile(t)
	var answerable, unanswerable, conflict int
	ids := map[string]bool{}
	for _, q := range qs {
		if ids[q.ID] {
			t.Errorf("duplicate id %s", q.ID)
		}
		ids[q.ID] = true
		switch {
		case q.Unanswerable:
			unanswerable++
		default:
			answerable++
			if q.Conflict {
				conflict++
			}
		}
	}
	t.Logf("%d questions: %d answerable (%d conflicts), %d unanswerable", len(qs), answerable, conflict, unanswerable)
	if answerable < 50 {
		t.Errorf("%d answerable questions, want at least 50", answerable)
	}
	if unanswerable < 15 {
		t.Errorf("%d unanswerable questions, want at least 15", unanswerable)
	}
	if conflict < 3 {
		t.Errorf("%d conflict questions, want at least 3", conflict)
	}
}

func TestEveryArticleIsUsed(t *testing.T) {
	bodies := loadBodies(t)
	used := map[string]int{}
	for _, q := range loadFile(t) {
		for _, d := range q.Docs {
			used[d]++
		}
	}
	for id := range bodies {
		if used[id] < 5 {
			t.Errorf("article %s answers only %d questions", id, used[id])
		}
	}
}

func TestAgainstCorpus(t *testing.T) {
	bodies := loadBodies(t)
	norm := map[string]string{}
	for id, b := range bodies {
		norm[id] = Normalize(b)
	}
	all := loadFile(t)
	for _, f := range []string{"train/heldout.yaml", "train/heldout2.yaml", "train/heldout3.yaml"} {
		heldout, err := Load(f)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, heldout...)
	}
	for _, q := range all {
		if q.Unanswerable {
			continue
		}
		if len(q.Docs) == 0 || len(q.Must) == 0 {
			t.Errorf("%s: answerable but docs or must is empty", q.ID)
			continue
		}
		if q.Conflict && len(q.Docs) < 2 {
			t.Errorf("%s: a conflict needs at least two docs", q.ID)
		}
		seenDoc := map[string]bool{}
		for _, d := range q.Docs {
			if seenDoc[d] {
				t.Errorf("%s: doc %s listed twice", q.ID, d)
			}
			seenDoc[d] = true
			body, ok := norm[d]
			if !ok {
				t.Errorf("%s: unknown doc %s", q.ID, d)
				continue
			}
			if !q.Satisfied(bodies[d]) {
				for _, m := range q.Must {
					if !(Question{Must: []string{m}}).Satisfied(bodies[d]) {
						t.Errorf("%s: must %q not in %s", q.ID, m, d)
					}
				}
				continue
			}
			if !together(body, q.Must) {
				t.Errorf("%s: must %q not within %d bytes of each other in %s", q.ID, q.Must, window, d)
			}
		}
	}
}

// together reports whether some occurrence of the first requirement has an
// occurrence of every other requirement within window bytes of it.
func together(text string, must []string) bool {
	if len(must) < 2 {
		return true
	}
	first := occurrences(text, must[0])
	rest := make([][]int, len(must)-1)
	for i, m := range must[1:] {
		rest[i] = occurrences(text, m)
	}
next:
	for _, p := range first {
		for _, occ := range rest {
			near := false
			for _, o := range occ {
				if o >= p-window && o <= p+window {
					near = true
					break
				}
			}
			if !near {
				continue next
			}
		}
		return true
	}
	return false
}

func occurrences(text, requirement string) []int {
	var out []int
	for _, alt := range Alternatives(requirement) {
		a := Normalize(alt)
		for i := 0; ; {
			j := strings.Index(text[i:], a)
			if j < 0 {
				break
			}
			out = append(out, i+j)
			i += j + 1
		}
	}
	return out
}

func TestDefaultMatchesFile(t *testing.T) {
	def, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(def, loadFile(t)) {
		t.Error("embedded questions differ from questions.yaml")
	}
}

func TestSatisfied(t *testing.T) {
	q := Question{Must: []string{"July 15|15 July", "Ka'nani"}}
	cases := []struct {
		text string
		want bool
	}{
		{"The 15 July attack; Nasser Ka’nani replied.", true},
		{"the JULY 15 attack, said KA'NANI", true},
		{"The July 15 attack.", false},
		{"Ka’nani spoke on July 16.", false},
	}
	for _, c := range cases {
		if got := q.Satisfied(c.text); got != c.want {
			t.Errorf("Satisfied(%q) = %v, want %v", c.text, got, c.want)
		}
	}
	if !(Question{Must: []string{`“inside job”`}}).Satisfied(`an "inside  job"`) {
		t.Error("double quotes and spaces are not normalised")
	}
}

func TestLoadErrorsNameFileAndLine(t *testing.T) {
	dir := t.TempDir()
	cases := map[string]string{
		"unknown field": "- id: a\n  question: x\n  docs: [d]\n  must: [m]\n  kind: who\n  musts: [y]\n",
		"duplicate id":  "- id: a\n  question: x\n  unanswerable: true\n- id: a\n  question: y\n  unanswerable: true\n",
		"no must":       "- id: a\n  question: x\n  unanswerable: true\n- id: b\n  question: y\n  docs: [d]\n  kind: who\n",
		"bad kind":      "- id: a\n  question: x\n  unanswerable: true\n- id: b\n  question: y\n  docs: [d]\n  must: [m]\n  kind: sometime\n",
	}
	for name, src := range cases {
		path := filepath.Join(dir, strings.ReplaceAll(name, " ", "_")+".yaml")
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := Load(path)
		if err == nil {
			t.Errorf("%s: no error", name)
			continue
		}
		msg := err.Error()
		if !strings.Contains(msg, path) {
			t.Errorf("%s: error %q does not name the file", name, msg)
		}
		wantLine := map[string]string{"unknown field": "line 6", "duplicate id": ":4:", "no must": ":4:", "bad kind": ":4:"}[name]
		if !strings.Contains(msg, wantLine) {
			t.Errorf("%s: error %q does not name the line (%s)", name, msg, wantLine)
		}
	}
}
