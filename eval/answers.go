package eval

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/incidentbot/incidentbot"
)

// Asker answers one question (with the earlier questions of its
// conversation, q.Context); *answer.Answerer satisfies it through a small
// adapter in the caller (eval does not import answer, to stay a leaf).
type Asker func(ctx context.Context, q Question) (*incidentbot.Answer, error)

// StyleScore counts the questions of one style answered right: an
// answerable one answered with the required words, an unanswerable one
// refused, one in another language answered or (offline) told that answers
// read English with a right article among the sources.
type StyleScore struct {
	Questions int `json:"questions"`
	Right     int `json:"right"`
}

// AnswerScores measure the answers users would get.
type AnswerScores struct {
	Mode       string `json:"mode"`
	Answerable int    `json:"answerable"`
	// Accuracy: the answer text contains every must requirement.
	Accuracy float64 `json:"accuracy"`
	// CitationSupport: the cited quotes together contain them.
	CitationSupport float64 `json:"citation_support"`
	// Verbatim: answers whose every quote is the article text at its offsets.
	Verbatim float64 `json:"verbatim"`
	// RefusalAccuracy: unanswerable questions refused.
	Unanswerable    int     `json:"unanswerable"`
	RefusalAccuracy float64 `json:"refusal_accuracy"`
	FalseRefusals   int     `json:"false_refusals"`
	// NearMisses are the unanswerable questions of style near-miss.
	NearMisses      int `json:"near_misses"`
	NearMissRefused int `json:"near_miss_refused"`
	// ByStyle: right answers by Question.Style ("" for unstyled sets:
	// "answerable" and "unanswerable").
	ByStyle     map[string]*StyleScore `json:"by_style"`
	MedianWords int                    `json:"median_words"`
	MaxWords    int                    `json:"max_words"`
	P50MS       float64                `json:"p50_ms"`
	P99MS       float64                `json:"p99_ms"`
	// Failures lists the ids of wrong answers (not accurate, or not refused
	// when they should be, or refused when they should not).
	Failures []string `json:"failures,omitempty"`
	// Wrong holds, for each failure, what was asked and answered.
	Wrong []Miss `json:"wrong,omitempty"`
	// Outcomes says, in the set's order, whether each question was
	// answered right: what a paired comparison with another run needs
	// (paired.go). It names no question, and eval prints only its counts;
	// `eval -outcomes` saves it, so --json leaves it out.
	Outcomes []bool `json:"-"`
}

// Miss is one wrong answer, for reading a training set's misses.
type Miss struct {
	ID, Question, Answer string
	Refused              bool
}

var markerRE = regexp.MustCompile(`\[\d+\]`)

// Words counts the words of an answer without its citation markers.
func Words(text string) int { return len(strings.Fields(markerRE.ReplaceAllString(text, ""))) }

// Answers asks every question and scores the answers. articles maps ids to
// articles, for the verbatim check.
func Answers(ctx context.Context, ask Asker, articles map[string]*incidentbot.Article, qs []Question) (*AnswerScores, error) {
	s := &AnswerScores{ByStyle: map[string]*StyleScore{}}
	right := func(q Question, ok bool) {
		style := q.Style
		if style == "" {
			style = "answerable"
			if q.Unanswerable {
				style = "unanswerable"
			}
		}
		st := s.ByStyle[style]
		if st == nil {
			st = &StyleScore{}
			s.ByStyle[style] = st
		}
		st.Questions++
		if ok {
			st.Right++
		}
		s.Outcomes = append(s.Outcomes, ok)
	}
	var words []int
	var lat []float64
	var acc, sup, verb, refused float64
	for _, q := range qs {
		ans, err := ask(ctx, q)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", q.ID, err)
		}
		fail := func() {
			s.Failures = append(s.Failures, q.ID)
			s.Wrong = append(s.Wrong, Miss{ID: q.ID, Question: q.Question, Answer: ans.Text, Refused: ans.Refused})
		}
		if s.Mode == "" {
			s.Mode = ans.Mode
		}
		lat = append(lat, ans.TimingsMS["total"])
		ok := true
		for _, c := range append(append([]incidentbot.Citation{}, ans.Citations...), ans.Closest...) {
			a := articles[c.Doc]
			if a == nil || c.Start < 0 || c.End > len(a.Text) || c.Start > c.End || a.Text[c.Start:c.End] != c.Quote {
				ok = false
			}
		}
		if ok {
			verb++
		}
		if q.Unanswerable {
			s.Unanswerable++
			if q.Style == "near-miss" {
				s.NearMisses++
			}
			if ans.Refused {
				refused++
				if q.Style == "near-miss" {
					s.NearMissRefused++
				}
			} else {
				fail()
			}
			right(q, ans.Refused)
			continue
		}
		s.Answerable++
		if ans.OtherLanguage {
			// Offline, a question in another language gets a notice and the
			// sources its names point to: right when one is a right article.
			found := false
			for _, c := range ans.Closest {
				found = found || slices.Contains(q.Docs, c.Doc)
			}
			if found {
				acc++
			} else {
				fail()
			}
			right(q, found)
			continue
		}
		if ans.Refused {
			right(q, false)
			s.FalseRefusals++
			fail()
			continue
		}
		var quotes []string
		for _, c := range ans.Citations {
			quotes = append(quotes, c.Quote)
		}
		right(q, q.Satisfied(ans.Text))
		if q.Satisfied(ans.Text) {
			acc++
		} else {
			fail()
		}
		if q.Satisfied(strings.Join(quotes, "\n")) {
			sup++
		}
		words = append(words, Words(ans.Text))
	}
	if s.Answerable > 0 {
		s.Accuracy = acc / float64(s.Answerable)
		s.CitationSupport = sup / float64(s.Answerable)
	}
	if n := s.Answerable + s.Unanswerable; n > 0 {
		s.Verbatim = verb / float64(n)
	}
	if s.Unanswerable > 0 {
		s.RefusalAccuracy = refused / float64(s.Unanswerable)
	}
	if len(words) > 0 {
		sort.Ints(words)
		s.MedianWords = words[len(words)/2]
		s.MaxWords = words[len(words)-1]
	}
	s.P50MS, s.P99MS = Percentile(lat, 50), Percentile(lat, 99)
	return s, nil
}

// Percentile returns the p-th percentile (nearest rank) of xs.
func Percentile(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	i := int(float64(len(s))*p/100+0.5) - 1
	return s[min(max(i, 0), len(s)-1)]
}

// AskInThread asks q as in a Discord thread: each earlier question of its
// Context first, with the bot's answers to them as the thread's history,
// then q itself.
func (q Question) AskInThread(ctx context.Context, ask func(ctx context.Context, question string, history []incidentbot.Turn) (*incidentbot.Answer, error)) (*incidentbot.Answer, error) {
	var history []incidentbot.Turn
	for _, c := range q.Context {
		prev, err := ask(ctx, c, history)
		if err != nil {
			return nil, fmt.Errorf("the earlier question %q: %w", c, err)
		}
		history = append(history, incidentbot.Turn{Question: c, Answer: prev.Text})
	}
	return ask(ctx, q.Question, history)
}

// History turns a follow-up's Context into the conversation's earlier
// turns without their answers: what the reader is trained on, where the
// answers would depend on the reader being fitted.
func (q Question) History() []incidentbot.Turn {
	var out []incidentbot.Turn
	for _, c := range q.Context {
		out = append(out, incidentbot.Turn{Question: c})
	}
	return out
}
