package retrieval

import (
	"testing"

	"github.com/incidentbot/incidentbot"
	"github.com/incidentbot/incidentbot/lang"
)

// People write phrasal verbs where articles write one word: "kicked out"
// finds "expelled", "cut off" finds "severed", through WordNet's
// multi-word entries (the real language pack). The particle stays a word
// of the query, a verb followed by no particle gets no synonyms, and a
// phrase whose synonyms the corpus lacks adds nothing.
func TestPhrasalVerbsStandForTheirSynonyms(t *testing.T) {
	res, err := lang.Load("")
	if err != nil {
		t.Fatalf("language pack not installed (make model): %v", err)
	}
	arts := []*incidentbot.Article{{ID: "a", Title: "Envoys", Text: "The government expelled the ambassador on Monday. It severed relations a day later. The staff left."}}
	ix, err := NewIndex("test", arts, func(string) []float32 { return []float32{1, 0} })
	if err != nil {
		t.Fatal(err)
	}
	ix.reader.opts = QueryOptions{Phrases: res}
	for _, c := range []struct{ q, want, particle string }{
		{"why did they kick out the ambassador", "expel", "out"},
		{"when were relations cut off", "sever", "off"},
	} {
		got := ix.Analyze(c.q).weights()
		if w := got[c.want]; w != phrasalWeight {
			t.Errorf("%q: terms %v, want %q at %v", c.q, got, c.want, phrasalWeight)
		}
		if _, ok := got[c.particle]; !ok {
			t.Errorf("%q: terms %v lost the particle %q", c.q, got, c.particle)
		}
	}
	for _, q := range []string{"why did they kick the ambassador", "when did the staff leave"} {
		got := ix.Analyze(q).weights()
		if _, ok := got["expel"]; ok {
			t.Errorf("%q: terms %v, want no phrasal synonym", q, got)
		}
		if _, ok := got["sever"]; ok {
			t.Errorf("%q: terms %v, want no phrasal synonym", q, got)
		}
	}
}
