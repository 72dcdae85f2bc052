package bot_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/incidentbot/incidentbot/bot"
	"github.com/incidentbot/incidentbot/internal/wiring"

	goopenai "github.com/sashabaranov/go-openai"

	"github.com/incidentbot/incidentbot/answer"
	"github.com/incidentbot/incidentbot/bot/discordtest"
	"github.com/incidentbot/incidentbot/openai"
	"github.com/incidentbot/incidentbot/openai/openaitest"
)

var passageRe = regexp.MustCompile(`(?s)<passage n="(\d+)" source="[^"]*">\n(.*?)\n</passage>`)
var sentenceRe = regexp.MustCompile(`^.*?[.!?](\s|$)`)

// quotingModel answers by quoting the first sentence of the first three
// passages in its prompt, citing each: a model that behaves.
func quotingModel(req goopenai.ChatCompletionRequest) string {
	ps := passageRe.FindAllStringSubmatch(req.Messages[len(req.Messages)-1].Content, -1)
	var out []string
	for i, p := range ps[:min(3, len(ps))] {
		s := strings.TrimSpace(sentenceRe.FindString(p[2]))
		if s == "" {
			s = p[2]
		}
		out = append(out, s+" ["+string(rune('1'+i))+"]")
	}
	return strings.Join(out, " ")
}

func llmSetup(tb testing.TB, srv *openaitest.Server, interval time.Duration) setup {
	tb.Helper()
	chat, err := openai.NewChat(openai.Config{BaseURL: srv.URL(), Model: "fake-model", Timeout: 10 * time.Second})
	if err != nil {
		tb.Fatal(err)
	}
	return setup{
		answerer: answer.New(sharedStore(tb), wiring.AnswerOptions(answer.Options{LLM: chat}, wiring.MustLanguage())),
		cfg:      func(c *bot.Config) { c.StreamEditInterval = interval },
	}
}

func TestLLMAnswerStreamsIntoTheMessage(t *testing.T) {
	model := openaitest.NewServer(t)
	model.SetChatFunc(quotingModel)
	model.SetChunkDelay(15 * time.Millisecond)
	const interval = 100 * time.Millisecond
	h := start(t, llmSetup(t, model, interval))

	in := h.ask("When did Albania cut diplomatic ties with Iran?")
	rec := h.answered(in.ID)
	var partial []discordtest.MessageWrite
	var final discordtest.MessageWrite
	for _, w := range rec.Original.Writes {
		if w.Content == nil {
			continue
		}
		if strings.Contains(*w.Content, "writing…") {
			partial = append(partial, w)
		} else {
			final = w
		}
	}
	if len(partial) < 2 {
		t.Fatalf("%d partial edits, want the answer to appear as it is written", len(partial))
	}
	span := final.At.Sub(partial[0].At)
	if max := int(span/interval) + 2; len(partial) > max {
		t.Errorf("%d partial edits in %v, want at most %d (one per %v)", len(partial), span, max, interval)
	}
	for i := 1; i < len(partial); i++ {
		if gap := partial[i].At.Sub(partial[i-1].At); gap < interval*8/10 {
			t.Errorf("partial edits %d and %d only %v apart", i-1, i, gap)
		}
	}
	got := rec.Original.Content
	if strings.Contains(got, "writing…") || !strings.Contains(got, "[1]") || !strings.Contains(got, "**Sources**") {
		t.Errorf("final answer:\n%s", got)
	}
	checkSafeWrites(t, h.srv)
}

func TestLLMFailureShowsTheFallbackNotice(t *testing.T) {
	t.Parallel()
	model := openaitest.NewServer(t)
	model.SetChatFunc(quotingModel)
	model.FailNext(openaitest.PathChat, 1, 500, "")
	h := start(t, llmSetup(t, model, 100*time.Millisecond))
	rec := h.answered(h.ask("Who attacked Albania in July 2022?").ID)
	if !strings.Contains(rec.Original.Content, "*Note:* The language model could not answer") || !strings.Contains(rec.Original.Content, "**Sources**") {
		t.Errorf("fallback answer:\n%s", rec.Original.Content)
	}
	h.waitMetric("incidentbot_questions_fallback_total 1")
}
