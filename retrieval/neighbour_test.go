package retrieval

import (
	"strings"
	"testing"

	"github.com/incidentbot/incidentbot"
)

// The passage after a hit is found in the same article, with the cosines
// of its sentences, and not past the article's end.
func TestFollowingPassage(t *testing.T) {
	long := strings.Repeat("The council met again on Monday to hear the engineers describe the flood damage in detail. ", 6)
	arts := []*incidentbot.Article{
		{ID: "a", Title: "A", Text: long + "\n\nThe mayor said the bridge would reopen in May."},
		{ID: "b", Title: "B", Text: "Another article entirely."},
	}
	ix, err := NewIndex("test", arts, func(string) []float32 { return []float32{1, 0} })
	if err != nil {
		t.Fatal(err)
	}
	var first, last *incidentbot.Passage
	for _, p := range ix.Passages() {
		if p.ArticleID == "a" {
			if first == nil {
				first = p
			}
			last = p
		}
	}
	if first == nil || first == last {
		t.Fatalf("want article a in several passages, got first %v last %v", first, last)
	}
	h := &Hit{Result: incidentbot.Result{Passage: first, Article: ix.Article("a"), Score: 0.7}}
	next, ok := ix.Following(h, []float32{1, 0})
	if !ok || next.Passage.ArticleID != "a" || next.Passage.Start < first.End || next.Score != 0.7 {
		t.Fatalf("Following(first) = %+v, %v; want a's next passage with the hit's score", next, ok)
	}
	if len(next.SentenceCosines) != len(next.Passage.Sentences) || next.SentenceCosines[0] < 0.99 {
		t.Errorf("cosines %v for %d sentences, want one per sentence (1 with these vectors)", next.SentenceCosines, len(next.Passage.Sentences))
	}
	if _, ok := ix.Following(&Hit{Result: incidentbot.Result{Passage: last, Article: ix.Article("a")}}, []float32{1, 0}); ok {
		t.Error("Following(last passage of a) found a passage of another article")
	}
}
