package answer

import (
	"context"
	"strings"
	"time"

	"github.com/incidentbot/incidentbot"
	"github.com/incidentbot/incidentbot/prompts"
)

// Offline, the reader reads English only. A question in another language
// gets a short reply saying so, and the sources its names point to (names
// are the words of a question the corpus uses as they are written); with a
// language model configured, the model answers it in its own language.

// minOtherWords: a question this short says too little about its language
// (names, "ok?").
const minOtherWords = 3

// otherLanguage reports whether q is not English: most of its words that
// are not the corpus's own (names) are not English words.
func (a *Answerer) otherLanguage(q string) bool {
	if a.opts.Lexicon == nil {
		return false
	}
	vocab := a.src.Index().Vocabulary()
	var english, other int
	for _, m := range wordRE.FindAllString(q, -1) {
		w := strings.ToLower(strings.TrimRight(m, ".'’"))
		if isDigits(w) || vocab[w] > 0 && isCapitalised(m) {
			continue // a number or a name says nothing of the language
		}
		if a.opts.Lexicon.IsEnglishWord(w) {
			english++
		} else {
			other++
		}
	}
	return english+other >= minOtherWords && other > english
}

func (a *Answerer) otherLanguageAnswer(ctx context.Context, q string, start time.Time) (*incidentbot.Answer, error) {
	vocab := a.src.Index().Vocabulary()
	var names []string
	for _, m := range wordRE.FindAllString(q, -1) {
		if w := strings.ToLower(strings.TrimRight(m, ".'’")); vocab[w] > 0 && !a.opts.Lexicon.IsEnglishWord(w) || isCapitalised(m) && vocab[w] > 0 {
			names = append(names, m)
		}
	}
	ans := &incidentbot.Answer{Question: q, Mode: incidentbot.ModeExtractive, Refused: true, OtherLanguage: true,
		Text: prompts.OtherLanguage(), TimingsMS: map[string]float64{}}
	if len(names) > 0 {
		resp, err := a.src.Search(ctx, strings.Join(names, " "), a.opts.TopK)
		if err != nil {
			return nil, err
		}
		ans.Closest = closest(resp)
	}
	ans.TimingsMS["total"] = ms(time.Since(start))
	return ans, nil
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}
