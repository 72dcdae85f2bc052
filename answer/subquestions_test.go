package answer

import (
	"slices"
	"testing"

	"github.com/incidentbot/incidentbot/prompts"
)

// A message that asks several things is split where a new question
// starts; a list that continues one question is not.
func TestSubQuestionsSplitWhereANewQuestionStarts(t *testing.T) {
	for _, c := range []struct {
		q    string
		want []string
	}{
		{"when was the police system attacked and when did they blame iran for it", []string{"when was the police system attacked", "when did they blame iran for it"}},
		{"who is john hultquist, what did he say?", []string{"who is john hultquist", "what did he say"}},
		{"how many left and did they go home", []string{"how many left", "did they go home"}},
		{"wen was e-albania hit n who did rama blame", []string{"wen was e-albania hit", "who did rama blame"}},
		{"did u know who did it", []string{"did u know who did it"}},
		{"who blamed iran, albania or the us", []string{"who blamed iran, albania or the us"}},
		{"when did albania and iran cut ties", []string{"when did albania and iran cut ties"}},
	} {
		if got := subQuestions(c.q); !slices.Equal(got, c.want) {
			t.Errorf("subQuestions(%q) = %q, want %q", c.q, got, c.want)
		}
	}
}

// A follow-up that points back is searched with the names and figures of
// the answer it follows ("who said that?" after a quoted figure); a
// refusal names nothing.
func TestAnswerCuesAreTheEarlierAnswersNamesAndFigures(t *testing.T) {
	got := answerCues("The technical director at Kosova Telecom, Halil Krasniqi, stated that 30,000 computers were used. [1]")
	want := []string{"Kosova", "Telecom", "Halil", "Krasniqi", "30,000"}
	if !slices.Equal(got, want) {
		t.Errorf("answerCues = %q, want %q", got, want)
	}
	if got := answerCues(prompts.Refusal() + " These are the closest passages I found."); got != nil {
		t.Errorf("a refusal gave cues %q", got)
	}
}
