package retrieval

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/incidentbot/incidentbot"
	"github.com/incidentbot/incidentbot/corpus"
)

// A refresh's name counts, made from the previous ones and the articles
// not kept, are those of counting every article again.
func TestNameCountsFollowARefresh(t *testing.T) {
	old, err := corpus.LoadDir(copyCorpus(t))
	if err != nil {
		t.Fatal(err)
	}
	prev := countNames(old)
	if !prev.all || len(prev.list()) == 0 {
		t.Fatalf("the shipped corpus's names: %d, all read %v", len(prev.list()), prev.all)
	}
	// One article changed (a sentence naming someone new), one removed,
	// one added; the rest kept.
	next := slices.Clone(old[1:])
	changed := *next[0]
	changed.Text = strings.Replace(changed.Text, ".", ". Minister Quentin Harrowgate of the Harbour Office confirmed it.", 1)
	next[0] = &changed
	next = append(next, &incidentbot.Article{ID: "009_new", Title: "The Quartz Heron Drill", Text: "The Port Authority of Eastmouth ran the Quartz Heron drill."})
	kept := map[string]bool{}
	for _, a := range next[1 : len(next)-1] {
		kept[a.ID] = true
	}
	got, want := namesFrom(prev, old, next, kept), countNames(next)
	if !maps.Equal(got.upper, want.upper) || !maps.Equal(got.lower, want.lower) || !maps.Equal(got.runs, want.runs) {
		t.Fatal("the counts made from the previous ones differ from counting every article")
	}
	if !slices.Equal(got.list(), want.list()) || !slices.Contains(got.list(), "Quentin Harrowgate") {
		t.Errorf("names: %d, want %d", len(got.list()), len(want.list()))
	}
	if !slices.Contains(want.list(), "Port Authority of Eastmouth") {
		t.Errorf("the new article's names are missing: %v", want.list())
	}
	// The previous counts are the previous index's, still served: untouched.
	if again := countNames(old); !maps.Equal(again.runs, prev.runs) || !maps.Equal(again.upper, prev.upper) {
		t.Error("namesFrom changed the counts it started from")
	}
}
