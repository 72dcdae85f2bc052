package retrieval

import (
	"context"
	"fmt"
	"math"

	"github.com/incidentbot/incidentbot"
)

// Method chooses how passages are ranked. Hybrid is what users get; the
// others exist so the evaluation can show what each part contributes.
type Method int

const (
	Hybrid Method = iota
	BM25Only
	VectorOnly
	RRF // reciprocal rank fusion of BM25Only and VectorOnly, for comparison
)

func (m Method) String() string {
	return [...]string{"hybrid", "bm25", "vector", "rrf"}[m]
}

// Weights of the hybrid score. BM25 is scaled to [0, 1] by the best score for
// the query, so the weights are comparable across questions. Tuned on
// eval/questions.yaml (see `incidentbot eval`).
var (
	weightSentence = 1.0  // the best sentence cosine in the passage
	weightPassage  = 0.25 // the whole passage cosine
	weightAnswer   = 0.15 // the passage holds the kind of answer asked for
)

// candidates: how many passages each retriever contributes before fusion.
const candidates = 100

// Hit is a passage found for a query, with the parts of its score.
type Hit struct {
	incidentbot.Result
	BM25     float64 // BM25 scaled by the query's best BM25 score, in [0, 1]
	Cosine   float64 // the best sentence cosine
	Sentence int     // index of that sentence in Passage.Sentences
	// SentenceCosines holds the cosine of each of the passage's sentences
	// with the query, in order.
	SentenceCosines []float64
}

// Response is the result of one search.
type Response struct {
	Query  string
	Vector []float32 // the query's embedding
	Hits   []Hit
}

// Search returns the k best passages for query.
func (ix *Index) Search(ctx context.Context, e Embedder, query string, k int) (*Response, error) {
	return ix.SearchWith(ctx, e, query, k, Hybrid)
}

// SearchWith ranks with the given method.
func (ix *Index) SearchWith(ctx context.Context, e Embedder, query string, k int, m Method) (*Response, error) {
	if e.ID() != ix.EmbedderID {
		return nil, &EmbedderMismatchError{Index: ix.EmbedderID, Configured: e.ID()}
	}
	vecs, err := e.Embed(ctx, []string{query})
	if err != nil {
		return nil, fmt.Errorf("embedding the query: %w", err)
	}
	if len(vecs) != 1 || len(vecs[0]) != ix.Dim {
		return nil, fmt.Errorf("embedding the query: got %d vectors, want one of dimension %d", len(vecs), ix.Dim)
	}
	return ix.SearchVector(ctx, query, vecs[0], k, m)
}

// SearchVector ranks passages for a query whose embedding is already known.
func (ix *Index) SearchVector(ctx context.Context, query string, qv []float32, k int, m Method) (*Response, error) {
	resp := &Response{Query: query, Vector: qv}
	if len(ix.passages) == 0 || k <= 0 {
		return resp, nil
	}
	bm := ix.bm25.Scores(query)
	bmMax := 0.0
	for _, s := range bm {
		bmMax = math.Max(bmMax, s)
	}

	// Best sentence cosine per passage, from the nearest sentences. A passage
	// none of whose sentences is among them gets the lowest cosine seen: it
	// is at most that close.
	sentRes, err := ix.sentVecs.QueryEmbedding(ctx, qv, min(ix.sentCount, 3*candidates), nil, nil)
	if err != nil {
		return nil, fmt.Errorf("sentence vector search: %w", err)
	}
	type best struct {
		cos  float64
		sent int
	}
	sentBest := map[int]best{}
	floor := 1.0
	for _, r := range sentRes {
		pid, si := splitSentenceID(r.ID)
		pi, ok := ix.byPassage[pid]
		if !ok {
			continue
		}
		c := float64(r.Similarity)
		floor = math.Min(floor, c)
		if b, ok := sentBest[pi]; !ok || c > b.cos {
			sentBest[pi] = best{c, si}
		}
	}
	passRes, err := ix.passVecs.QueryEmbedding(ctx, qv, min(len(ix.passages), candidates), nil, nil)
	if err != nil {
		return nil, fmt.Errorf("passage vector search: %w", err)
	}
	passCos := map[int]float64{}
	passFloor := 1.0
	for _, r := range passRes {
		if pi, ok := ix.byPassage[r.ID]; ok {
			passCos[pi] = float64(r.Similarity)
			passFloor = math.Min(passFloor, float64(r.Similarity))
		}
	}

	// Candidates: the best of each retriever.
	cand := map[int]bool{}
	for _, s := range topK(bm, candidates) {
		cand[s.Doc] = true
	}
	for pi := range sentBest {
		cand[pi] = true
	}
	for pi := range passCos {
		cand[pi] = true
	}
	want := answerKind(query)
	var scored []Scored
	vecScore := func(pi int) float64 {
		c, ok := sentBest[pi]
		cos := floor
		if ok {
			cos = c.cos
		}
		pc, ok := passCos[pi]
		if !ok {
			pc = passFloor
		}
		return weightSentence*cos + weightPassage*pc
	}
	switch m {
	case BM25Only:
		scored = topK(bm, -1)
	case VectorOnly:
		s := map[int]float64{}
		for pi := range cand {
			s[pi] = vecScore(pi)
		}
		scored = topK(s, -1)
	case RRF:
		s := map[int]float64{}
		for rank, x := range topK(bm, candidates) {
			s[x.Doc] += 1 / float64(60+rank+1)
		}
		vs := map[int]float64{}
		for pi := range cand {
			vs[pi] = vecScore(pi)
		}
		for rank, x := range topK(vs, candidates) {
			s[x.Doc] += 1 / float64(60+rank+1)
		}
		scored = topK(s, -1)
	default:
		s := map[int]float64{}
		for pi := range cand {
			v := vecScore(pi)
			if bmMax > 0 {
				v += bm[pi] / bmMax
			}
			if want != anyKind && hasKind(ix.passages[pi].Text, want) {
				v += weightAnswer
			}
			s[pi] = v
		}
		scored = topK(s, -1)
	}
	if len(scored) > k {
		scored = scored[:k]
	}
	for rank, x := range scored {
		p := ix.passages[x.Doc]
		h := Hit{Result: incidentbot.Result{Rank: rank + 1, Passage: p, Article: ix.byArticle[p.ArticleID], Score: x.Score}}
		if bmMax > 0 {
			h.BM25 = bm[x.Doc] / bmMax
		}
		h.SentenceCosines = make([]float64, len(p.Sentences))
		h.Cosine = -1
		for j := range p.Sentences {
			v, err := ix.SentenceVector(ctx, p, j)
			if err != nil {
				return nil, err
			}
			c := dot(qv, v)
			h.SentenceCosines[j] = c
			if c > h.Cosine {
				h.Cosine, h.Sentence = c, j
			}
		}
		resp.Hits = append(resp.Hits, h)
	}
	return resp, nil
}

func splitSentenceID(id string) (string, int) {
	for i := len(id) - 1; i >= 0; i-- {
		if id[i] == '/' {
			n := 0
			for _, c := range id[i+1:] {
				n = n*10 + int(c-'0')
			}
			return id[:i], n
		}
	}
	return id, 0
}

func dot(a, b []float32) float64 {
	var s float32
	for i := range a {
		s += a[i] * b[i]
	}
	return float64(s)
}

// EmbedderMismatchError: the index was built with another embedder.
type EmbedderMismatchError struct{ Index, Configured string }

func (e *EmbedderMismatchError) Error() string {
	return fmt.Sprintf("the index was built with embedder %q but %q is configured; vectors from different models cannot be compared: re-index with `incidentbot index --rebuild`", e.Index, e.Configured)
}
