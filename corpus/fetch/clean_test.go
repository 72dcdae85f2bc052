package fetch

import (
	"strings"
	"testing"

	"github.com/incidentbot/incidentbot/corpus"
)

// When readability keeps more of a page than the article (it may, on a
// layout it scores differently), the line filter still removes the debris
// the shipped seeds carry.
func TestCleanRemovesTheSeedsDebris(t *testing.T) {
	arts, err := corpus.Load(corpus.Default(), "corpus")
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range arts {
		t.Run(a.ID, func(t *testing.T) {
			var paras []string
			for _, l := range strings.Split(a.Text, "\n") {
				if l = collapse(l); l != "" {
					paras = append(paras, l)
				}
			}
			out := clean(paras)
			for _, d := range []string{"Skip to", "Skip next section", "Go to homepage", "Image:", "picture alliance", "DW's Top Story", "Bakhmut", "Copyright", "All Rights Reserved"} {
				if strings.Contains(out, d) {
					t.Errorf("%q survived", d)
				}
			}
			// The prose survives, verbatim: every citable line of the seed
			// is still there (a captioned one without its credit).
			for _, sp := range corpus.CitableSpans(a.Text) {
				line := collapse(a.Text[sp.Start:sp.End])
				if !strings.Contains(out, line) {
					t.Errorf("prose lost: %q", line)
				}
			}
		})
	}
}

func TestCutCredit(t *testing.T) {
	for in, want := range map[string]string{
		"Albania cut diplomatic ties with Iran over cyberattacks it alleges were carried out by TehranImage: Franc Zhurda/AP Photo/picture alliance": "Albania cut diplomatic ties with Iran over cyberattacks it alleges were carried out by Tehran",
		"Colonel Dritan Demiraj is confident Image: privat":                                                "Colonel Dritan Demiraj is confident",
		"Police outside the embassy in Tirana (Photo: Reuters)":                                            "Police outside the embassy in Tirana",
		"The ministry published a statement. Photo: the statement said the attack was foiled. It was not.": "The ministry published a statement. Photo: the statement said the attack was foiled. It was not.",
		"Albania expelled Iranian diplomats in September 2022.":                                            "Albania expelled Iranian diplomats in September 2022.",
	} {
		if got := cutCredit(in); got != want {
			t.Errorf("cutCredit(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCleanKeepsInlineReadMoreOutButNotTheRest(t *testing.T) {
	out := clean([]string{
		"Albania cut ties with Iran on Wednesday, the prime minister said.",
		"READ MORE: Montenegro hit by ransomware",
		"The decision followed an investigation into the July 15 attack.",
		"Related stories",
		"Kosovo police report an attack on their systems.",
	})
	want := "Albania cut ties with Iran on Wednesday, the prime minister said.\n\nThe decision followed an investigation into the July 15 attack.\n"
	if out != want {
		t.Errorf("got %q, want %q", out, want)
	}
}
