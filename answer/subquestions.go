package answer

import (
	"context"
	"regexp"
	"strconv"
	"strings"

	"github.com/incidentbot/incidentbot"
)

// A message often asks two things at once: "when was the police system
// hit and when did they blame iran for it", "who's john hultquist and
// what did he say". The parts may ask for the same kind of answer, and
// their answers are often in different passages, so each part is also
// asked as a question of its own (a later one read with the parts before
// it, as a follow-up is), and its best sentence joins the answer to the
// whole when the reader judges that the articles answer it and the answer
// does not quote it yet.

// subQuestion opens a later part: a question word, or a verb that opens a
// yes-no question.
var subQuestion = regexp.MustCompile(`(?i)^(?:(?:on|in|at|since|by|until|for|from|to)\s+)?(?:who|whom|whose|what|which|when|where|why|how|did|does|do|is|are|was|were|has|have|had|can|could|will|would)\b`)

// subBreak is where one question may end and the next begin: a part
// break, or a lower-case letter alone between them, chat's shorthand for
// a conjunction ("when was it hit n who did it").
var subBreak = regexp.MustCompile(partBreak.String() + `|\s+\p{Ll}\s+`)

// subQuestions splits a question (spelling corrected) into the questions
// it asks, in order: at each break ("and", a comma, a question mark) that a
// new question follows. A break inside one question ("when did albania
// and iran cut ties", "who blamed iran, albania or the us") stays.
func subQuestions(text string) []string {
	text = strings.TrimSpace(text)
	var out []string
	from := 0
	for _, m := range subBreak.FindAllStringIndex(text, -1) {
		if m[0] > from && subQuestion.MatchString(text[m[1]:]) {
			out = append(out, text[from:m[0]])
			from = m[1]
		}
	}
	out = append(out, text[from:])
	for i, p := range out {
		out[i] = strings.TrimSpace(strings.TrimRight(strings.TrimSpace(p), "?"))
	}
	return out
}

// eachPart answers each part of a question of several, adding each
// answered part's best sentence to ans (or, when ans is a refusal,
// replacing it). history is the conversation before the question.
func (a *Answerer) eachPart(ctx context.Context, qa *question, history []incidentbot.Turn, ans *incidentbot.Answer) error {
	// The question alone, spelling corrected: a follow-up's reading
	// (qa.asked) also holds the question before it, and is read again.
	asked := qa.asked
	if len(history) > 0 {
		asked = a.src.Index().Analyze(questionPart(qa.text)).Text
	}
	parts := subQuestions(asked)
	if len(parts) < 2 || qa.broad {
		return nil
	}
	var added []string
	refused, unanswered := ans.Refused, 0
	for i, part := range parts {
		earlier := history
		if i > 0 {
			earlier = append(append([]incidentbot.Turn(nil), history...), incidentbot.Turn{Question: strings.Join(parts[:i], ", ")})
		}
		pqa, cands, _, err := a.candidatesFor(ctx, part, earlier)
		if err != nil {
			return err
		}
		if pqa.total == 0 || len(cands) == 0 || a.answerable(&pqa, cands) < a.reader.Threshold {
			unanswered++
			continue
		}
		best := cands[0]
		if cited(ans, best) {
			continue // the answer already quotes it
		}
		if ans.Refused {
			// The question as a whole found no answer, but this part has
			// one: answer what can be answered.
			ans.Refused, ans.Text, ans.Closest = false, "", nil
		}
		n := len(ans.Citations) + 1
		ans.Citations = append(ans.Citations, citation(n, best.hit.Article, best.span, sigmoid(best.logit)))
		added = append(added, clip(&pqa, best, maxWords)+" ["+strconv.Itoa(n)+"]")
		ans.TotalSentences++
		ans.SupportedSentences++
	}
	if len(added) > 0 {
		ans.Text = strings.TrimSpace(ans.Text + " " + strings.Join(added, " "))
		if refused && unanswered > 0 {
			ans.Notice = joinNotice(ans.Notice, partlyAnswered)
		}
	}
	return nil
}

// partlyAnswered tells the asker that what is quoted answers only some of
// what they asked: the rest the articles do not say.
const partlyAnswered = "The articles answer only part of this question; they do not say the rest."

// cited reports whether ans already quotes some of c's text.
func cited(ans *incidentbot.Answer, c *candidate) bool {
	for _, ct := range ans.Citations {
		if ct.Doc == c.hit.Article.ID && ct.Start < c.span.End && c.span.Start < ct.End {
			return true
		}
	}
	return false
}
