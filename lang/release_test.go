package lang

import (
	"slices"
	"testing"
)

// Giving back the pack's pages changes no answer: what is read afterwards
// is mapped again. Release is called while others read, as a preparing
// index does beside questions being answered.
func TestReleaseKeepsAnswers(t *testing.T) {
	ref := load(t) // builds the pack if it is missing
	r, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	// Looking everything up once makes the pages resident, as preparing
	// an index does.
	for _, w := range []string{"embassy", "ambassador", "government"} {
		r.Vector(w)
		r.Definition(w)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 20 {
			r.Release()
		}
	}()
	// Words not looked up before (the vectors are cached) are read from
	// the pack while and after its pages are given back.
	check := func(words ...string) {
		for _, w := range words {
			if !slices.Equal(r.Vector(w), ref.Vector(w)) || r.Rank(w) != ref.Rank(w) ||
				!slices.Equal(r.Definition(w), ref.Definition(w)) || r.IsA(w, "person") != ref.IsA(w, "person") {
				t.Errorf("%s read differently around Release", w)
			}
		}
	}
	check("cyberattack", "ransomware", "minister")
	<-done
	r.Release()
	check("diplomat", "hacker", "server", "embassy")
}
