package answer

import (
	"context"

	"github.com/incidentbot/incidentbot"
	"github.com/incidentbot/incidentbot/retrieval"
)

// Explanation is how the reader read one question: what the question was
// read as, the candidates it scored best with their features, and the
// answerability it gave. It is for maintainers (`incidentbot ask
// --explain`), to see why an answer was given or refused.
type Explanation struct {
	Question   string               `json:"question"`
	Read       string               `json:"read"` // spelling corrected
	Kind       string               `json:"kind"`
	Parts      []string             `json:"parts,omitempty"`
	Words      []ExplainedWord      `json:"words"`
	Answerable float64              `json:"answerable"`
	Threshold  float64              `json:"threshold"`
	Features   map[string]float64   `json:"answerability_features"`
	Candidates []ExplainedCandidate `json:"candidates"`
}

// ExplainedWord is one content word of the question with its weight and
// the terms that stand for it.
type ExplainedWord struct {
	Word   string                   `json:"word"`
	Weight float64                  `json:"weight"`
	Terms  []retrieval.WeightedTerm `json:"terms"`
}

// ExplainedCandidate is one scored candidate.
type ExplainedCandidate struct {
	Article  string             `json:"article"`
	Text     string             `json:"text"`
	Logit    float64            `json:"logit"`
	Features map[string]float64 `json:"features"`
}

// Explain reads q as Ask would and reports the reader's view of it, with
// its best n candidates.
func (a *Answerer) Explain(ctx context.Context, q string, history []incidentbot.Turn, n int) (*Explanation, error) {
	qa, cands, _, err := a.candidatesFor(ctx, q, history)
	if err != nil {
		return nil, err
	}
	rq := a.src.Index().Analyze(qa.asked) // with the question before, for a follow-up
	e := &Explanation{Question: q, Read: qa.asked, Kind: qa.kind.String(), Threshold: a.reader.Threshold, Features: map[string]float64{}}
	for _, k := range qa.parts {
		e.Parts = append(e.Parts, k.String())
	}
	weights := map[string]float64{}
	for _, w := range qa.words {
		weights[w.word] = w.weight
	}
	for _, w := range rq.Words {
		e.Words = append(e.Words, ExplainedWord{Word: w.Word, Weight: weights[w.Word], Terms: w.Terms})
	}
	af := answerability(&qa, cands)
	for i, v := range af {
		e.Features[answerableNames[i]] = v
	}
	e.Answerable = a.answerable(&qa, cands)
	for i, c := range cands {
		if i == n {
			break
		}
		ec := ExplainedCandidate{Article: c.hit.Article.ID, Text: c.text, Logit: c.logit, Features: map[string]float64{}}
		for j, v := range c.f {
			ec.Features[featureNames[j]] = v
		}
		e.Candidates = append(e.Candidates, ec)
	}
	return e, nil
}
