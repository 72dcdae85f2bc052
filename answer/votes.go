package answer

import (
	"slices"
	"strings"
	"unicode"

	"github.com/incidentbot/incidentbot/retrieval"
)

// Answer redundancy: the answer to a factual question tends to recur in
// the sentences about it, while a sentence that merely shares the
// question's words states values nobody else does. AskMSR (Brill, Dumais
// and Banko, 2002) and most open-domain readers since count it. Here each
// retrieved sentence votes for the values of the asked kind it states,
// with the weight of how much of the question it covers, and a candidate
// is scored by the best-supported value it holds that the question does
// not already say. Only the other sentences' votes count, so a lone
// sentence gets nothing for agreeing with itself.

// voter is one retrieved sentence: where it is, its values and its weight.
type voter struct {
	article string
	span    [2]int
	values  map[string]bool
	weight  float64
}

// votes fills fVote for every candidate. The voters are the single
// sentences among cands (a pair would count its sentences twice).
func votes(ix *retrieval.Index, qa *question, lex Lexicon, cands []*candidate) {
	if !votable(qa.kind) {
		return
	}
	vals := make([]map[string]bool, len(cands))
	var voters []voter
	seen := map[[2]int]string{}
	for i, c := range cands {
		vals[i] = answerValues(ix, qa, lex, c.text)
		if c.pair {
			continue
		}
		k := [2]int{c.span.Start, c.span.End}
		if seen[k] == c.hit.Article.ID {
			continue
		}
		seen[k] = c.hit.Article.ID
		voters = append(voters, voter{article: c.hit.Article.ID, span: k, values: vals[i], weight: c.f[fSoft]})
	}
	var mass float64
	for _, v := range voters {
		mass += v.weight
	}
	if mass == 0 {
		return
	}
	for i, c := range cands {
		best := 0.0
		for val := range vals[i] {
			var support float64
			for _, v := range voters {
				if v.values[val] && !(v.article == c.hit.Article.ID && v.span[0] >= c.span.Start && v.span[1] <= c.span.End) {
					support += v.weight
				}
			}
			best = max(best, support)
		}
		c.f[fVote] = best / mass
	}
}

// votable: the kinds whose answers are values that can be compared
// across sentences.
func votable(k retrieval.Kind) bool {
	switch k {
	case retrieval.KindDate, retrieval.KindYear, retrieval.KindNumber, retrieval.KindPerson:
		return true
	}
	return false
}

// answerValues are the values of the asked kind text states that the
// question does not already say: dates to the key, years, numbers, and
// for "who", names (an entity of the profile counts as itself under any of
// its names).
func answerValues(ix *retrieval.Index, qa *question, lex Lexicon, text string) map[string]bool {
	out := map[string]bool{}
	switch qa.kind {
	case retrieval.KindDate:
		for _, d := range retrieval.FindDates(text) {
			if !qa.askedDates[d.Key()] {
				out[d.Key()] = true
			}
		}
	case retrieval.KindYear:
		for _, y := range retrieval.Years(text) {
			if !qa.askedTerms[y] {
				out[y] = true
			}
		}
	case retrieval.KindNumber:
		for _, n := range digitNumbers(text) {
			if !qa.askedTerms[n] {
				out[n] = true
			}
		}
	case retrieval.KindPerson:
		for _, n := range properNames(lex, text) {
			ts := retrieval.Terms(n)
			if len(ts) == 0 || qa.askedTerms[ts[0]] {
				continue
			}
			v := ts[0]
			if e := ix.EntityOf(v); e != "" {
				if slices.Contains(qa.entities, e) {
					continue
				}
				v = "entity:" + e
			}
			out[v] = true
		}
	}
	return out
}

// properNames are the words of text that name someone or something:
// capitalised words inside the sentence, and its first word when it is no
// common English word ("Smith said…", not "The…").
func properNames(lex Lexicon, text string) []string {
	var out []string
	for i, m := range wordRE.FindAllString(text, -1) {
		w := strings.TrimRight(m, ".'’")
		if w == "" || !unicode.IsUpper([]rune(w)[0]) {
			continue
		}
		lw := strings.ToLower(w)
		if stop(lw) || isQuestionWord(lw) {
			continue
		}
		if i == 0 && (lex == nil || common(lex, lw)) {
			continue
		}
		out = append(out, w)
	}
	return out
}
