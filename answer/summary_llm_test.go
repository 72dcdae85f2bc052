package answer_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	goopenai "github.com/sashabaranov/go-openai"

	"github.com/incidentbot/incidentbot"
	"github.com/incidentbot/incidentbot/openai"
)

// With a model, the summary is the model's bullets, checked like answers:
// a bullet no passage supports is removed.
func TestSummaryWithLLM(t *testing.T) {
	srv, a := setup(t, openai.Config{})
	newModel(t, srv, func(req goopenai.ChatCompletionRequest) string {
		s, n := quote(t, req, 0)
		return "• " + s + " [" + itoa(n) + "]\n• Kosovo won the football championship in 1990 [" + itoa(n) + "]"
	})
	sum, err := a.Summary(context.Background(), "kosovo")
	if err != nil {
		t.Fatal(err)
	}
	if sum.Mode != incidentbot.ModeLLM || strings.Contains(sum.Text, "football") || len(sum.Citations) != 1 {
		t.Errorf("want the supported bullet only, from the model: %+v", sum)
	}
	if sum.SupportedSentences != 1 || sum.TotalSentences != 2 || sum.Notice == "" {
		t.Errorf("the removed bullet must be counted and noted: %d/%d %q", sum.SupportedSentences, sum.TotalSentences, sum.Notice)
	}
	checkCitations(t, testStore(t), sum.Citations)
}

func TestSummaryFallsBackWhenTheModelFails(t *testing.T) {
	srv, a := setup(t, openai.Config{MaxRetries: 0})
	srv.FailNext("/v1/chat/completions", 5, http.StatusServiceUnavailable, "")
	sum, err := a.Summary(context.Background(), "montenegro")
	if err != nil {
		t.Fatal(err)
	}
	if sum.Mode != incidentbot.ModeFallback || sum.Notice == "" || len(sum.Citations) == 0 {
		t.Errorf("want the extractive summary with a notice: %+v", sum)
	}
}

// The model's timeline lines are parsed, checked and sorted; without usable
// lines the extractive timeline stands.
func TestTimelineWithLLM(t *testing.T) {
	srv, a := setup(t, openai.Config{})
	newModel(t, srv, func(req goopenai.ChatCompletionRequest) string {
		n := need(t, req, "August 20")
		m := need(t, req, "July 15")
		return "2022-08-20 — Montenegro's government IT network came under attack [" + itoa(n) + "]\n" +
			"2022-07-15 — Albania was hit by the July 15 cyber-attack [" + itoa(m) + "]"
	})
	tl, err := a.Timeline(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(tl.Events) != 2 || tl.Events[0].Date != "2022-07-15" || tl.Events[1].Date != "2022-08-20" {
		t.Fatalf("want the model's two events in date order, got %+v", tl.Events)
	}
	checkCitations(t, testStore(t), tl.Citations)

	srv.SetChatFunc(func(goopenai.ChatCompletionRequest) string { return "I cannot help with that." })
	tl, err = a.Timeline(context.Background())
	if err != nil || len(tl.Events) < 5 {
		t.Fatalf("an unusable reply must leave the extractive timeline: %v %+v", err, tl)
	}
}
