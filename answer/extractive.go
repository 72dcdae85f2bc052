package answer

import (
	"github.com/incidentbot/incidentbot"
	"github.com/incidentbot/incidentbot/retrieval"
)

func (a *Answerer) extractive(q string, resp *retrieval.Response) *incidentbot.Answer {
	ans := &incidentbot.Answer{Question: q, Mode: incidentbot.ModeExtractive}
	if len(resp.Hits) == 0 {
		ans.Refused = true
		return ans
	}
	h := resp.Hits[0]
	s := h.Passage.Sentences[h.Sentence]
	ans.Text = h.Article.Text[s.Start:s.End] + " [1]"
	ans.Citations = []incidentbot.Citation{citation(1, h.Article, s, h.Score)}
	ans.SupportedSentences, ans.TotalSentences = 1, 1
	return ans
}
