package eval

import (
	"context"
	"fmt"
	"slices"

	"github.com/incidentbot/incidentbot/retrieval"
)

// RetrievalScores are the ranking metrics of one retrieval method over the
// answerable questions. A passage is an answer passage when it comes from one
// of the question's docs and contains every must requirement.
type RetrievalScores struct {
	Method    string   `json:"method"`
	Questions int      `json:"questions"`
	RecallAt5 float64  `json:"recall_at_5"`
	HitAt1    float64  `json:"hit_at_1"`
	MRR       float64  `json:"mrr"`
	Misses    []string `json:"misses,omitempty"` // ids not found in the top 5
}

// Retrieval measures each method on the answerable questions.
func Retrieval(ctx context.Context, ix *retrieval.Index, e retrieval.Embedder, qs []Question, methods ...retrieval.Method) ([]RetrievalScores, error) {
	var out []RetrievalScores
	vecs := map[string][]float32{}
	for _, q := range qs {
		if q.Unanswerable {
			continue
		}
		v, err := e.Embed(ctx, []string{q.Question})
		if err != nil {
			return nil, fmt.Errorf("embedding %s: %w", q.ID, err)
		}
		vecs[q.ID] = v[0]
	}
	for _, m := range methods {
		s := RetrievalScores{Method: m.String()}
		for _, q := range qs {
			if q.Unanswerable {
				continue
			}
			resp, err := ix.SearchVector(ctx, q.Question, vecs[q.ID], 10, m)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", q.ID, err)
			}
			s.Questions++
			rank := 0
			for i, h := range resp.Hits {
				if slices.Contains(q.Docs, h.Passage.ArticleID) && q.Satisfied(h.Passage.Text) {
					rank = i + 1
					break
				}
			}
			if rank == 1 {
				s.HitAt1++
			}
			if rank >= 1 && rank <= 5 {
				s.RecallAt5++
			} else {
				s.Misses = append(s.Misses, q.ID)
			}
			if rank > 0 {
				s.MRR += 1 / float64(rank)
			}
		}
		if s.Questions > 0 {
			n := float64(s.Questions)
			s.HitAt1 /= n
			s.RecallAt5 /= n
			s.MRR /= n
		}
		out = append(out, s)
	}
	return out, nil
}
