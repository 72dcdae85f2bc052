package answer_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	goopenai "github.com/sashabaranov/go-openai"

	"github.com/incidentbot/incidentbot"
	"github.com/incidentbot/incidentbot/answer"
	"github.com/incidentbot/incidentbot/internal/wiring"
	"github.com/incidentbot/incidentbot/openai"
)

const french = "Quand l'Albanie a-t-elle rompu ses relations diplomatiques avec l'Iran ?"

// Offline, a question in another language is told that answers read
// English, with the sources its names point to, and is not answered from
// a misread.
func TestOtherLanguageOffline(t *testing.T) {
	t.Parallel()
	a := answer.New(testStore(t), wiring.AnswerOptions(answer.Options{}, wiring.MustLanguage()))
	ans := ask(t, a, french)
	if !ans.OtherLanguage || !ans.Refused || !strings.Contains(ans.Text, "English") {
		t.Fatalf("want the English-only reply, got %+v", ans)
	}
	if len(ans.Closest) == 0 || len(ans.Citations) != 0 {
		t.Errorf("want closest sources by the question's names and no citations: %d closest, %d citations", len(ans.Closest), len(ans.Citations))
	}
	if en := ask(t, a, "When did Albania cut diplomatic ties with Iran?"); en.OtherLanguage || en.Refused {
		t.Errorf("an English question is answered: %+v", en)
	}
	// Chat English: names typed in lower case, contractions, shorthand.
	for _, q := range []string{"who's adrienne watson?", "wat did konjevic say abt the hackers", "wat 3 things did lita say the govt shud do for cyber security", "who's john hultquist n wat did he say abt albania's move",
		"wat type of attack hit kosovo n wen"} {
		if en := ask(t, a, q); en.OtherLanguage {
			t.Errorf("%q is English, got the English-only reply", q)
		}
	}
	for _, q := range []string{"Wann hat Albanien die Beziehungen zum Iran abgebrochen?", "¿Cuándo rompió Albania relaciones con Irán?",
		// Words the speller would read as English ("membri") or that a
		// dictionary lists ("secondo", "del", "la").
		"Quanti membri del MEK vivono in Albania secondo la DW?", "Wer ist Afshin Shahi und an welcher Uni arbeitet er?",
		// Short words that English also has ("chi", "dell", "ha").
		"Chi è John Hultquist e cosa ha detto sulla risposta dell'Albania all'attacco?", "¿Quién es Adrienne Watson?"} {
		if other := ask(t, a, q); !other.OtherLanguage {
			t.Errorf("%q is not English, got %q", q, other.Text)
		}
	}
	// The closest sources come from what the question shares with the
	// articles: names, figures, and words nearly the articles' own
	// ("iranianë" for Iranian, "diplomatë" for diplomat).
	other := ask(t, a, "Sa diplomatë iranianë u larguan nga Shqipëria dhe në cilën ditë?")
	if !other.OtherLanguage || len(other.Closest) == 0 {
		t.Fatalf("want the English-only reply with sources, got %+v", other)
	}
	found := false
	for _, c := range other.Closest {
		found = found || strings.Contains(c.Quote, "diplomat")
	}
	if !found {
		t.Errorf("no closest source is about the Iranian diplomats: %+v", other.Closest)
	}
	// Another script's names are read in Latin letters ("россия" is
	// Russia), and the few sources come from as many articles as they can.
	ru := ask(t, a, "почему сначала думали что это россия")
	if !ru.OtherLanguage || len(ru.Closest) == 0 {
		t.Fatalf("want the English-only reply with sources, got %+v", ru)
	}
	found = false
	articles := map[string]bool{}
	for _, c := range ru.Closest {
		found = found || strings.Contains(c.Quote, "Russia")
		articles[c.Doc] = true
	}
	if !found || len(articles) < len(ru.Closest) {
		t.Errorf("want sources naming Russia, each from another article: %+v", ru.Closest)
	}
}

// With a language model, the question is put into English, answered and
// checked in English, and the checked answer is given in the asker's
// language with the same citations.
func TestOtherLanguageWithLLM(t *testing.T) {
	t.Parallel()
	srv, a := setup(t, openai.Config{})
	newModel(t, srv, func(req goopenai.ChatCompletionRequest) string {
		sys := req.Messages[0].Content
		switch {
		case strings.Contains(sys, "translate a user's question into English"):
			return "When did Albania cut diplomatic ties with Iran?"
		case strings.Contains(sys, "translate an answer"):
			if !strings.Contains(req.Messages[1].Content, "Albania cut diplomatic ties") {
				t.Errorf("the answer to translate is not the checked one: %s", req.Messages[1].Content)
			}
			return "L'Albanie a rompu ses relations diplomatiques avec l'Iran le 6 septembre 2022 [1]."
		default:
			if !strings.Contains(req.Messages[len(req.Messages)-1].Content, "When did Albania cut diplomatic ties with Iran?") {
				t.Errorf("the model should answer the English question")
			}
			return fmt.Sprintf("Albania cut diplomatic ties with Iran on September 6, 2022 [%d].", need(t, req, "On September 6, 2022"))
		}
	})
	ans, err := a.Ask(context.Background(), answer.Request{Question: french})
	if err != nil {
		t.Fatal(err)
	}
	if ans.Refused || ans.Mode != incidentbot.ModeLLM || !strings.HasPrefix(ans.Text, "L'Albanie") || !strings.Contains(ans.Text, "[1]") {
		t.Fatalf("want the answer in French with its citation, got %+v", ans)
	}
	if len(ans.Citations) != 1 || !strings.Contains(ans.Citations[0].Quote, "September 6, 2022") || !strings.Contains(ans.Notice, "Translated") {
		t.Errorf("citations %+v, notice %q", ans.Citations, ans.Notice)
	}
	checkCitations(t, testStore(t), ans.Citations)
}
