package answer

import (
	"strings"

	"github.com/incidentbot/incidentbot/retrieval"
)

// The checks a candidate sentence must pass to answer a question of a
// given focus (focus.go).

// fits reports whether candidate c could answer a question of focus f.
func fits(f focus, c *candidate, prev map[string]bool) bool {
	if len(f.head) > 0 {
		if !names(f.head, c.terms) {
			return false
		}
		if f.owner != "" && ownedElsewhere(c.text, f) {
			return false
		}
	}
	if f.needsName && !namesPerson(c.text) {
		return false
	}
	if len(f.years) > 0 {
		// A sentence dated to another year is about another time.
		if ys := retrieval.Years(c.text); len(ys) > 0 {
			same := false
			for _, y := range ys {
				same = same || f.years[y]
			}
			if !same {
				return false
			}
		}
	}
	if len(f.verb) > 0 {
		happens := false
		for t := range f.verb {
			if c.terms[t] {
				happens = true
				break
			}
		}
		if !happens {
			return false
		}
		if f.agent != "" && doneByOther(c.text, f) {
			return false
		}
	}
	if len(f.places) > 0 {
		about := placesIn(c.terms)
		if len(about) == 0 {
			about = placesIn(prev)
		}
		if len(about) > 0 {
			shared := false
			for p := range about {
				if f.places[p] {
					shared = true
				}
			}
			if !shared {
				return false
			}
		}
	}
	return true
}

func placesIn(terms map[string]bool) map[string]bool {
	out := map[string]bool{}
	for t := range terms {
		if attacked[t] {
			out[t] = true
		} else if p := placeOf(t); attacked[p] {
			out[p] = true
		}
	}
	return out
}

// ownedElsewhere: the sentence names the focus as another country's ("Iran's
// ambassador", "Iranian diplomats up to an ambassador") and never as the
// owner's. The nearest country named in the few words before the focus is
// taken as its owner.
func ownedElsewhere(text string, f focus) bool {
	ws := questionWords(text)
	other, own := false, false
	for i, w := range ws {
		named := names(f.head, termSet(w.w))
		if !named && i+1 < len(ws) {
			named = names(f.head, termSet(w.w+" "+ws[i+1].w)) // "Prime Minister"
		}
		if !named {
			continue
		}
		for j := i - 1; j >= 0 && j >= i-f.ownerReach; j-- {
			if p := placeOf(ws[j].w); p != "" {
				if p == f.owner {
					own = true
				} else {
					other = true
				}
				break
			}
		}
	}
	return other && !own
}

// doneByOther: every time the sentence tells of the event, the first
// country it names before it (its subject, as news sentences go) is
// another than the one the question says does it: "Albania cut ties with
// Iran and expelled the embassy staff" does not say when Iran expelled
// anyone.
func doneByOther(text string, f focus) bool {
	ws := questionWords(text)
	first := ""
	other := false
	for _, w := range ws {
		does := false
		for _, t := range retrieval.Terms(w.w) {
			does = does || f.verb[t]
		}
		if does && first != "" {
			if first == f.agent {
				return false
			}
			other = true
		}
		if first == "" {
			first = placeOf(w.w)
		}
	}
	return other
}

// unknownName returns a name in the question (a capitalised word not
// opening it) that no article uses, under any name the corpus knows it by:
// "the US Treasury" when no article mentions the Treasury. A question about
// something the corpus never names is not answered by it.
func unknownName(ix *retrieval.Index, q string) string {
	ws := questionWords(q)
	for i, w := range ws {
		if i == 0 || !isCapitalised(w.orig) || isQuestionWord(w.w) {
			continue
		}
		if retrieval.ExpandQuery(w.w) != w.w {
			continue // a name the corpus knows by another ("Pristina")
		}
		known := false
		for _, t := range retrieval.Terms(w.w) {
			known = known || ix.KnowsTerm(t)
		}
		if !known && len(retrieval.Terms(w.w)) > 0 {
			return w.orig
		}
	}
	return ""
}

// fitting keeps the candidates that could answer a question of focus f.
func fitting(f focus, cands []*candidate) []*candidate {
	var out []*candidate
	for _, c := range cands {
		var prev map[string]bool // only the place check reads it
		if c.index > 0 && len(f.places) > 0 {
			sp := c.hit.Passage.Sentences[c.index-1]
			prev = termSet(c.hit.Article.Text[sp.Start:sp.End])
		}
		if fits(f, c, prev) {
			out = append(out, c)
		}
	}
	return out
}

// namesPerson reports whether text names a person: two capitalised words
// in a row that are not a place, an institution ("the United States",
// "Foreign Ministry" are no one's name) or a stop word.
func namesPerson(text string) bool {
	for _, m := range retrieval.NameLike(text) {
		person := true
		for _, w := range strings.Fields(m) {
			w = strings.ToLower(strings.Trim(w, ".’'"))
			if institutionWords[w] || placeOf(w) != "" || retrieval.Terms(w) == nil {
				person = false // an institution, a place, or a word like "The" opening the sentence
			}
		}
		if person {
			return true
		}
	}
	return false
}
