package answer

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/incidentbot/incidentbot"
	"github.com/incidentbot/incidentbot/prompts"
	"github.com/incidentbot/incidentbot/retrieval"
)

// The extractive answerer quotes the corpus. Every sentence of the
// retrieved passages, alone and with the sentence after it, is a
// candidate; the learned reader (reader.go) scores each and decides
// whether the best answers the question at all. A factual question gets
// the best candidate, cut to its answering clauses; a broad one a few
// non-redundant sentences across the articles; sources that disagree are
// shown side by side. It needs no model beyond the sentence encoder, so it
// is the offline default and the fallback when a language model fails.

const (
	maxWords      = 40 // a factual answer is one short quote
	maxBroadWords = 40 // each sentence of an overview
	maxBroad      = 4  // sentences in an overview
	maxPairWords  = 60 // a sentence and the next are one candidate when this short together
	// plausible is how far below the best candidate's log-odds another
	// may be to join it (a conflicting or agreeing source, an overview's
	// sentence).
	plausible = 2.0
)

// candidate is one sentence of a retrieved passage, or a sentence with
// the one after it.
type candidate struct {
	hit    *retrieval.Hit
	index  int // sentence index in the passage
	span   incidentbot.Span
	text   string
	pair   bool
	first  string // of a pair, its two sentences
	second string
	cosine float64
	terms  map[string]bool
	prev   map[string]bool // the previous sentence's terms
	part   *question       // of a candidate answering one part of a multi-part question, that part
	across *retrieval.Hit  // of a pair whose second sentence opens the next passage, that passage
	f      [nFeatures]float64
	logit  float64
}

// candidatesFor reads the question, searches, and scores every candidate,
// best first.
func (a *Answerer) candidatesFor(ctx context.Context, q string, history []incidentbot.Turn) (question, []*candidate, *retrieval.Response, error) {
	ix := a.src.Index()
	t0 := time.Now()
	read := retrievalQuery(ix, q, history)
	rq := ix.Analyze(read)
	qa := analyseQuestion(ix, rq, a.opts.Lexicon)
	qa.text = q
	// A follow-up is read with the question before it, but what shape of
	// answer it wants is its own: "and who did it?" after "what happened
	// in …?" asks for no overview, nor for what the earlier one asked.
	own := rq.Text
	if read != questionPart(q) {
		own = ix.Analyze(questionPart(q)).Text
		qa.broad = qa.kind == retrieval.KindAny && broadQuestion.MatchString(own)
	}
	t1 := time.Now()
	resp, err := a.src.SearchQuery(ctx, rq, a.opts.TopK)
	if err != nil {
		return qa, nil, nil, fmt.Errorf("searching the corpus: %w", err)
	}
	t2 := time.Now()
	qa.parts = questionParts(ix, own, qa.kind)
	cands := candidates(ix, &qa, resp, newMatcher(&qa, a.opts.Lexicon))
	qa.timings = map[string]float64{"analyse": ms(t1.Sub(t0)), "search": ms(t2.Sub(t1)), "read": ms(time.Since(t2))}
	for _, c := range cands {
		c.logit = a.reader.Sentence.Logit(c.f[:])
	}
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].logit > cands[j].logit })
	return qa, cands, resp, nil
}

// answerable is the reader's probability that the articles answer qa.
func (a *Answerer) answerable(qa *question, cands []*candidate) float64 {
	return sigmoid(a.reader.Answerable.Logit(answerability(qa, cands)))
}

func (a *Answerer) extractive(qa *question, cands []*candidate, resp *retrieval.Response) *incidentbot.Answer {
	ans := &incidentbot.Answer{Question: qa.text, Mode: incidentbot.ModeExtractive}
	if qa.total == 0 || len(cands) == 0 || a.answerable(qa, cands) < a.reader.Threshold {
		return refusal(ans, resp)
	}
	best := cands[0]
	chosen := []*candidate{best}
	agreeing := map[*candidate][]*candidate{}
	conflict := false
	for _, c := range cands[1:] {
		if c.logit < best.logit-plausible {
			break
		}
		switch {
		case qa.broad:
			if len(chosen) < maxBroad && !overlapsAny(c, chosen) && !similarAny(c, chosen) {
				chosen = append(chosen, c)
			}
		case c.hit.Article.ID == best.hit.Article.ID || overlapsAny(c, chosen):
		case conflicts(qa, best, c):
			if !conflict {
				chosen = append(chosen, c)
				conflict = true
			}
		case agrees(qa, best, c):
			if len(agreeing[best]) < 2 {
				agreeing[best] = append(agreeing[best], c)
			}
		}
	}
	if qa.broad {
		inReportingOrder(chosen, func(c *candidate) (*retrieval.Hit, incidentbot.Span) { return c.hit, c.span })
	}
	if !qa.broad && !conflict {
		chosen = append(chosen, a.otherParts(qa, cands, chosen)...)
	}
	// Compose: each quote (cut to its answering clauses when long),
	// followed by its citation markers.
	var parts []string
	budget := maxWords
	if conflict {
		parts = append(parts, "The sources differ on this:")
		budget = (maxWords - wordCount(parts[0])) / len(chosen)
	}
	if qa.broad {
		budget = maxBroadWords
	}
	for _, c := range chosen {
		markers := ""
		for _, s := range append([]*candidate{c}, agreeing[c]...) {
			n := len(ans.Citations) + 1
			ans.Citations = append(ans.Citations, citation(n, s.hit.Article, s.span, sigmoid(s.logit)))
			markers += "[" + strconv.Itoa(n) + "]"
		}
		read := qa
		if c.part != nil {
			read = c.part
		}
		parts = append(parts, clip(read, c, budget)+" "+markers)
		ans.TotalSentences++
		ans.SupportedSentences++
	}
	ans.Text = strings.Join(parts, " ")
	return ans
}

// otherParts answers the parts of a multi-part question ("how many left,
// and on what day?") that the chosen sentences do not: for each further
// kind of answer asked for, the candidates are read again as if the
// question asked for that kind alone, and the best that holds it joins
// the answer if it is plausible by the reader's own measure.
func (a *Answerer) otherParts(qa *question, cands []*candidate, chosen []*candidate) []*candidate {
	if len(qa.parts) < 2 {
		return nil
	}
	ix := a.src.Index()
	var out []*candidate
	for _, kind := range qa.parts[1:] {
		answered := false
		for _, c := range append(chosen, out...) {
			answered = answered || qa.holds(ix, c, kind)
		}
		if answered {
			continue
		}
		part := *qa
		part.kind = kind
		m := newMatcher(&part, a.opts.Lexicon)
		again := make([]*candidate, len(cands))
		top := cands[0].hit.Score
		for _, c := range cands {
			top = max(top, c.hit.Score)
		}
		for i, c := range cands {
			r := *c
			r.part = &part
			m.features(ix, &r, c.prev, top)
			again[i] = &r
		}
		relative(again)
		var best *candidate
		for i, r := range again {
			r.logit = a.reader.Sentence.Logit(r.f[:])
			if r.f[fKind] == 0 || overlapsAny(cands[i], chosen) || overlapsAny(cands[i], out) {
				continue
			}
			if best == nil || r.logit > best.logit {
				best = r
			}
		}
		if best != nil && best.logit >= chosen[0].logit-plausible {
			out = append(out, best)
		}
	}
	return out
}

func overlapsAny(c *candidate, cs []*candidate) bool {
	for _, o := range cs {
		if o.hit.Article.ID == c.hit.Article.ID && o.span.Start < c.span.End && c.span.Start < o.span.End {
			return true
		}
	}
	return false
}

func similarAny(c *candidate, cs []*candidate) bool {
	for _, o := range cs {
		if similar(o, c) {
			return true
		}
	}
	return false
}

func refusal(ans *incidentbot.Answer, resp *retrieval.Response) *incidentbot.Answer {
	ans.Refused = true
	ans.Text = prompts.Refusal()
	ans.Closest = closest(resp)
	return ans
}

// closest cites the first passages of resp as "closest sources".
func closest(resp *retrieval.Response) []incidentbot.Citation {
	var out []incidentbot.Citation
	for i, h := range resp.Hits {
		if i == maxClosest {
			break
		}
		out = append(out, passageCitation(i+1, &h))
	}
	return out
}

// passageCitation cites hit h's whole passage as source n.
func passageCitation(n int, h *retrieval.Hit) incidentbot.Citation {
	return citation(n, h.Article, incidentbot.Span{Start: h.Passage.Start, End: h.Passage.End}, h.Score)
}

// candidates featurises every sentence of the retrieved passages, and
// every short sentence with the one after it.
func candidates(ix *retrieval.Index, qa *question, resp *retrieval.Response, m *matcher) []*candidate {
	if len(resp.Hits) == 0 {
		return nil
	}
	top := resp.Hits[0].Score
	var out []*candidate
	retrieved := map[string]bool{}
	for i := range resp.Hits {
		retrieved[resp.Hits[i].Passage.ID] = true
	}
	for i := range resp.Hits {
		h := &resp.Hits[i]
		text := h.Article.Text
		ss := h.Passage.Sentences
		asks := func(j int) bool {
			return strings.HasSuffix(strings.TrimRight(text[ss[j].Start:ss[j].End], "\"'”’ "), "?")
		}
		var prev, lastPrev map[string]bool
		for j, sp := range ss {
			lastPrev = prev
			cur := termSet(text[sp.Start:sp.End] + " " + h.Passage.Heading)
			if asks(j) {
				prev = cur
				continue // a question the article asks is no answer
			}
			c := &candidate{hit: h, index: j, span: sp, text: text[sp.Start:sp.End], cosine: h.SentenceCosines[j], terms: cur, prev: prev}
			m.features(ix, c, prev, top)
			out = append(out, c)
			if k := j + 1; k < len(ss) && !asks(k) && wordCount(text[sp.Start:ss[k].End]) <= maxPairWords {
				p := &candidate{hit: h, index: j, span: incidentbot.Span{Start: sp.Start, End: ss[k].End}, pair: true,
					text: text[sp.Start:ss[k].End], first: c.text, second: text[ss[k].Start:ss[k].End],
					cosine: max(h.SentenceCosines[j], h.SentenceCosines[k]), prev: prev}
				p.terms = termSet(p.second)
				for t := range cur {
					p.terms[t] = true
				}
				m.features(ix, p, prev, top)
				out = append(out, p)
			}
			prev = cur
		}
		// The sentence that opens the next passage, read after this
		// passage's last: the answer to what it introduces.
		if next, ok := ix.Following(h, resp.Vector); ok && !retrieved[next.Passage.ID] {
			sp := next.Passage.Sentences[0]
			if t := text[sp.Start:sp.End]; !strings.HasSuffix(strings.TrimRight(t, "\"'”’ "), "?") {
				c := &candidate{hit: next, index: 0, span: sp, text: t, cosine: next.SentenceCosines[0],
					terms: termSet(t + " " + next.Passage.Heading), prev: prev}
				m.features(ix, c, prev, top)
				out = append(out, c)
				// And the pair across the boundary, when short enough.
				j := len(ss) - 1
				if last := ss[j]; wordCount(text[last.Start:sp.End]) <= maxPairWords {
					p := &candidate{hit: h, index: j, span: incidentbot.Span{Start: last.Start, End: sp.End}, pair: true, across: next,
						text: text[last.Start:sp.End], first: text[last.Start:last.End], second: t,
						cosine: max(h.SentenceCosines[j], next.SentenceCosines[0]), prev: lastPrev}
					p.terms = termSet(t)
					for w := range termSet(text[last.Start:last.End] + " " + h.Passage.Heading) {
						p.terms[w] = true
					}
					m.features(ix, p, lastPrev, top)
					out = append(out, p)
				}
			}
		}
	}
	relative(out)
	votes(ix, qa, m.lex, out)
	return out
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
func values(qa *question, c *candidate) map[string]bool {
	out := map[string]bool{}
	switch qa.kind {
	case retrieval.KindDate:
		for _, d := range retrieval.FindDates(c.text) {
			out[d.Key()] = true
		}
	case retrieval.KindNumber, retrieval.KindYear:
		for _, w := range strings.FieldsFunc(c.text, func(r rune) bool { return !(r >= '0' && r <= '9' || r == ',') }) {
			if w = strings.Trim(strings.ReplaceAll(w, ",", ""), ","); w != "" {
				out[w] = true
			}
		}
	}
	return out
}

func sameValue(qa *question, a, b *candidate) bool {
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
func conflicts(qa *question, a, b *candidate) bool {
	if qa.kind != retrieval.KindDate && qa.kind != retrieval.KindNumber {
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
func agrees(qa *question, a, b *candidate) bool {
	if qa.kind == retrieval.KindDate || qa.kind == retrieval.KindNumber || qa.kind == retrieval.KindYear {
		return sameValue(qa, a, b) && b.f[fCover] >= 0.7*a.f[fCover]
	}
	return similar(a, b)
}

// clip shortens a long sentence to the run of clauses that holds the
// question's terms and the answer, marking cuts with "…". The words kept are
// verbatim; the citation quotes the whole sentence.
func clip(qa *question, c *candidate, maxWords int) string {
	if wordCount(c.text) <= maxWords {
		return c.text
	}
	clauses := splitClauses(c.text)
	weight := make([]float64, len(clauses))
	kinds := qa.parts // every kind a multi-part question asks for
	if len(kinds) == 0 && qa.kind != retrieval.KindAny {
		kinds = []retrieval.Kind{qa.kind}
	}
	for i, cl := range clauses {
		ts := termSet(cl)
		for t, w := range qa.terms {
			if ts[t] {
				weight[i] += w
			}
		}
		for _, k := range kinds {
			// The answer itself must not be cut: no window without it can
			// weigh as much. A clause answers "who" with a name the
			// question does not already say (anywhere in the clause: its
			// first word may be the name).
			holds := retrieval.HasAnswerKind(cl, k)
			if k == retrieval.KindPerson {
				holds = newValue(&question{lex: qa.lex, kind: k, askedTerms: qa.askedTerms, surnames: qa.surnames}, cl, c.hit.Article)
			}
			if holds {
				weight[i] += 2*qa.total + 1
			}
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
