package eval

import (
	"context"
	"fmt"
	"slices"
	"sort"

	"github.com/incidentbot/incidentbot/retrieval"
)

// Tuned is the score of one set of hybrid weights.
type Tuned struct {
	Weights   retrieval.Weights `json:"weights"`
	HitAt1    float64           `json:"hit_at_1"`
	RecallAt5 float64           `json:"recall_at_5"`
}

// TuneRetrieval scores every combination of the candidate weights on the
// answerable questions, best (hit@1 + recall@5) first. Questions are
// read and embedded once, as the answerer reads them.
func TuneRetrieval(ctx context.Context, ix *retrieval.Index, e retrieval.Embedder, qs []Question) ([]Tuned, error) {
	type q struct {
		Question
		query retrieval.Query
		vec   []float32
	}
	var answerable []q
	for _, x := range qs {
		if x.Unanswerable {
			continue
		}
		rq := ix.Analyze(x.Question)
		v, err := e.Embed(ctx, []string{rq.Text})
		if err != nil {
			return nil, fmt.Errorf("embedding %s: %w", x.ID, err)
		}
		answerable = append(answerable, q{x, rq, v[0]})
	}
	var out []Tuned
	var grid []retrieval.Weights
	for _, sb := range []float64{0.25, 0.5} {
		for _, sc := range []float64{1.5, 2} {
			for _, pb := range []float64{0.5, 1} {
				for _, ak := range []float64{0.3, 0.6} {
					for _, ab := range []float64{0, 0.1} {
						for _, nb := range []float64{0, 0.1, 0.25} {
							grid = append(grid, retrieval.Weights{SentenceBM25: sb, SentenceCosine: sc, PassageBM25: pb, AnswerKind: ak, ArticleBM25: ab, NeighbourBM25: nb})
						}
					}
				}
			}
		}
	}
	for _, w := range grid {
		t := Tuned{Weights: w}
		for _, x := range answerable {
			resp, err := ix.SearchWeights(ctx, x.query, x.vec, 5, w)
			if err != nil {
				return nil, err
			}
			for i, h := range resp.Hits {
				if slices.Contains(x.Docs, h.Passage.ArticleID) && x.Satisfied(h.Passage.Text) {
					if i == 0 {
						t.HitAt1++
					}
					t.RecallAt5++
					break
				}
			}
		}
		t.HitAt1 /= float64(len(answerable))
		t.RecallAt5 /= float64(len(answerable))
		out = append(out, t)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].HitAt1+out[i].RecallAt5 > out[j].HitAt1+out[j].RecallAt5 })
	return out, nil
}
