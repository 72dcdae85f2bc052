package retrieval

import (
	"context"
	"testing"

	"github.com/incidentbot/incidentbot"
	"github.com/incidentbot/incidentbot/lang"
)

// People ask in the present what articles tell in the past: "did they
// leave?" of "they left", "who did he lead?" of "he led". Stemming joins
// "expelled" and "expel" but not these; WordNet's base forms (the real
// language pack) do, in both directions, and a word with no other form in
// the corpus gains nothing.
func TestAWordFindsTheCorpussOtherFormsOfIt(t *testing.T) {
	res, err := lang.Load("")
	if err != nil {
		t.Fatalf("language pack not installed (make model): %v", err)
	}
	arts := []*incidentbot.Article{
		{ID: "a", Title: "Envoys", Text: "The envoys left the capital on Monday. Colonel Vey led the rescue battalion."},
		{ID: "b", Title: "Talks", Text: "The delegation will leave for the talks. The mayor spoke at noon."},
	}
	e := &wordEmbedder{id: "test"}
	ix, err := NewIndex("test", arts, func(s string) []float32 {
		v, _ := e.Embed(context.Background(), []string{s})
		return v[0]
	})
	if err != nil {
		t.Fatal(err)
	}
	ix.reader.opts = QueryOptions{Lemmas: res}
	for _, c := range []struct{ q, want string }{
		{"when did the envoys leave", "left"},
		{"who left for the talks", "leav"},
		{"which battalion did Vey lead", "led"},
	} {
		got := ix.Analyze(c.q).weights()
		if w := got[c.want]; w != formWeight {
			t.Errorf("%q: terms %v, want %q at %v", c.q, got, c.want, formWeight)
		}
	}
	if got := ix.Analyze("when did the mayor speak").weights(); got["spoke"] != formWeight {
		t.Errorf("speak: terms %v, want spoke", got)
	}
	if got := ix.Analyze("why was the rescue delayed").weights(); len(got) != 2 || got["rescu"] != 1 || got["delay"] != 1 {
		t.Errorf("terms %v, want only the question's own (rescue, delay: no other form in the corpus)", got)
	}
	// And the search finds the sentence that says it in another form.
	resp, err := ix.SearchQuery(context.Background(), e, ix.Analyze("which battalion did Vey lead"), 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Hits) == 0 || resp.Hits[0].Article.ID != "a" {
		t.Fatalf("hits %+v, want article a first", resp.Hits)
	}
}
