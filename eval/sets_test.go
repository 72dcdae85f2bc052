package eval_test

import (
	"io/fs"
	"testing"

	"github.com/incidentbot/incidentbot/corpus"
	"github.com/incidentbot/incidentbot/eval"
)

// Every built-in set loads, and every requirement of an answerable
// question is stated by one of the articles it lists, in the set's own
// corpus: a question whose expected answer is nowhere in the articles
// would measure nothing.
func TestEverySetAgainstItsCorpus(t *testing.T) {
	shipped, err := corpus.Load(corpus.Default(), "corpus")
	if err != nil {
		t.Fatal(err)
	}
	roles := map[eval.Role]int{}
	for _, s := range eval.Sets() {
		qs, err := s.Questions()
		if err != nil {
			t.Fatal(err)
		}
		roles[s.Role]++
		arts := shipped
		if fsys := s.Corpus(); fsys != nil {
			sub, err := fs.Sub(fsys, "articles")
			if err != nil {
				t.Fatal(err)
			}
			if arts, err = corpus.Load(sub, s.CorpusName()); err != nil {
				t.Fatalf("%s: %v", s.Name, err)
			}
		}
		text := map[string]string{}
		for _, a := range arts {
			text[a.ID] = a.Text
		}
		answerable := 0
		for _, q := range qs {
			if q.Unanswerable {
				continue
			}
			answerable++
			for _, m := range q.Must {
				found := false
				for _, d := range q.Docs {
					if _, ok := text[d]; !ok {
						t.Errorf("%s %s: unknown doc %s", s.Name, q.ID, d)
					}
					found = found || (eval.Question{Must: []string{m}}).Satisfied(text[d])
				}
				if !found {
					t.Errorf("%s %s: must %q is in none of its docs %v", s.Name, q.ID, m, q.Docs)
				}
			}
		}
		// A set measures answers with at least 20 answerable questions;
		// a set of questions to refuse only (off-topic) measures refusals.
		if answerable < 20 && answerable > 0 {
			t.Errorf("%s: only %d answerable questions", s.Name, answerable)
		}
	}
	if roles[eval.Train] == 0 || roles[eval.Test] == 0 {
		t.Errorf("sets by role: %v; want training and test sets", roles)
	}
}
