package retrieval

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/incidentbot/incidentbot"
)

// The vectors an index gives back, and the ones its snapshot's chromem-go
// export holds (as chromem-go reads them back), are exactly the ones it was
// built with, wherever the index keeps them.
func TestIndexKeepsEveryVectorExactly(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	var arts []*incidentbot.Article
	for a := range 30 {
		var paras []string
		for p := range 6 {
			paras = append(paras, fmt.Sprintf("Article %d says thing %d happened. Officials in Tirana confirmed %d on Monday. Nobody else did %d.", a, p, a*10+p, a*10+p))
		}
		arts = append(arts, &incidentbot.Article{ID: fmt.Sprintf("a%02d", a), Title: "T", Text: strings.Join(paras, "\n\n")})
	}
	given := map[string][]float32{}
	ix, err := NewIndex("test", arts, func(text string) []float32 {
		v := randomUnit(rng, 64)
		given[text] = v
		return v
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var export bytes.Buffer
	if err := writeExport(&export, exportOf(ix), ix.exact.dropAll); err != nil {
		t.Fatal(err)
	}
	ids := map[string][]string{}
	for _, p := range ix.Passages() {
		ids[passagesCollection] = append(ids[passagesCollection], p.ID)
		for j := range p.Sentences {
			ids[sentencesCollection] = append(ids[sentencesCollection], sentenceID(p.ID, j))
		}
	}
	docs := importedDocs(t, export.Bytes(), []string{passagesCollection, sentencesCollection}, ids)
	n := 0
	for _, p := range ix.Passages() {
		if fmt.Sprint(docs[passagesCollection][p.ID]) != fmt.Sprint(given[p.Text]) {
			t.Fatalf("passage %s: chromem holds another vector than it was given", p.ID)
		}
		for j := range p.Sentences {
			v, err := ix.SentenceVector(ctx, p, j)
			if err != nil {
				t.Fatal(err)
			}
			want := given[ix.SentenceText(p, j)]
			if fmt.Sprint(v) != fmt.Sprint(want) {
				t.Fatalf("sentence %d of %s: got another vector than it was given", j, p.ID)
			}
			if fmt.Sprint(docs[sentencesCollection][sentenceID(p.ID, j)]) != fmt.Sprint(want) {
				t.Fatalf("sentence %d of %s: chromem holds another vector than it was given", j, p.ID)
			}
			n++
		}
	}
	if n != ix.SentenceCount() || n == 0 {
		t.Fatalf("checked %d sentences of %d", n, ix.SentenceCount())
	}
	// A search's cosines are those of the vectors given.
	q := given[ix.SentenceText(ix.Passages()[7], 1)]
	resp, err := ix.SearchVector(ctx, "thing happened", q, 3, VectorOnly)
	if err != nil {
		t.Fatal(err)
	}
	if h := resp.Hits[0]; h.Passage != ix.Passages()[7] || h.SentenceCosines[1] < 0.9999 {
		t.Fatalf("searching with a sentence's own vector: best %s (cosines %v), want %s", h.Passage.ID, h.SentenceCosines, ix.Passages()[7].ID)
	}
}
