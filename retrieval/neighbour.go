package retrieval

import "runtime"

// Following returns, as a hit, the passage after h's in its article, with
// the cosines of its sentences with the query vector qv and h's score:
// what a passage says often goes on past its end ("Proof of this is the
// reaction of NATO's Secretary General." ends one passage; his words open
// the next). ok is false at the end of the article.
func (ix *Index) Following(h *Hit, qv []float32) (next *Hit, ok bool) {
	i, found := ix.byPassage[h.Passage.ID]
	if !found || i+1 >= len(ix.passages) || ix.passages[i+1].ArticleID != h.Passage.ArticleID {
		return nil, false
	}
	p := ix.passages[i+1]
	next = &Hit{Result: h.Result, SentenceCosines: make([]float64, len(p.Sentences))}
	next.Passage = p
	buf := make([]float32, ix.Dim)
	for j := range p.Sentences {
		v, err := ix.sentenceVector(p, j, buf)
		if err != nil {
			return nil, false
		}
		next.SentenceCosines[j] = dot(qv, v)
	}
	runtime.KeepAlive(ix)
	next.Sentence = argmax(next.SentenceCosines)
	next.Cosine = next.SentenceCosines[next.Sentence]
	return next, true
}
