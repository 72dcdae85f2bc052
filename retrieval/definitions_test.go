package retrieval

import (
	"testing"

	"github.com/incidentbot/incidentbot"
	"github.com/incidentbot/incidentbot/lang"
)

// A question that describes a name instead of naming it ("the French
// capital", "the Bureau's agents" as "federal investigators") finds the
// name through its dictionary definition (WordNet, through the real
// language pack); a question that names it, or that describes nothing the
// corpus names, gets no such terms.
func TestDefinitionsStandForTheNamesTheyDescribe(t *testing.T) {
	res, err := lang.Load("")
	if err != nil {
		t.Fatalf("language pack not installed (make model): %v", err)
	}
	arts := []*incidentbot.Article{{ID: "a", Title: "Floods", Text: "Agents of the FBI arrived on Monday. Later the water reached Paris, where the mayor spoke. The river rose in the night."}}
	ix, err := NewIndex("test", arts, func(string) []float32 { return []float32{1, 0} })
	if err != nil {
		t.Fatal(err)
	}
	ix.reader.opts = QueryOptions{Definitions: res}
	for _, c := range []struct {
		q, want string
	}{
		{"when did federal investigators arrive", "fbi"},
		{"what did the mayor of the french capital say", "pari"},
	} {
		got := ix.Analyze(c.q).weights()
		if w := got[c.want]; w <= definedMin || w >= 1 {
			t.Errorf("%q: terms %v, want %q at a weight between %v and 1", c.q, got, c.want, definedMin)
		}
	}
	for _, q := range []string{"when did the FBI arrive", "how high did the river rise"} {
		got := ix.Analyze(q).weights()
		if w, ok := got["fbi"]; ok && w != 1 {
			t.Errorf("%q: terms %v, want no description-found fbi", q, got)
		}
		if _, ok := got["pari"]; ok {
			t.Errorf("%q: terms %v, want no pari", q, got)
		}
	}
}
