package answer

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/incidentbot/incidentbot"
	"github.com/incidentbot/incidentbot/prompts"
	"github.com/incidentbot/incidentbot/retrieval"
	"github.com/mozillazg/go-unidecode"
)

// Offline, the reader reads English only. A question in another language
// gets a short reply saying so, and the sources its names point to (names
// are the words of a question the corpus uses as they are written); with a
// language model configured, the model answers it in its own language.

// minOtherWords: a question this short says too little about its language
// (names, "ok?").
const minOtherWords = 3

// The language features of a message: whether it is in another language
// is decided by a logistic regression over them (Reader.Language), fitted
// by `incidentbot train` on the training sets' questions in other
// languages (fourteen and more, formal and typed as in chat) against their
// English ones. Each alone errs: the trigram detector reads chat-speak and
// typos as foreign, dictionaries hold many a foreign word ("chi", "dell",
// "para"), and the speller reads a foreign word as the English one it is
// nearest to ("membri" as "member").
const (
	lTrigram  = iota // the trigram detector's confidence that the letters are another language's
	lFunction        // share of the words that are among the commonest English words of three letters or more
	lEnglish         // share of the words English knows
	lOther           // share neither English, nor the corpus's, nor changed by the speller
	lChanged         // share the speller changes
	lAccented        // share, of the words not the corpus's, with letters beyond English's
	lLogWords        // log of the number of words
	nLanguage
)

var languageNames = [nLanguage]string{"trigram", "function", "english", "other", "changed", "accented", "log_words"}

// languageFeatures measures message q. Three kinds of word say nothing of
// its language and count as neither English nor other: a number; a word
// of the corpus that English does not know (a name, whatever its case: in
// chat, names are typed in lower case, "who's adrienne watson?"); and a
// word the speller corrects (chat's "wat", "abt", "shud"; a typo). A
// contraction is read as the word before its apostrophe ("who's" as
// "who"). ok is false without a lexicon or for a message too short to
// tell.
func (a *Answerer) languageFeatures(q string) (x []float64, ok bool) {
	if a.opts.Lexicon == nil {
		return nil, false
	}
	ix := a.src.Index()
	vocab := ix.Vocabulary()
	var corrected map[string]bool // the words of q as the speller reads it, when needed
	unchanged := func(m string) bool {
		if corrected == nil {
			corrected = map[string]bool{}
			for _, w := range wordRE.FindAllString(ix.Analyze(q).Text, -1) {
				corrected[strings.ToLower(w)] = true
			}
		}
		return corrected[strings.ToLower(strings.TrimRight(m, ".'’"))]
	}
	var english, other, function, changed, accented, all int
	for _, m := range wordRE.FindAllString(q, -1) {
		w := strings.ToLower(strings.TrimRight(m, ".'’"))
		if i := strings.IndexAny(w, "'’"); i == 1 {
			_, n := utf8.DecodeRuneInString(w[i:])
			w = w[i+n:] // an elision: French l'Europe, d'Italie
		} else if i > 0 {
			w = w[:i]
		}
		all++
		if utf8.RuneCountInString(w) >= minFunction && (retrieval.IsStopWord(w) || a.opts.Lexicon.IsEnglishWord(w) && inRank(a.opts.Lexicon.Rank(w), commonEnglish)) {
			function++
		}
		if vocab[w] == 0 && strings.ContainsFunc(w, func(r rune) bool { return r > unicode.MaxASCII && unicode.IsLetter(r) }) {
			accented++
		}
		switch {
		case w == "" || retrieval.IsDigits(w):
		case vocab[w] > 0 && isCapitalised(m):
			// A name of the corpus as written there.
		case a.opts.Lexicon.IsEnglishWord(w):
			english++
		case vocab[w] > 0:
			// A name of the corpus.
		case !unchanged(m):
			changed++
		default:
			other++
		}
	}
	if all < minOtherWords {
		return nil, false
	}
	x = make([]float64, nLanguage)
	if d, ok := a.opts.Lexicon.(interface{ NotEnglish(string) float64 }); ok {
		x[lTrigram] = d.NotEnglish(q)
	}
	n := float64(all)
	x[lFunction], x[lEnglish], x[lOther] = float64(function)/n, float64(english)/n, float64(other)/n
	x[lChanged], x[lAccented], x[lLogWords] = float64(changed)/n, float64(accented)/n, math.Log(n)
	return x, true
}

// otherLanguage reports whether q is not in English, by the fitted
// language model; never without one.
func (a *Answerer) otherLanguage(q string) bool {
	m := &a.reader.Language
	if len(m.Weights) == 0 {
		return false
	}
	x, ok := a.languageFeatures(q)
	return ok && sigmoid(m.Logit(x)) >= a.reader.LanguageThreshold
}

// minCognate is the length from which a lower-case word of another
// language is looked up as one of the articles' words.
const minCognate = 5

// minFunction: shorter common words ("a", "in", "do", "me") are as common
// in other languages.
const minFunction = 3

// commonEnglish: an English word among the commonest this many is one
// nearly every English question has.
const commonEnglish = 150

func inRank(r, n int) bool { return r > 0 && r <= n }

// minCognatePrefix is how long a beginning a word of another language must
// share with one of the articles' words to be read as it: European
// languages share stems longer than their endings ("diplomaticos",
// "diplomatet" and "diplomatic", "diplomat").
const minCognatePrefix = 6

// cognate returns the articles' word that shares the longest beginning,
// of minCognatePrefix letters or more and at least three quarters of the
// shorter word, with w; "" when none does. Only a question the reader
// cannot read comes here, so a scan of the vocabulary is affordable.
func cognate(vocab map[string]int, w string) string {
	best, bestN := "", 0
	for v := range vocab {
		n := commonPrefix(v, w)
		if n < minCognatePrefix || 4*n < 3*min(len(v), len(w)) || retrieval.IsStopWord(v) {
			continue
		}
		if n > bestN || n == bestN && (vocab[v] > vocab[best] || vocab[v] == vocab[best] && v < best) {
			best, bestN = v, n
		}
	}
	return best
}

func commonPrefix(a, b string) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}

// isLatin reports whether every letter of w is a Latin one.
func isLatin(w string) bool {
	for _, r := range w {
		if unicode.IsLetter(r) && !unicode.Is(unicode.Latin, r) {
			return false
		}
	}
	return true
}

// closestAcross is the best passage of each of the first maxClosest
// articles among the hits, then the next best passages: a question the
// reader cannot read is pointed to as many articles as the few sources
// allow, since its names alone cannot tell which of them answers.
func closestAcross(resp *retrieval.Response) []incidentbot.Citation {
	var picked []int
	seen := map[string]bool{}
	for i, h := range resp.Hits {
		if len(picked) < maxClosest && !seen[h.Article.ID] {
			seen[h.Article.ID] = true
			picked = append(picked, i)
		}
	}
	for i := range resp.Hits {
		if len(picked) < maxClosest && !slices.Contains(picked, i) {
			picked = append(picked, i)
		}
	}
	var out []incidentbot.Citation
	for n, i := range picked {
		out = append(out, passageCitation(n+1, &resp.Hits[i]))
	}
	return out
}

func (a *Answerer) otherLanguageAnswer(ctx context.Context, q string, start time.Time) (*incidentbot.Answer, error) {
	ix := a.src.Index()
	vocab := ix.Vocabulary()
	// What the question shares with the articles: its names, its figures,
	// and the words that are nearly the articles' own (the speller reads
	// "diplomatë" as "diplomat", "diplomatici" as "diplomatic"; a short word
	// is too likely a foreign function word read as an English one).
	var names []string
	for _, m := range wordRE.FindAllString(q, -1) {
		if !isLatin(m) {
			// Another script's names are the articles' names spelled in
			// its letters ("Албания"): read in Latin letters (go-unidecode's
			// tables), the speller finds the articles' spelling.
			m = unidecode.Unidecode(m)
		}
		// "l'Albanie": elided articles are not part of the name.
		for _, part := range strings.FieldsFunc(m, func(r rune) bool { return r == '\'' || r == '’' }) {
			if retrieval.IsDigits(part) {
				names = append(names, part)
				continue
			}
			if !isCapitalised(part) && utf8.RuneCountInString(part) < minCognate {
				continue
			}
			// The corpus may spell the name its own way (Albanie, Albania):
			// the index's speller corrects a name only to a word it has.
			if w := strings.ToLower(ix.Analyze(part).Text); vocab[w] > 0 && !retrieval.IsStopWord(w) {
				names = append(names, w)
			} else if c := cognate(vocab, strings.ToLower(retrieval.FoldAccents(part))); c != "" {
				names = append(names, c)
			}
		}
	}
	ans := &incidentbot.Answer{Question: q, Mode: incidentbot.ModeExtractive, Refused: true, OtherLanguage: true,
		Text: prompts.OtherLanguage(), TimingsMS: map[string]float64{}}
	if len(names) > 0 {
		resp, err := a.src.Search(ctx, strings.Join(names, " "), max(a.opts.TopK, 2*maxClosest))
		if err != nil {
			return nil, err
		}
		ans.Closest = closestAcross(resp)
	}
	ans.TimingsMS["total"] = ms(time.Since(start))
	return ans, nil
}

// translated answers a question in another language with the language
// model: the model puts it into English, the English question is answered
// and its citations checked as any other, and the checked answer is put
// back into the asker's language with its citation markers. A reply whose
// markers differ from the checked answer's is not shown; the English one
// is, with a notice.
func (a *Answerer) translated(ctx context.Context, req Request, start time.Time) (*incidentbot.Answer, error) {
	q := strings.TrimSpace(req.Question)
	msgs, err := prompts.TranslateQuestion(q)
	if err != nil {
		return nil, err
	}
	en, err := a.opts.LLM.Chat(ctx, msgs, nil)
	if en = strings.TrimSpace(en); err != nil || en == "" {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("answering: %w", ctx.Err())
		}
		a.opts.Logger.Warn("language model could not translate the question; answering offline", "err", err)
		ans, err := a.otherLanguageAnswer(ctx, q, start)
		if ans != nil {
			ans.Mode = incidentbot.ModeFallback
			ans.Notice = "The language model could not be reached to read this question."
		}
		return ans, err
	}
	inner := req
	inner.Question, inner.OnPartial = en, nil // English drafts are not what the asker reads
	ans, err := a.ask(ctx, inner, en, start)
	if err != nil || ans.Refused || ans.Mode != incidentbot.ModeLLM {
		return ans, err
	}
	msgs, err = prompts.TranslateAnswer(q, ans.Text)
	if err != nil {
		return nil, err
	}
	text, err := a.opts.LLM.Chat(ctx, msgs, nil)
	switch {
	case err != nil && ctx.Err() != nil:
		return nil, fmt.Errorf("answering: %w", ctx.Err())
	case err != nil || !sameMarkers(text, ans.Text):
		a.opts.Logger.Warn("the translated answer was not usable; answering in English", "err", err)
		ans.Notice = joinNotice(ans.Notice, "The answer is in English: its translation did not keep its citations.")
	default:
		ans.Text = strings.TrimSpace(text)
		ans.Notice = joinNotice(ans.Notice, "Translated from the English answer, whose every sentence was checked against the cited sources.")
	}
	ans.Question = q
	ans.TimingsMS["total"] = ms(time.Since(start))
	return ans, nil
}

// sameMarkers reports whether a and b cite the same [n] markers, in the
// same order.
func sameMarkers(a, b string) bool {
	ma, mb := oneMarker.FindAllString(a, -1), oneMarker.FindAllString(b, -1)
	return len(ma) > 0 && slices.Equal(ma, mb)
}

var oneMarker = regexp.MustCompile(`\[\d+\]`)

func joinNotice(a, b string) string {
	if a == "" {
		return b
	}
	return a + " " + b
}
