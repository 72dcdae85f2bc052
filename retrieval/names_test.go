package retrieval

import (
	"strings"
	"testing"

	"github.com/incidentbot/incidentbot"
	"github.com/incidentbot/incidentbot/lang"
)

// A name written the way it sounds finds the article's spelling of it; an
// English word one letter away from a corpus word is left alone.
func TestNamesAsTheArticlesSpellThem(t *testing.T) {
	res, err := lang.Load("")
	if err != nil {
		t.Fatalf("language pack not installed (make model): %v", err)
	}
	arts := []*incidentbot.Article{{ID: "a", Title: "T", Text: "Jehns Stoltenberg spoke. The spokesman, Nasser Ka’nani, said the harvest was lost."}}
	ix, err := NewIndex("test", arts, func(string) []float32 { return []float32{1, 0} })
	if err != nil {
		t.Fatal(err)
	}
	ix.reader.opts = QueryOptions{Vectors: res, NewSpeller: func(v map[string]int) Speller { return lang.NewSpeller(res, v) }}
	for q, want := range map[string]string{
		"what did Jens Stoltenberg say":       "Jehns",
		"who is nasser kanani":                "ka'nani",
		"did they lose the harvest":           "lose",
		"what did the spokesman say, nasser?": "nasser",
	} {
		if got := ix.Analyze(q).Text; !strings.Contains(got, want) {
			t.Errorf("%q read as %q, want it to hold %q", q, got, want)
		}
	}
	if got := ix.Analyze("did they lose the harvest").Text; strings.Contains(got, "lost") {
		t.Errorf("an English word was changed into a corpus word: %q", got)
	}
}
