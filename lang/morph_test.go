package lang

import (
	"reflect"
	"testing"
)

func TestLemmas(t *testing.T) {
	r := load(t)
	for word, want := range map[string][]string{
		"expelled":        {"expel"},
		"Expelling":       {"expelling", "expel"}, // expelling is a noun lemma too
		"envoys":          {"envoy"},
		"attacks":         {"attack"},
		"carried":         {"carry"},
		"happier":         {"happy"},
		"bigger":          {"bigger", "big"},
		"wolves":          {"wolf"},
		"crises":          {"crisis"},
		"indices":         {"index"},
		"gunmen":          {"gunman"},
		"prime ministers": {"prime minister"},
		// Irregular verbs mined from WordNet's examples.
		"went":    {"go"},
		"took":    {"take"},
		"taken":   {"taken", "take"},
		"sought":  {"sought", "seek"},
		"found":   {"found", "find"},
		"led":     {"led", "lead"},
		"spoken":  {"spoken", "speak"},
		"written": {"written", "write"},
		"flew":    {"fly"},
		"flown":   {"fly"},
		// What it cannot do: forms of be; participles WordNet's examples
		// never show; irregular plurals outside the patterns.
		"was":      nil,
		"been":     nil,
		"sworn":    {"sworn"},
		"stolen":   nil,
		"criteria": nil,
		"children": nil,
		// Short forms: no abbreviation or symbol as a base (was ≠ WA, his
		// is the greeting hi as in morphy).
		"goes":   {"go"},
		"has":    nil,
		"qqzzxq": nil,
	} {
		if got := r.Lemmas(word); !reflect.DeepEqual(got, want) {
			t.Errorf("Lemmas(%q) = %q, want %q", word, got, want)
		}
	}
}
