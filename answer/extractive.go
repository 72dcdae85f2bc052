package answer

import (
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/incidentbot/incidentbot"
	"github.com/incidentbot/incidentbot/prompts"
	"github.com/incidentbot/incidentbot/retrieval"
)

// The extractive answerer quotes the corpus: it picks the one or two
// sentences of the retrieved passages that best answer the question and
// cites each. It needs no model beyond the sentence encoder, so it is the
// offline default and the fallback when a language model fails.

// Scoring weights for candidate sentences, and the refusal threshold, tuned
// on eval/questions.yaml (`incidentbot eval`).
const (
	wCosine  = 1.5 // encoder similarity of sentence and question
	wCover   = 1.5 // share of the question's (IDF-weighted) terms in the sentence
	wKind    = 0.3 // the sentence holds the kind of answer asked for
	wPrior   = 0.8 // the passage's retrieval score, relative to the best
	wContext = 1.0 // share of the question's terms only the previous sentence has
	maxWords = 60  // a longer answer is cut to the clauses that answer
	// Two sentences longer than this together are not paired: cutting
	// both to maxWords would leave too little of either.
	maxPairWords = 70
)

// Refusal thresholds (see answers).
const (
	maxUnseen      = 0.6  // share of question-term weight unknown to the corpus
	someUnseen     = 0.35 // …and with this much unknown,
	offTopicCosine = 0.4  // a best sentence this far in meaning is no answer
	minSupport     = 0.5  // cosine + cover of the best sentence
	// The best sentence that names what is asked (focus.go) scores at least
	// this share of the best sentence overall; a much weaker one means the
	// passages are about something near the question, not about it. Set
	// between the highest share of a question to refuse (0.72) and the
	// lowest of one answered right (0.83) over all four question sets.
	minFitShare = 0.78
)

// candidate is one sentence of a retrieved passage.
type candidate struct {
	hit     *retrieval.Hit
	index   int // sentence index in the passage
	span    incidentbot.Span
	text    string
	cosine  float64
	cover   float64
	context float64 // cover the previous sentence adds
	hasKind bool
	score   float64
	terms   map[string]bool
}

func (c *candidate) support() float64 { return c.cosine + c.cover }

// question is what the answerer needs to know about a question.
type question struct {
	text   string
	kind   string
	terms  map[string]float64 // content term → IDF weight
	total  float64
	unseen float64 // weight of terms no sentence of the corpus has
	// expanded is the weight of alias terms, which count towards a
	// sentence's cover but not towards the total it is divided by.
	expanded float64
}

func analyseQuestion(ix *retrieval.Index, q string) question {
	qa := question{text: q, kind: retrieval.AnswerKind(q), terms: map[string]float64{}}
	// A word the corpus never uses but knows another name for ("Pristina" →
	// Kosovo) is a reference, not a sign the question is off-topic.
	referred := map[string]bool{}
	for _, w := range strings.Fields(q) {
		if retrieval.ExpandQuery(w) != w {
			for _, t := range retrieval.Terms(w) {
				referred[t] = true
			}
		}
	}
	for _, t := range contentTerms(q) {
		if _, ok := qa.terms[t]; ok {
			continue
		}
		idf := ix.TermIDF(t)
		w := idf
		switch {
		case idf == 0 && referred[t]:
			w = 1
		case idf == 0:
			w = 3 // unknown to the corpus: a strong sign it is off-topic
			qa.unseen += w
		}
		qa.terms[t] = w
		qa.total += w
	}
	// The corpus's words for the question's indirect references ("envoys" →
	// diplomats) count half: they are guesses.
	for _, t := range retrieval.Terms(strings.TrimPrefix(retrieval.ExpandQuery(q), q)) {
		if _, ok := qa.terms[t]; !ok && !vagueTerms[t] {
			if idf := ix.TermIDF(t); idf > 0 {
				qa.terms[t] = idf / 2
				qa.expanded += idf / 2
			}
		}
	}
	return qa
}

func (a *Answerer) extractive(q string, resp *retrieval.Response) *incidentbot.Answer {
	ans := &incidentbot.Answer{Question: q, Mode: incidentbot.ModeExtractive}
	ix := a.src.Index()
	qa := analyseQuestion(ix, q)
	// Only a sentence that names what is asked can answer (focus.go).
	asked := questionPart(q)
	all := candidates(ix, qa, resp)
	cands := fitting(readFocus(asked), all)
	if len(cands) == 0 || !answers(qa, cands[0]) || cands[0].score < minFitShare*all[0].score || unknownName(ix, asked) != "" {
		return refusal(ans, resp)
	}
	best := cands[0]
	extended := extend(best)
	chosen := []*candidate{best}
	agreeing := map[*candidate][]*candidate{}
	conflict := false
	for _, c := range cands[1:] {
		if c.score < 0.8*best.score || c.support() < minSupport {
			break
		}
		switch {
		case c.hit.Article.ID != best.hit.Article.ID && conflicts(qa, best, c):
			if !conflict && len(chosen) == 1 {
				chosen = append(chosen, c)
				conflict = true
			}
		case c.hit.Article.ID != best.hit.Article.ID && agrees(qa, best, c):
			if len(agreeing[best]) < 2 {
				agreeing[best] = append(agreeing[best], c)
			}
		case len(chosen) == 1 && !extended && c.score >= 0.85*best.score && !similar(best, c) && !sameValue(qa, best, c) &&
			wordCount(best.text)+wordCount(c.text) <= maxPairWords && sameSubject(asked, best, c):
			chosen = append(chosen, c)
		}
	}
	// Compose: each sentence quoted (cut to its answering clauses when
	// long), followed by its citation markers.
	var parts []string
	used := 0 // words shown so far
	if conflict {
		parts = append(parts, "The sources differ on this:")
		used = wordCount(parts[0])
	}
	for _, c := range chosen {
		markers := ""
		for _, s := range append([]*candidate{c}, agreeing[c]...) {
			n := len(ans.Citations) + 1
			ans.Citations = append(ans.Citations, citation(n, s.hit.Article, s.span, s.score))
			markers += "[" + itoa(n) + "]"
		}
		// Two sentences share the budget: two conflicting ones are each cut
		// to half of it; of two others the first leaves the second room.
		budget := maxWords - used
		switch {
		case conflict:
			budget = (maxWords - wordCount(parts[0])) / len(chosen)
		case len(chosen) > 1 && c == chosen[0]:
			budget = max(maxWords-wordCount(chosen[1].text), maxWords/2)
		}
		shown := clip(qa, c, budget)
		if extended && c == best && wordCount(c.text) > budget {
			// The neighbour is there for what it adds after the sentence:
			// keep the start, cut the end.
			shown = firstWords(c.text, budget) + "…"
		}
		parts = append(parts, shown+" "+markers)
		used += wordCount(shown)
		ans.TotalSentences++
		ans.SupportedSentences++
	}
	ans.Text = strings.Join(parts, " ")
	return ans
}

// sameSubject: a second sentence is about what the first answers for, if
// it names the people and things the question names that the first does
// ("Why was Ehsan Bidi declared non grata?" is not answered by another
// diplomat's expulsion). A name is there if any of its words is ("Sabeti"
// for "Amin Sabeti"); countries are the setting of most sentences, not
// their subject, and do not count.
func sameSubject(q string, first, second *candidate) bool {
	var name []string // terms of the run of capitalised words being read
	check := func() bool {
		inFirst, inSecond := false, false
		for _, t := range name {
			inFirst = inFirst || first.terms[t]
			inSecond = inSecond || second.terms[t]
		}
		name = name[:0]
		return !inFirst || inSecond
	}
	for i, w := range questionWords(q) {
		if i > 0 && isCapitalised(w.orig) && !isQuestionWord(w.w) && placeOf(w.w) == "" {
			name = append(name, retrieval.Terms(w.w)...)
			continue
		}
		if !check() {
			return false
		}
	}
	return check()
}

// Sentences that cannot stand alone: the next one continues this one ("The
// event was cancelled…", "At that time, … X and Y"), or this one closes a
// quotation the previous one opened (“… .” / "…,” said Hultquist).
var (
	continuation = regexp.MustCompile(`^(At that time|At the time|The event|The latter|The former|They|He|She|It|This|These|Those|Both|Among them)\b`)
	closesQuote  = regexp.MustCompile(`^[^“"]*[”"],?\s+(said|says|told|added|stated)\b`)
)

// extend widens the best sentence to the neighbour it needs to make sense,
// when the two together stay short. The span stays verbatim.
func extend(c *candidate) bool {
	ss := c.hit.Passage.Sentences
	text := c.hit.Article.Text
	if j := c.index + 1; j < len(ss) && continuation.MatchString(text[ss[j].Start:ss[j].End]) &&
		wordCount(c.text) < maxWords/2 {
		c.span.End = ss[j].End
	} else if j := c.index - 1; j >= 0 && closesQuote.MatchString(c.text) &&
		strings.HasPrefix(strings.TrimSpace(text[ss[j].Start:ss[j].End]), "“") && wordCount(text[ss[j].Start:ss[j].End]) < maxWords/2 {
		c.span.Start = ss[j].Start
	} else {
		return false
	}
	c.text = text[c.span.Start:c.span.End]
	return true
}

func refusal(ans *incidentbot.Answer, resp *retrieval.Response) *incidentbot.Answer {
	ans.Refused = true
	ans.Text = prompts.Refusal()
	for i, h := range resp.Hits {
		if i == 3 {
			break
		}
		ans.Closest = append(ans.Closest, citation(i+1, h.Article, incidentbot.Span{Start: h.Passage.Start, End: h.Passage.End}, h.Score))
	}
	return ans
}

// candidates scores every sentence of the retrieved passages, best first.
func candidates(ix *retrieval.Index, qa question, resp *retrieval.Response) []*candidate {
	if len(resp.Hits) == 0 {
		return nil
	}
	top := resp.Hits[0].Score
	var out []*candidate
	for i := range resp.Hits {
		h := &resp.Hits[i]
		for j, sp := range h.Passage.Sentences {
			if strings.HasSuffix(strings.TrimRight(h.Article.Text[sp.Start:sp.End], "\"'”’ "), "?") {
				continue // a question the article asks is no answer
			}
			c := &candidate{hit: h, index: j, span: sp, text: h.Article.Text[sp.Start:sp.End], cosine: h.SentenceCosines[j]}
			c.terms = termSet(c.text + " " + h.Passage.Heading)
			var covered float64
			for t, w := range qa.terms {
				if c.terms[t] {
					covered += w
				}
			}
			if qa.total > 0 {
				c.cover = min(covered/qa.total, 1)
			}
			// The sentence before often names the subject this one answers
			// about ("…two Iranian diplomats" / "At that time, … X and Y").
			if j > 0 {
				prev := termSet(h.Article.Text[h.Passage.Sentences[j-1].Start:h.Passage.Sentences[j-1].End])
				var ctx float64
				for t, w := range qa.terms {
					if prev[t] && !c.terms[t] {
						ctx += w
					}
				}
				if qa.total > 0 {
					c.context = ctx / qa.total
				}
			}
			c.hasKind = qa.kind != "" && ix.SentenceHasAnswerKind(h.Passage, j, qa.kind)
			c.score = wCosine*c.cosine + wCover*c.cover + wContext*c.context
			switch {
			case c.hasKind && qa.kind == "date" && !ix.SentenceHasAnswerKind(h.Passage, j, "day"):
				c.score += wKind / 2 // a month answers "when" less well than a day
			case c.hasKind:
				c.score += wKind
			}
			if top > 0 {
				c.score += wPrior * h.Score / top
			}
			out = append(out, c)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].score > out[j].score })
	return out
}

// answers decides whether the best sentence answers the question at all.
// Calibrated on the evaluation set's off-topic questions (sports, recipes,
// news, programming, prompt injections) against its answerable ones; see
// `incidentbot eval`. Questions that sound on-topic but ask for a fact the
// articles never give ("how much ransom…") mostly pass this test: telling
// them apart needs reading comprehension the sentence encoder lacks.
func answers(qa question, c *candidate) bool {
	if qa.total == 0 {
		return false // nothing to look for: "hello?", "tell me a joke"
	}
	unseen := qa.unseen / qa.total
	switch {
	case unseen > maxUnseen:
		return false // most of what is asked about is nowhere in the corpus
	case unseen >= someUnseen && c.cosine < offTopicCosine:
		return false // partly unknown words, and nothing close in meaning
	}
	return c.cosine+c.cover >= minSupport
}

func termSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, t := range retrieval.Terms(s) {
		m[t] = true
	}
	return m
}

// similar reports near-duplicate sentences (the same fact in other words).
func similar(a, b *candidate) bool {
	inter, union := 0, 0
	for t := range a.terms {
		if b.terms[t] {
			inter++
		}
		union++
	}
	for t := range b.terms {
		if !a.terms[t] {
			union++
		}
	}
	return union > 0 && float64(inter)/float64(union) >= 0.5
}

// values returns the answer values of the asked kind a sentence states.
func values(qa question, c *candidate) map[string]bool {
	out := map[string]bool{}
	switch qa.kind {
	case "date":
		for _, d := range retrieval.FindDates(c.text) {
			out[d.Key()] = true
		}
	case "number", "year":
		for _, w := range strings.FieldsFunc(c.text, func(r rune) bool { return !(r >= '0' && r <= '9' || r == ',') }) {
			if w = strings.Trim(strings.ReplaceAll(w, ",", ""), ","); w != "" {
				out[w] = true
			}
		}
	}
	return out
}

func sameValue(qa question, a, b *candidate) bool {
	va, vb := values(qa, a), values(qa, b)
	for v := range va {
		if vb[v] {
			return true
		}
	}
	return false
}

// conflicts: another article states the same fact with a different value
// (one article dates the break to September 6, the others to September 7).
func conflicts(qa question, a, b *candidate) bool {
	if qa.kind != "date" && qa.kind != "number" {
		return false
	}
	va, vb := values(qa, a), values(qa, b)
	if len(va) == 0 || len(vb) == 0 || sameValue(qa, a, b) {
		return false
	}
	// The same fact: both sentences hold most of the question's words.
	var shared float64
	for t, w := range qa.terms {
		if a.terms[t] && b.terms[t] {
			shared += w
		}
	}
	return qa.total > 0 && shared/qa.total >= 0.5
}

// agrees: another article states the same answer; cite both.
func agrees(qa question, a, b *candidate) bool {
	if qa.kind == "date" || qa.kind == "number" || qa.kind == "year" {
		return sameValue(qa, a, b) && b.cover >= 0.7*a.cover
	}
	return similar(a, b)
}

// clip shortens a long sentence to the run of clauses that holds the
// question's terms and the answer, marking cuts with "…". The words kept are
// verbatim; the citation quotes the whole sentence.
func clip(qa question, c *candidate, maxWords int) string {
	if wordCount(c.text) <= maxWords {
		return c.text
	}
	clauses := splitClauses(c.text)
	weight := make([]float64, len(clauses))
	for i, cl := range clauses {
		ts := termSet(cl)
		for t, w := range qa.terms {
			if ts[t] {
				weight[i] += w
			}
		}
		if qa.kind != "" && retrieval.HasAnswerKind(cl, qa.kind) {
			weight[i] += 2*qa.total + 1 // the answer itself must not be cut: no window without it can weigh as much
		}
	}
	// The window of clauses of at most maxWords words with the most weight.
	// Ties go to the longer window, then the earlier one.
	bestI, bestJ, bestW, bestN := 0, 0, -1.0, 0
	for i := range clauses {
		w, n := 0.0, 0
		for j := i; j < len(clauses); j++ {
			n += wordCount(clauses[j])
			if n > maxWords && j > i {
				break
			}
			w += weight[j]
			if w > bestW || w == bestW && n > bestN {
				bestI, bestJ, bestW, bestN = i, j, w, n
			}
		}
	}
	out := strings.TrimSpace(strings.Join(clauses[bestI:bestJ+1], ""))
	if bestN > maxWords {
		// One clause alone is over the budget: cut it by words.
		out, bestJ = firstWords(out, maxWords), -1
	}
	// Fill what is left of the budget with the start of the next clause,
	// so "On September 6, 2022" keeps what happened on that day.
	if left := maxWords - bestN; bestJ+1 < len(clauses) && left >= 5 {
		out += " " + strings.TrimSpace(firstWords(strings.TrimSpace(clauses[bestJ+1]), left))
		bestJ++
		if firstWords(strings.TrimSpace(clauses[bestJ]), left) != strings.TrimSpace(clauses[bestJ]) {
			bestJ = -1 // cut inside the clause
		}
	}
	out = strings.TrimRight(out, ",;:–— ")
	if bestI > 0 {
		out = "…" + out
	}
	if bestJ < len(clauses)-1 {
		out += "…"
	}
	return out
}

// splitClauses cuts a sentence after commas, semicolons, dashes and
// colons; joined back together the clauses are the sentence.
func splitClauses(s string) []string {
	var out []string
	start := 0
	for i, r := range s {
		if r == ',' || r == ';' || r == ':' || r == '–' || r == '—' {
			end := i + utf8.RuneLen(r)
			out = append(out, s[start:end])
			start = end
		}
	}
	return append(out, s[start:])
}

func wordCount(s string) int { return len(strings.Fields(s)) }

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}
