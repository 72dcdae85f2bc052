package lang

import (
	"strings"
	"testing"
)

func TestIsA(t *testing.T) {
	r := load(t)
	for _, c := range []struct {
		word, class string
		want        bool
	}{
		{"fbi", "agency", true},       // FBI →(instance) law enforcement agency → agency
		{"FBI", "organization", true}, // ... → administrative unit → unit → organization
		{"ransom", "payment", true},   // ransom (the act of paying) → payment
		{"ransom", "act", true},       // ... → commerce → transaction → group action → act
		{"tirana", "city", true},      // instance of national capital → capital → city
		{"albania", "country", true},  // instance of European country → country
		{"ambassador", "diplomat", true},
		{"envoy", "emissary", true}, // a synonym
		{"hackers", "programmer", true},
		{"dog", "organism", true}, // eight steps
		{"fbi", "entity", false},  // nine steps: beyond maxIsADepth
		{"fbi", "payment", false},
		{"ransom", "agency", false},
		{"banana", "country", false},
		{"qqzzxq", "agency", false},
	} {
		if got := r.IsA(c.word, c.class); got != c.want {
			t.Errorf("IsA(%q, %q) = %v, want %v", c.word, c.class, got, c.want)
		}
	}
}

func TestSynonyms(t *testing.T) {
	r := load(t)
	for word, want := range map[string][]string{
		"envoy":  {"emissary"},
		"envoys": {"emissary"},
		"expel":  {"oust", "kick out", "eject"},
		"attack": {"assault"},
		"nation": {"country", "state"},
	} {
		got := r.Synonyms(word)
		for _, w := range want {
			if !contains(got, w) {
				t.Errorf("Synonyms(%q) = %q, want %q among them", word, got, w)
			}
		}
		if contains(got, word) {
			t.Errorf("Synonyms(%q) lists the word itself", word)
		}
	}
	if got := r.Synonyms("qqzzxq"); got != nil {
		t.Errorf("Synonyms of an unknown word = %q", got)
	}
}

func TestDerivations(t *testing.T) {
	r := load(t)
	for word, want := range map[string]string{
		"expel":     "expulsion",
		"expelled":  "expulsion",
		"attack":    "attacker",
		"diplomat":  "diplomatical",
		"sever":     "severance",
		"negotiate": "negotiation",
	} {
		if got := r.Derivations(word); !contains(got, want) {
			t.Errorf("Derivations(%q) = %q, want %q among them", word, got, want)
		}
	}
	if got := r.Pertainyms("albanian"); !contains(got, "albania") {
		t.Errorf("Pertainyms(albanian) = %q", got)
	}
	if got := r.SimilarTo("hostile"); !contains(got, "aggressive") {
		t.Errorf("SimilarTo(hostile) = %q", got)
	}
}

func TestRelatedness(t *testing.T) {
	r := load(t)
	for _, c := range []struct {
		a, b string
		want float64
	}{
		{"expel", "expel", relSame},
		{"expelled", "expels", relSame},       // same base form
		{"envoy", "emissary", relSynonym},     // one synset
		{"expel", "expulsion", relDerivation}, // a derivational link
		{"ransom", "payment", relHypernym},    // one hypernym step
		{"attack", "banana", 0},
		{"qqzzxq", "attack", 0},
	} {
		if got := r.Relatedness(c.a, c.b); got != c.want {
			t.Errorf("Relatedness(%q, %q) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
	// Farther in the hierarchy, less related; never outside [0, 1].
	near, far := r.Relatedness("ambassador", "diplomat"), r.Relatedness("dog", "cat")
	if !(near > far && far > 0) {
		t.Errorf("Relatedness(ambassador, diplomat) = %v, Relatedness(dog, cat) = %v", near, far)
	}
	for _, p := range [][2]string{{"iran", "albania"}, {"hack", "attack"}, {"government", "ministry"}} {
		if x := r.Relatedness(p[0], p[1]); x < 0 || x > 1 || x != r.Relatedness(p[1], p[0]) {
			t.Errorf("Relatedness(%q, %q) = %v (reversed %v)", p[0], p[1], x, r.Relatedness(p[1], p[0]))
		}
	}
}

func TestIsEnglishWord(t *testing.T) {
	r := load(t)
	for w, want := range map[string]bool{
		"the":            true, // not in WordNet, but among the most frequent words
		"expelled":       true, // a form of a lemma
		"went":           true,
		"cyberattacks":   false, // GloVe rank 68,323, and WordNet lacks it
		"ransom":         true,
		"prime minister": true,
		"qqzzxq":         false,
		",":              false,
		"2022":           false,
	} {
		if got := r.IsEnglishWord(w); got != want {
			t.Errorf("IsEnglishWord(%q) = %v, want %v", w, got, want)
		}
	}
}

func TestDefinition(t *testing.T) {
	r := load(t)
	for word, want := range map[string][]string{
		"Paris":                           {"capital", "france"},   // the gloss, and the synset's "French capital"
		"yanks":                           {"american"},            // through the base form
		"mosquito":                        {"insect", "blood"},     // definition words
		"federal bureau of investigation": {"agency", "fbi"},       // a multi-word lemma, and its other name
		"ayatollah":                       {"shiite", "religious"}, // a lower-case common noun
	} {
		got := r.Definition(word)
		have := map[string]bool{}
		for _, w := range got {
			have[w] = true
		}
		for _, w := range want {
			if !have[w] {
				t.Errorf("Definition(%q) = %v, want it to hold %q", word, got, w)
			}
		}
		for _, own := range strings.Fields(strings.ToLower(word)) {
			if have[own] {
				t.Errorf("Definition(%q) holds the word itself (%q)", word, own)
			}
		}
	}
	// The examples of a gloss are no part of its definition: expel's
	// commonest sense is "force to leave or move out; \"He was expelled
	// from his native country\"".
	expel := map[string]bool{}
	for _, w := range r.Definition("expel") {
		expel[w] = true
	}
	if !expel["force"] || expel["native"] {
		t.Errorf("Definition(expel) = %v, want its definition's words (force) without its example's (native)", r.Definition("expel"))
	}
	if got := r.Definition("qqzzxq"); len(got) != 0 {
		t.Errorf("Definition of an unknown word = %v, want none", got)
	}
}

// A word WordNet knows only as a name names something even typed in
// lower case; a common word, an abbreviation of one ("hq") and chat's
// short words ("tho") do not.
func TestIsName(t *testing.T) {
	r := load(t)
	for w, want := range map[string]bool{
		"serbia": true, "portugal": true, "tokyo": true, "everest": true,
		"turkey": false, "hq": false, "tho": false, "job": false, "attack": false, "qqzzxq": false,
	} {
		if got := r.IsName(w); got != want {
			t.Errorf("IsName(%q) = %v, want %v", w, got, want)
		}
	}
}

// MainSenseIsA reads a noun by its commonest sense only; MainlyVerb by
// WordNet's tagged counts.
func TestMainSenseAndVerbs(t *testing.T) {
	r := load(t)
	for _, c := range []struct {
		word, class string
		want        bool
	}{{"diplomats", "person", true}, {"colonel", "person", true}, {"surgeon", "person", true},
		{"group", "person", false}, {"party", "person", false}, {"findings", "person", false}} {
		if got := r.MainSenseIsA(c.word, c.class); got != c.want {
			t.Errorf("MainSenseIsA(%q, %q) = %v, want %v", c.word, c.class, got, c.want)
		}
	}
	for w, want := range map[string]bool{"thought": true, "said": true, "restored": true, "ministry": false, "analyst": false} {
		if got := r.MainlyVerb(w); got != want {
			t.Errorf("MainlyVerb(%q) = %v, want %v", w, got, want)
		}
	}
}
