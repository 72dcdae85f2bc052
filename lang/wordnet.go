package lang

import (
	"math"
	"strings"
	"unicode"
	"unicode/utf8"
)

// WordNet relations. Every function reads a word through its base forms
// (Lemmas), so "envoys" has the senses of "envoy" and "expelled" those of
// "expel".

const (
	// maxIsADepth bounds the hypernym steps IsA climbs. Eight steps reach
	// from dog to organism, from FBI to group (law enforcement agency,
	// agency, administrative unit, unit, organization, social group,
	// group) and from ransom to act; further up, nouns meet only the top
	// categories (abstraction, entity), where is-a stops meaning anything.
	maxIsADepth = 8

	// Relatedness scores, one per kind of link; Relatedness takes the best.
	relSame       = 1.0  // the same word, or words with a base form in common
	relSynonym    = 0.9  // a shared synset
	relDerivation = 0.8  // a derivational link (expel / expulsion)
	relHypernym   = 0.75 // one hypernym step (ransom / payment) ...
	relDecay      = 0.7  // ... times relDecay for every further step
	// maxRelSteps bounds the path through a common hypernym: six steps
	// (three up from each word) still relate close kinds of things; longer
	// paths join words only through very general categories.
	maxRelSteps = 6
	// minAncestorDepth: a common hypernym this close to the top of the
	// hierarchy (entity 0, abstraction 1, psychological feature 2) says
	// nothing about two words, so paths through it do not count.
	minAncestorDepth = 3

	// englishRank: a word among this many most frequent GloVe words counts
	// as English even if WordNet lacks it (function words like "the", "of",
	// which WordNet leaves out, and current words like "internet").
	englishRank = 20000
)

// senses returns the synsets of the base forms of w (normalised).
func (r *Resources) senses(w string) []uint32 {
	var out []uint32
	for _, b := range r.lemmas(w) {
		l, ok := r.lemmaOf(b)
		if !ok {
			continue
		}
		out = append(out, r.lemmaSyn[r.lemmaSynOff[l]:r.lemmaSynOff[l+1]]...)
	}
	return out
}

// Synonyms returns the lemmas that share a synset with some sense of word
// (or of its base forms), most frequent senses first, without the word and
// its base forms themselves. Multi-word lemmas come with spaces.
func (r *Resources) Synonyms(word string) []string {
	w := normLemma(word)
	bases := r.lemmas(w)
	var out []string
	seen := map[uint32]bool{}
	for _, b := range append(bases, w) {
		if t, ok := r.lookup(b); ok {
			seen[t] = true
		}
	}
	for _, s := range r.senses(w) {
		for _, t := range r.synLem[r.synLemOff[s]:r.synLemOff[s+1]] {
			if !seen[t] {
				seen[t] = true
				out = append(out, r.term(t))
			}
		}
	}
	return out
}

// MainSenseIsA reports whether word's commonest sense as a noun is a kind
// of class's commonest noun sense, through any number of hypernym steps:
// a diplomat and a colonel are persons; a ministry, a group and a finding
// are not. Only the commonest sense counts: most nouns have some sense that
// is a person (a party to a lawsuit, a power as a mighty person).
func (r *Resources) MainSenseIsA(word, class string) bool {
	first := func(w string) (uint32, bool) {
		for _, b := range r.lemmas(normLemma(w)) {
			l, ok := r.lemmaOf(b)
			if !ok {
				continue
			}
			for _, s := range r.lemmaSyn[r.lemmaSynOff[l]:r.lemmaSynOff[l+1]] {
				if r.synPOS[s] == 'n' {
					return s, true
				}
			}
		}
		return 0, false
	}
	c, ok := first(class)
	if !ok {
		return false
	}
	s, ok := first(word)
	if !ok {
		return false
	}
	_, is := r.ancestors([]uint32{s}, maxMainSenseDepth)[c]
	return is
}

// maxMainSenseDepth bounds MainSenseIsA's climb: WordNet's deepest nouns
// sit some 18 steps below its root.
const maxMainSenseDepth = 20

// MainlyVerb reports whether some base form of w is tagged as a verb in
// WordNet's sense-tagged texts more often than as a noun, adjective or
// adverb: "thought" (think), "said", "restored" are; "attack" and "vote"
// are not.
func (r *Resources) MainlyVerb(w string) bool {
	for _, b := range r.lemmas(normLemma(w)) {
		if l, ok := r.lemmaOf(b); ok {
			if v := r.tagsPOS(l, flagVerb); v > 0 && v > r.tagsPOS(l, flagNoun|flagAdj|flagAdv) {
				return true
			}
		}
	}
	return false
}

// hypernyms returns synset s's hypernyms and instance hypernyms.
func (r *Resources) hypernyms(s uint32) []uint32 {
	return r.hyp[r.hypOff[s]:r.hypOff[s+1]]
}

// ancestors returns every synset reachable from the given ones through at
// most maxSteps hypernym (or instance hypernym) links, with the fewest steps
// it takes; the given synsets themselves are at 0.
func (r *Resources) ancestors(from []uint32, maxSteps int) map[uint32]int {
	dist := make(map[uint32]int, 32)
	frontier := make([]uint32, 0, len(from))
	for _, s := range from {
		if _, ok := dist[s]; !ok {
			dist[s] = 0
			frontier = append(frontier, s)
		}
	}
	for step := 1; step <= maxSteps && len(frontier) > 0; step++ {
		var next []uint32
		for _, s := range frontier {
			for _, h := range r.hypernyms(s) {
				h &^= instanceBit
				if _, ok := dist[h]; !ok {
					dist[h] = step
					next = append(next, h)
				}
			}
		}
		frontier = next
	}
	return dist
}

// IsA reports whether some sense of word has some sense of class among its
// hypernyms (instance hypernyms included: FBI is an instance of law
// enforcement agency), at most maxIsADepth steps up. A word is also what it
// is a synonym of: IsA("envoy", "emissary") is true.
//
// IsA("fbi", "agency") and IsA("ransom", "payment") are true;
// IsA("fbi", "payment") is false.
func (r *Resources) IsA(word, class string) bool {
	cs := r.senses(normLemma(class))
	if len(cs) == 0 {
		return false
	}
	up := r.kindsOf(normLemma(word))
	for _, c := range cs {
		if _, ok := up[c]; ok {
			return true
		}
	}
	return false
}

// kindsOf returns the synsets IsA reaches from word (normalised), cached:
// the reader asks it for every word of every candidate sentence, and the
// words of a corpus recur from question to question (cache.go).
func (r *Resources) kindsOf(w string) map[uint32]int {
	if up, ok := r.cache.kinds.Get(w); ok {
		return up
	}
	up := map[uint32]int{}
	if ws := r.senses(w); len(ws) > 0 {
		up = r.ancestors(ws, maxIsADepth)
	}
	r.cache.kinds.Add(w, up)
	return up
}

// Derivations returns the words WordNet links to word (or its base forms)
// by derivational morphology ("+" pointers between word forms: expel →
// expulsion, expeller), without the word itself.
func (r *Resources) Derivations(word string) []string {
	w := normLemma(word)
	var out []string
	seen := map[uint32]bool{}
	bases := r.lemmas(w)
	for _, b := range append(bases, w) {
		if t, ok := r.lookup(b); ok {
			seen[t] = true
		}
	}
	for _, b := range bases {
		l, _ := r.lemmaOf(b)
		for _, t := range r.deriv[r.derivOff[l]:r.derivOff[l+1]] {
			if !seen[t] {
				seen[t] = true
				out = append(out, r.term(t))
			}
		}
	}
	return out
}

// Pertainyms returns the words WordNet says word pertains to (an adjective's
// noun: "canadian" → "canada"; an adverb's adjective: "diplomatically" →
// "diplomatic").
func (r *Resources) Pertainyms(word string) []string {
	var out []string
	for _, b := range r.lemmas(normLemma(word)) {
		l, _ := r.lemmaOf(b)
		for _, t := range r.pert[r.pertOff[l]:r.pertOff[l+1]] {
			if s := r.term(t); !contains(out, s) {
				out = append(out, s)
			}
		}
	}
	return out
}

// SimilarTo returns the lemmas of the synsets WordNet marks as similar in
// meaning to a sense of word (the "&" pointers among adjectives: "hostile"
// → "belligerent", "aggressive", ...).
func (r *Resources) SimilarTo(word string) []string {
	var out []string
	for _, s := range r.senses(normLemma(word)) {
		for _, t := range r.sim[r.simOff[s]:r.simOff[s+1]] {
			for _, l := range r.synLem[r.synLemOff[t]:r.synLemOff[t+1]] {
				if w := r.term(l); !contains(out, w) {
					out = append(out, w)
				}
			}
		}
	}
	return out
}

// depth is the fewest hypernym steps from s to a synset with none (the top
// of its hierarchy), at most limit.
func (r *Resources) depth(s uint32, limit int) int {
	frontier := []uint32{s}
	seen := map[uint32]bool{s: true}
	for d := 0; d < limit; d++ {
		var next []uint32
		for _, x := range frontier {
			hs := r.hypernyms(x)
			if len(hs) == 0 {
				return d
			}
			for _, h := range hs {
				h &^= instanceBit
				if !seen[h] {
					seen[h] = true
					next = append(next, h)
				}
			}
		}
		frontier = next
	}
	return limit
}

// Relatedness says how closely WordNet relates two words, in [0, 1]: 1 for
// the same word or words sharing a base form, relSynonym for words sharing
// a synset, relDerivation for a derivational link between their base forms,
// and for words whose senses meet at a common hypernym within maxRelSteps
// steps, relHypernym × relDecay^(steps−1) — the best of these; 0 when none
// holds (or a word is unknown). It uses nothing else (no vectors, no
// glosses).
func (r *Resources) Relatedness(a, b string) float64 {
	wa, wb := normLemma(a), normLemma(b)
	if wa == "" || wb == "" {
		return 0
	}
	if wa == wb {
		return relSame
	}
	la, lb := r.lemmas(wa), r.lemmas(wb)
	for _, x := range la {
		if contains(lb, x) {
			return relSame
		}
	}
	sa, sb := r.senses(wa), r.senses(wb)
	if len(sa) == 0 || len(sb) == 0 {
		return 0
	}
	best := 0.0
	inB := make(map[uint32]bool, len(sb))
	for _, s := range sb {
		inB[s] = true
	}
	for _, s := range sa {
		if inB[s] {
			return relSynonym
		}
	}
	tb := map[uint32]bool{}
	for _, x := range lb {
		if t, ok := r.lookup(x); ok {
			tb[t] = true
		}
	}
	for _, x := range la {
		l, _ := r.lemmaOf(x)
		for _, t := range r.deriv[r.derivOff[l]:r.derivOff[l+1]] {
			if tb[t] {
				best = relDerivation
			}
		}
	}
	if best > 0 {
		return best
	}
	upA := r.ancestors(sa, maxRelSteps)
	upB := r.ancestors(sb, maxRelSteps)
	steps := maxRelSteps + 1
	for s, da := range upA {
		if db, ok := upB[s]; ok && da+db < steps && da+db > 0 {
			if r.depth(s, minAncestorDepth) >= minAncestorDepth {
				steps = da + db
			}
		}
	}
	if steps <= maxRelSteps {
		best = relHypernym * math.Pow(relDecay, float64(steps-1))
	}
	return best
}

// IsEnglishWord reports whether word is an English word: a WordNet lemma,
// a form whose base WordNet has (Lemmas), or one of the englishRank most
// frequent GloVe words. Tokens without a letter are not words.
func (r *Resources) IsEnglishWord(word string) bool {
	w := normLemma(word)
	if !hasLetter(w) {
		return false
	}
	if len(r.lemmas(w)) > 0 {
		return true
	}
	rank := r.Rank(w)
	return rank > 0 && rank <= englishRank
}

// IsName reports whether WordNet knows word only as a name: a lemma no
// synset lists in lower case and whose every synonym is a name too
// ("serbia", "giuliani"; not "hq", which is headquarters), so that a
// question typed in lower case still names something. Words of three
// letters or fewer are left out: chat's "tho" and "ops" are names in
// WordNet too.
func (r *Resources) IsName(word string) bool {
	w := normLemma(word)
	if utf8.RuneCountInString(w) < minNameLetters {
		return false
	}
	l, ok := r.lemmaOf(w)
	if !ok || r.lemmaFlags[l]&flagLower != 0 {
		return false
	}
	for _, s := range r.lemmaSyn[r.lemmaSynOff[l]:r.lemmaSynOff[l+1]] {
		for _, t := range r.synLem[r.synLemOff[s]:r.synLemOff[s+1]] {
			if m, ok := r.lemmaOf(r.term(t)); ok && r.lemmaFlags[m]&flagLower != 0 {
				return false
			}
		}
	}
	return true
}

// minNameLetters is the length from which a lower-case word may be a name.
const minNameLetters = 4

// IsCommonWord reports whether word, or a base form of it, is a
// lower-case English word in common use ("echo", "house", "cleverly"; not
// "watson" or "stoltenberg"): a surname that is one is rare.
func (r *Resources) IsCommonWord(word string) bool { return r.isCommonLemma(normLemma(word)) }

// isCommonLemma reports whether w (normalised) or a base form of it is a
// lower-case WordNet lemma in common use: SemCor tags it at least once, or
// WordNet gives it more than one sense (hack, ransom, vat), even if GloVe
// ranks it low.
func (r *Resources) isCommonLemma(w string) bool {
	for _, b := range r.lemmas(w) {
		if l, ok := r.lemmaOf(b); ok && r.lemmaFlags[l]&flagLower != 0 &&
			(r.lemmaSynOff[l+1]-r.lemmaSynOff[l] > 1 || r.tagsPOS(l, flagNoun|flagVerb|flagAdj|flagAdv) > 0) {
			return true
		}
	}
	return false
}

// isVerbForm reports whether w (normalised) is a lower-case WordNet verb or
// a form of one.
func (r *Resources) isVerbForm(w string) bool {
	for _, b := range r.lemmas(w) {
		if l, ok := r.lemmaOf(b); ok && r.lemmaFlags[l]&flagLower != 0 && r.lemmaFlags[l]&flagVerb != 0 {
			return true
		}
	}
	return false
}

// isLowerWord reports whether w (normalised) or a base form of it is a
// WordNet lemma written in lower case: an English word, not only a name.
func (r *Resources) isLowerWord(w string) bool {
	for _, b := range r.lemmas(w) {
		if l, ok := r.lemmaOf(b); ok && r.lemmaFlags[l]&flagLower != 0 {
			return true
		}
	}
	return false
}

// isLetters reports whether s is made of letters only.
func isLetters(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if !unicode.IsLetter(c) {
			return false
		}
	}
	return true
}

// maxDefinitionSenses bounds the senses Definition reads: a word's
// commonest senses say what it usually names; its rarer ones mostly add
// words of other topics.
const maxDefinitionSenses = 2

// Definition returns the distinct words that say what word's commonest
// senses are: the words of their definitions (WordNet's glosses without
// their examples) and of their other names, lower-cased, without word's
// own: Definition("Paris") holds "capital" and "france" (the synset's
// "French capital"), Definition("Portugal") "iberian", Definition("yank")
// "american". Multi-word lemmas may be written with
// spaces ("national security council").
func (r *Resources) Definition(word string) []string {
	w := normLemma(word)
	seen := map[string]bool{}
	for _, part := range strings.Fields(w) {
		seen[part] = true
	}
	var out []string
	add := func(s string) {
		for _, part := range strings.Fields(s) {
			if !seen[part] {
				seen[part] = true
				out = append(out, part)
			}
		}
	}
	for i, s := range r.senses(w) {
		if i == maxDefinitionSenses {
			break
		}
		for _, t := range r.synLem[r.synLemOff[s]:r.synLemOff[s+1]] {
			add(r.term(t))
		}
		for _, t := range r.def[r.defOff[s]:r.defOff[s+1]] {
			add(r.term(t))
		}
	}
	return out
}
