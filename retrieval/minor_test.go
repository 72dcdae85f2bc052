package retrieval

import (
	"context"
	"testing"

	"github.com/incidentbot/incidentbot"
	"github.com/incidentbot/incidentbot/lang"
)

// Chat is full of adverbs the articles rarely use ("did they actually
// leave?"); rare in the corpus, they were the weightiest words of the
// question and found the article that happens to use them. An adverb
// (WordNet's sense-tagged texts, the real language pack) counts for
// minorWeight and brings no near words; a capitalised word is never one.
func TestAnAdverbDoesNotDecideWhatIsFound(t *testing.T) {
	res, err := lang.Load("")
	if err != nil {
		t.Fatalf("language pack not installed (make model): %v", err)
	}
	arts := []*incidentbot.Article{
		{ID: "envoys", Title: "Envoys go", Text: "The envoys left the capital on Monday after the talks."},
		{ID: "talks", Title: "Talks", Text: "Actually, the talks were actually over, actually."},
		{ID: "other", Title: "Weather", Text: "It rained in the capital. The harbour was closed."},
	}
	e := &wordEmbedder{id: "test"}
	ix, err := NewIndex("test", arts, func(s string) []float32 {
		v, _ := e.Embed(context.Background(), []string{s})
		return v[0]
	})
	if err != nil {
		t.Fatal(err)
	}
	ix.reader.opts = QueryOptions{Nouns: res, Lemmas: res}
	q := ix.Analyze("when did the envoys actually leave")
	for _, w := range q.Words {
		if w.Word == "actually" && (!w.Minor || len(w.Terms) != 1 || w.Terms[0].Weight != minorWeight) {
			t.Errorf("actually: %+v, want one term at %v", w, minorWeight)
		}
		if w.Word == "envoys" && w.Minor {
			t.Errorf("envoys read as an adverb")
		}
	}
	resp, err := ix.SearchQuery(context.Background(), e, q, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Hits) == 0 || resp.Hits[0].Article.ID != "envoys" {
		t.Fatalf("first hit %+v, want the envoys article", resp.Hits)
	}
	if w := ix.Analyze("what did Actually Ltd say").Words[0]; w.Minor {
		t.Errorf("a capitalised word read as an adverb: %+v", w)
	}
}
