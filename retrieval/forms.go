package retrieval

import "sort"

// Lemmatizer gives a word's dictionary base forms ("led" → lead, "went" →
// go, "found" → found and find); *lang.Resources satisfies it.
type Lemmatizer interface {
	Lemmas(word string) []string
}

// Other forms of a word: a stemmer maps "expelled" and "expel" to one term,
// but not "led" and "lead", "struck" and "strike", "left" and "leave" —
// and people ask "did they leave?" of articles that say "they left". So a
// question's word also stands for the corpus's words that share a base
// form with it. Shared base forms are not always one meaning ("left" is
// also a direction; "found" also founds), so another form counts for a
// little less than the word itself.
const formWeight = 0.9

// buildForms groups the corpus's words by base form: the stem of each base
// form (and of the word itself) maps to the terms of every corpus word that
// has it. A group that holds only its own key's term adds nothing to what
// stemming does and is left out.
func buildForms(vocab map[string]int, lm Lemmatizer) map[string][]string {
	groups := map[string]map[string]bool{}
	for w := range vocab {
		if stopWords[w] || len(w) < 3 || IsDigits(w) {
			continue
		}
		t := stem(w)
		for _, k := range formKeys(w, lm) {
			if groups[k] == nil {
				groups[k] = map[string]bool{}
			}
			groups[k][t] = true
		}
	}
	out := map[string][]string{}
	for k, g := range groups {
		if len(g) == 1 && g[k] {
			continue
		}
		ts := make([]string, 0, len(g))
		for t := range g {
			ts = append(ts, t)
		}
		sort.Strings(ts)
		out[k] = ts
	}
	return out
}

// formKeys are the stems of w and of its base forms.
func formKeys(w string, lm Lemmatizer) []string {
	keys := []string{stem(w)}
	for _, l := range lm.Lemmas(w) {
		if k := stem(l); l != "" && !containsString(keys, k) && !containsSpace(l) {
			keys = append(keys, k)
		}
	}
	return keys
}

// forms returns the terms of the corpus's other forms of w (those own does
// not hold), weighted formWeight.
func (r *queryReader) forms(w string, own []string) []WeightedTerm {
	if r.opts.Lemmas == nil || len(r.formGroups) == 0 || stopWords[w] || len(w) < 3 {
		return nil
	}
	have := map[string]bool{}
	for _, t := range own {
		have[t] = true
	}
	var out []WeightedTerm
	for _, k := range formKeys(w, r.opts.Lemmas) {
		for _, t := range r.formGroups[k] {
			if !have[t] {
				have[t] = true
				out = append(out, WeightedTerm{Term: t, Weight: formWeight})
			}
		}
	}
	return out
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func containsSpace(s string) bool {
	for _, c := range s {
		if c == ' ' {
			return true
		}
	}
	return false
}
