package answer_test

import (
	"context"
	"strings"
	"testing"

	goopenai "github.com/sashabaranov/go-openai"

	"github.com/incidentbot/incidentbot"
	"github.com/incidentbot/incidentbot/answer"
	"github.com/incidentbot/incidentbot/eval"
	"github.com/incidentbot/incidentbot/openai"
	"github.com/incidentbot/incidentbot/retrieval"
)

// The evaluation runs in LLM mode too, against the fake server: a model
// that answers from the passage holding the question's required words (as
// a good model would) and refuses when none does. The figures show the
// LLM path keeps every quote verbatim and every shown sentence supported,
// and that verification does not throw good answers away.
func TestEvaluationInLLMMode(t *testing.T) {
	qs, err := eval.Default()
	if err != nil {
		t.Fatal(err)
	}
	byQuestion := map[string]eval.Question{}
	for _, q := range qs {
		byQuestion[q.Question] = q
	}
	srv, a := setup(t, openai.Config{})
	newModel(t, srv, func(req goopenai.ChatCompletionRequest) string {
		user := req.Messages[len(req.Messages)-1].Content
		var q eval.Question
		for text, cand := range byQuestion {
			if strings.Contains(user, "<question>\n"+text+"\n</question>") {
				q = cand
			}
		}
		ps := passagesOf(req)
		for n := 1; n <= len(ps); n++ {
			text := ps[n]
			for _, sp := range retrieval.SplitSentences(text, incidentbot.Span{End: len(text)}) {
				s := text[sp.Start:sp.End]
				if !q.Unanswerable && len(q.Must) > 0 && q.Satisfied(s) && !strings.ContainsAny(s, "[]") {
					return strings.TrimRight(s, ".") + " [" + itoa(n) + "]."
				}
			}
		}
		return "The articles I have don't cover that."
	})
	articles := map[string]*incidentbot.Article{}
	for _, art := range testStore(t).Index().Articles() {
		articles[art.ID] = art
	}
	ask := func(ctx context.Context, q eval.Question) (*incidentbot.Answer, error) {
		return a.Ask(ctx, answer.Request{Question: q.Question, History: q.History()})
	}
	s, err := eval.Answers(context.Background(), ask, articles, qs[:40])
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("LLM mode on 40 questions: accuracy %.3f, citation support %.3f, verbatim %.3f, refusals %.3f, false refusals %d, median words %d",
		s.Accuracy, s.CitationSupport, s.Verbatim, s.RefusalAccuracy, s.FalseRefusals, s.MedianWords)
	if s.Mode != incidentbot.ModeLLM && s.Mode != incidentbot.ModeExtractive {
		t.Errorf("mode %q", s.Mode)
	}
	if s.Verbatim != 1 {
		t.Errorf("every quote must be verbatim, got %.3f", s.Verbatim)
	}
	if s.CitationSupport < s.Accuracy {
		t.Errorf("an accurate LLM answer must cite a passage holding its words: support %.3f < accuracy %.3f", s.CitationSupport, s.Accuracy)
	}
	if s.Accuracy < 0.8 {
		t.Errorf("verification threw away correct, quoted answers: accuracy %.3f", s.Accuracy)
	}
}
