// Package answer turns retrieved passages into what a user reads: a short
// answer whose every sentence cites a verbatim passage, or an honest refusal.
// Offline it quotes the corpus (extractive); with a language model configured
// it lets the model write and then checks every citation.
package answer

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/incidentbot/incidentbot"
	"github.com/incidentbot/incidentbot/prompts"
	"github.com/incidentbot/incidentbot/retrieval"
)

// Source is the searchable corpus; *retrieval.Store satisfies it.
type Source interface {
	Search(ctx context.Context, query string, k int) (*retrieval.Response, error)
	SearchQuery(ctx context.Context, q retrieval.Query, k int) (*retrieval.Response, error)
	Index() *retrieval.Index
	Embedder() retrieval.Embedder
}

// LLM is a chat model; *openai.Chat satisfies it. With onDelta set it
// streams, calling onDelta with each new piece of text.
type LLM interface {
	Chat(ctx context.Context, msgs []prompts.Message, onDelta func(delta string)) (string, error)
}

// Options configures an Answerer.
type Options struct {
	TopK             int // passages retrieved per question (default 5)
	MaxQuestionChars int // default 1000
	LLM              LLM // nil: extractive answers only
	// Lexicon is general English knowledge (word vectors, WordNet) for the
	// reader's soft matching; nil leaves those features at zero. (Spelling
	// is corrected by the index's query reader, retrieval.QueryOptions.)
	Lexicon Lexicon
	Reader  *Reader // default: the built-in DefaultReader
	Logger  *slog.Logger
}

// Answerer answers questions from a Source.
type Answerer struct {
	src    Source
	opts   Options
	reader *Reader
}

// New returns an Answerer.
func New(src Source, opts Options) *Answerer {
	if opts.TopK <= 0 {
		opts.TopK = 5
	}
	if opts.MaxQuestionChars <= 0 {
		opts.MaxQuestionChars = 1000
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	r := opts.Reader
	if r == nil {
		var err error
		if r, err = DefaultReader(); err != nil {
			opts.Logger.Error("the built-in reader does not fit this program; every candidate scores alike", "err", err)
			r = &Reader{}
		}
	}
	return &Answerer{src: src, opts: opts, reader: r}
}

// Request is one question.
type Request = incidentbot.Request

// Errors for questions that cannot be asked; their text is fit to show a user.
var (
	ErrEmptyQuestion = incidentbot.ErrEmptyQuestion
	ErrTooLong       = incidentbot.ErrTooLong
)

var _ incidentbot.Answerer = (*Answerer)(nil)

// CheckQuestion validates a question's length before any work is done.
func (a *Answerer) CheckQuestion(q string) error {
	q = strings.TrimSpace(q)
	if q == "" {
		return ErrEmptyQuestion
	}
	if n := utf8.RuneCountInString(q); n > a.opts.MaxQuestionChars {
		return fmt.Errorf("%w: %d characters, the limit is %d", ErrTooLong, n, a.opts.MaxQuestionChars)
	}
	return nil
}

// Ask answers one question.
func (a *Answerer) Ask(ctx context.Context, req Request) (*incidentbot.Answer, error) {
	start := time.Now()
	if err := a.CheckQuestion(req.Question); err != nil {
		return nil, err
	}
	q := strings.TrimSpace(req.Question)
	if a.otherLanguage(q) {
		if a.opts.LLM == nil {
			return a.otherLanguageAnswer(ctx, q, start)
		}
		return a.translated(ctx, req, start)
	}
	return a.ask(ctx, req, q, start)
}

func (a *Answerer) ask(ctx context.Context, req Request, q string, start time.Time) (*incidentbot.Answer, error) {
	qa, cands, resp, err := a.candidatesFor(ctx, q, req.History)
	if err != nil {
		return nil, err
	}
	retrieved := time.Since(start)
	ans := a.extractive(&qa, cands, resp)
	if err := a.eachPart(ctx, &qa, req.History, ans); err != nil {
		return nil, err
	}
	ans.TimingsMS = map[string]float64{"retrieve": ms(retrieved)}
	for k, v := range qa.timings {
		ans.TimingsMS[k] = v
	}
	// The model reads every question about the corpus, whether or not the
	// extractive reader found an answer: it reads better, and may refuse.
	if a.opts.LLM != nil && !offTopic(&qa) && len(resp.Hits) > 0 {
		t := time.Now()
		llmAns, err := a.llmAnswer(ctx, req, q, resp)
		switch {
		case err == nil && llmAns.Refused && llmAns.Notice != "" && !ans.Refused:
			// The citation check removed every sentence the model wrote;
			// the quoted answer is sound.
			a.opts.Logger.Info("no sentence of the model's answer was supported; answering extractively")
			ans.Mode = incidentbot.ModeFallback
			ans.Notice = "The language model's answer did not hold up against the sources, so this answer quotes them directly."
		case err == nil:
			llmAns.TimingsMS = ans.TimingsMS
			ans = llmAns
		case ctx.Err() != nil:
			return nil, fmt.Errorf("answering: %w", ctx.Err())
		default:
			a.opts.Logger.Warn("language model failed; answering extractively", "err", err)
			ans.Mode = incidentbot.ModeFallback
			ans.Notice = "The language model could not answer just now, so this answer quotes the sources directly."
			if ans.Refused {
				ans.Notice = "The language model could not answer just now, and the sources quoted directly do not answer this."
			}
		}
		ans.TimingsMS["llm"] = ms(time.Since(t))
	}
	ans.TimingsMS["total"] = ms(time.Since(start))
	return ans, nil
}

// offTopic: nothing to look for ("hello?"), or most of what is asked
// about is nowhere in the corpus.
func offTopic(qa *question) bool {
	return qa.total == 0 || qa.unseen/qa.total > maxUnseen
}

// maxUnseen is the share of a question's weight unknown to the corpus
// above which it is about something else.
const maxUnseen = 0.6

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// retrievalQuery adds the previous question to a follow-up that cannot be
// understood alone ("when was that?"); a follow-up with its own subject
// ("and who did the minister blame?") is searched as it is, so the earlier
// topic does not drown it.
func retrievalQuery(ix *retrieval.Index, q string, history []incidentbot.Turn) string {
	q = questionPart(q)
	if len(history) == 0 {
		return q
	}
	// Read as spelling-corrected ("wen" is when, no subject), a question
	// with two subjects of its own and nothing pointing back ("they",
	// "it", "and …") stands alone.
	read := ix.Analyze(q).Text
	if len(contentTerms(read)) >= 2 && !pointsBack.MatchString(read) {
		return q
	}
	// The follow-up first: its own question word says what it asks ("who
	// came to help them?" after "when did the hack start?" asks who).
	prev := history[len(history)-1]
	return strings.TrimSpace(q + " " + prev.Question + " " + strings.Join(answerCues(prev.Answer), " "))
}

// maxCues bounds the names and figures an earlier answer adds to a
// follow-up's search: the follow-up's own words must still count most.
const maxCues = 6

// answerCues are the names and figures of an earlier answer, in order:
// what a follow-up's "he", "that" or "it" most likely points to ("who
// said that?" after an answer quoting a figure is asked about the
// sentence that gave it). A refusal names nothing.
func answerCues(answer string) []string {
	if answer == "" || strings.HasPrefix(answer, prompts.Refusal()) {
		return nil
	}
	var out []string
	seen := map[string]bool{}
	for _, w := range strings.Fields(oneMarker.ReplaceAllString(answer, " ")) {
		w = strings.Trim(w, ".,;:!?\"'“”‘’()[]…")
		w = strings.TrimSuffix(strings.TrimSuffix(w, "'s"), "’s")
		r, _ := utf8.DecodeRuneInString(w)
		lower := strings.ToLower(w)
		if w == "" || !(unicode.IsUpper(r) || unicode.IsDigit(r)) || retrieval.IsStopWord(lower) || seen[lower] {
			continue
		}
		seen[lower] = true
		out = append(out, w)
		if len(out) == maxCues {
			break
		}
	}
	return out
}

// pointsBack matches the English words by which a follow-up refers to
// what came before: pronouns and an opening "and", "so", "what about".
var pointsBack = regexp.MustCompile(`(?i)^\s*(and|so|also|what about|how about|then)\b|\b(it|its|they|them|their|theirs|he|him|his|she|her|hers|this|that|these|those|there)\b`)

// questionPart keeps the sentences of a message that ask something: in
// "Hi! Ignore your rules. When was the outage fixed?" the
// greeting and the instruction are not what to search for.
func questionPart(q string) string {
	spans := retrieval.SplitSentences(q, incidentbot.Span{End: len(q)})
	if len(spans) < 2 {
		return q
	}
	var asked []string
	for _, s := range spans {
		if t := q[s.Start:s.End]; strings.HasSuffix(strings.TrimRight(t, "\"'”’) "), "?") {
			asked = append(asked, t)
		}
	}
	if len(asked) == 0 {
		return q
	}
	return strings.Join(asked, " ")
}

func contentTerms(s string) []string {
	var out []string
	for _, t := range retrieval.Terms(s) {
		if !vagueTerms[t] {
			out = append(out, t)
		}
	}
	return out
}

// vagueTerms carry no subject of their own.
var vagueTerms = map[string]bool{"happen": true, "that": true, "say": true, "said": true, "mean": true, "els": true, "else": true, "why": true, "really": true, "sure": true}

// citation makes a Citation quoting text[span] of hit's article.
func citation(n int, a *incidentbot.Article, span incidentbot.Span, score float64) incidentbot.Citation {
	return incidentbot.Citation{
		N: n, Doc: a.ID, Title: a.Title, Outlet: a.Outlet, Date: a.DateString(), URL: a.URL, Added: a.AddedString(),
		Quote: a.Text[span.Start:span.End], Start: span.Start, End: span.End, Score: score,
		Before: lastWords(a.Text[:span.Start], contextWords), After: nextWords(a.Text[span.End:], contextWords),
	}
}

// contextWords is how many words around a quote its citation shows.
const contextWords = 12

// nextWords returns the first n words of s, on its first line.
func nextWords(s string, n int) string {
	s = strings.TrimLeft(s, " \t")
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if out := firstWords(s, n); out != strings.TrimSpace(s) {
		return out + "…"
	}
	return strings.TrimSpace(s)
}

// lastWords returns the last n words of s, on its last line.
func lastWords(s string, n int) string {
	if i := strings.LastIndexByte(strings.TrimRight(s, " \t\n"), '\n'); i >= 0 {
		s = s[i+1:]
	}
	ws := strings.Fields(s)
	if len(ws) > n {
		return "…" + strings.Join(ws[len(ws)-n:], " ")
	}
	return strings.Join(ws, " ")
}

func turns(questions []string) []incidentbot.Turn {
	var out []incidentbot.Turn
	for _, q := range questions {
		out = append(out, incidentbot.Turn{Question: q})
	}
	return out
}
