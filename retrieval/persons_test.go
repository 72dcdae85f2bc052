package retrieval

import (
	"slices"
	"testing"

	"github.com/incidentbot/incidentbot/lang"
)

// A sentence that names only an office, a body or a place does not answer
// "who": the reader must tell "the White House's NSC spokesperson, Adrienne
// Watson" from "the White House National Security Council".
func TestPersonsAreNamesEnglishTakesForPersons(t *testing.T) {
	res, err := lang.Load("")
	if err != nil {
		t.Fatalf("language pack not installed (make model): %v", err)
	}
	for _, c := range []struct {
		text string
		want []string
	}{
		{"said a statement by the White House’s NSC spokesperson, Adrienne Watson.", []string{"Adrienne Watson"}},
		{"NATO and the White House National Security Council condemned the cyberattacks.", nil},
		{"The Islamic Republic and Saudi Arabia cut ties; the Foreign Ministry said so.", nil},
		{"Foreign Secretary James Cleverly said Iran's actions showed a blatant disregard.", []string{"James Cleverly"}},
		{"Jens Stoltenberg, the Secretary General of NATO, condemned it.", []string{"Jens Stoltenberg"}},
		{"The Tirana Echo reported that the Prime Minister spoke on Tuesday.", nil},
		{"The Supreme Court, the European Union and New Zealand said so.", nil},
		// A known limit: a surname that is a common word after a first
		// name English also writes in lower case ("john") is missed.
		{"James Baker and Ada Okonkwo were there; John Smith was not counted.", []string{"James Baker", "Ada Okonkwo"}},
	} {
		if got := PersonNames(c.text, res); !slices.Equal(got, c.want) {
			t.Errorf("PersonNames(%q) = %q, want %q", c.text, got, c.want)
		}
	}
	// Without English every run of capitalised words may be one.
	if got := PersonNames("the White House National Security Council", nil); len(got) == 0 {
		t.Error("without a lexicon, no run was taken for a name")
	}
}
