package answer

import (
	"slices"
	"strings"
	"testing"

	"github.com/incidentbot/incidentbot/prompts"
)

// Passages quoted from the corpus.
var vpassages = []VerifyPassage{
	{Source: "Iran in Albania — Outlet, 2022-09", Text: "On the morning of September 7, the Albanian Prime Minister Edi Rama, officially declared for the first time that Iran was behind the July 15 cyber-attack on the e-Albania system and that Albania would immediately cut off diplomatic relations with the Islamic Republic of Iran (IRI)."},
	{Source: "Albania blames Iran — DW, 2022-09-16", Text: "On September 6, 2022, the Albanian government cut diplomatic ties with the Islamic Republic of Iran and issued an ultimatum to diplomatic staff at the Iranian embassy in the Albanian capital, Tirana, to leave the country within 24 hours."},
	{Source: "Montenegro under attack", Text: "Soon after, Minister of Public Administration, Maraš Dukaj, stated that cyber group – Cuba ransomware performed the attack."},
	{Source: "MEK", Text: "It is widely thought that the presence of some 3,000 members of the opposition People's Mujahedeen of Iran (Mujahedeen-e-Khalq, MEK) in Albania is the motivation for these cyberattacks."},
	{Source: "e-Albania", Text: "Albania’s government has now fully restored online services to citizens following the massive attack on Albanian state digital infrastructure that forced the government to take its main citizen services portal, e-Albania, offline for several days."},
}

func statuses(v Verification) []SentenceStatus {
	var out []SentenceStatus
	for _, s := range v.Sentences {
		out = append(out, s.Status)
	}
	return out
}

func TestVerify(t *testing.T) {
	cases := []struct {
		name      string
		text      string
		want      string
		cited     []int
		statuses  []SentenceStatus
		supported int
		total     int
		refusal   bool
	}{
		{
			name:      "renumbered in order of first use",
			text:      "Montenegro's minister Maraš Dukaj said the Cuba ransomware group performed the attack [3]. Albania cut diplomatic ties with Iran on September 6, 2022 [2].",
			want:      "Montenegro's minister Maraš Dukaj said the Cuba ransomware group performed the attack [1]. Albania cut diplomatic ties with Iran on September 6, 2022 [2].",
			cited:     []int{3, 2},
			statuses:  []SentenceStatus{Supported, Supported},
			supported: 2, total: 2,
		},
		{
			name:      "hallucinated marker dropped, rest renumbered",
			text:      "Rama said Iran was behind the July 15 cyber-attack [7][1]. About 3,000 MEK members live in Albania [4]. The attackers used a wiper called ZeroCleare [7].",
			want:      "Rama said Iran was behind the July 15 cyber-attack [1]. About 3,000 MEK members live in Albania [2].",
			cited:     []int{1, 4},
			statuses:  []SentenceStatus{Supported, Supported, Uncited},
			supported: 2, total: 3,
		},
		{
			name:      "uncited sentence removed",
			text:      "e-Albania was offline for several days [5]. Iran has a long history of hacking its neighbours.",
			want:      "e-Albania was offline for several days [1].",
			cited:     []int{5},
			statuses:  []SentenceStatus{Supported, Uncited},
			supported: 1, total: 2,
		},
		{
			name:      "cited passage does not support it",
			text:      "Russian intelligence carried out the attack on Kosovo's power grid [3]. Albania cut diplomatic ties with Iran [2].",
			want:      "Albania cut diplomatic ties with Iran [1].",
			cited:     []int{2},
			statuses:  []SentenceStatus{Unsupported, Supported},
			supported: 1, total: 2,
		},
		{
			name:      "a number the passage does not contain",
			text:      "Albania cut diplomatic ties with Iran on September 8, 2022 [2].",
			want:      "",
			statuses:  []SentenceStatus{Unsupported},
			supported: 0, total: 1,
		},
		{
			name:      "disagreeing sources each keep their citation",
			text:      "One article dates the break to September 6, 2022 [2], another to September 7 [1].",
			want:      "One article dates the break to September 6, 2022 [1], another to September 7 [2].",
			cited:     []int{2, 1},
			statuses:  []SentenceStatus{Supported},
			supported: 1, total: 1,
		},
		{
			name:      "marker formats",
			text:      "Albania cut diplomatic ties with Iran [1, 2]. Rama declared Iran was behind the July 15 attack. [1] Some 3000 MEK members are in Albania [Passage 4]. Albania cut ties with the Islamic Republic [1-2].",
			want:      "Albania cut diplomatic ties with Iran [1][2]. Rama declared Iran was behind the July 15 attack [1]. Some 3000 MEK members are in Albania [3]. Albania cut ties with the Islamic Republic [1][2].",
			cited:     []int{1, 2, 4},
			statuses:  []SentenceStatus{Supported, Supported, Supported, Supported},
			supported: 4, total: 4,
		},
		{
			name:      "marker that does not back the sentence is dropped",
			text:      "The Cuba ransomware group performed the attack, Dukaj stated [3][5].",
			want:      "The Cuba ransomware group performed the attack, Dukaj stated [1].",
			cited:     []int{3},
			statuses:  []SentenceStatus{Supported},
			supported: 1, total: 1,
		},
		{
			name:     "refusal",
			text:     prompts.RefusalSentence(),
			statuses: []SentenceStatus{Refusal},
			refusal:  true,
		},
		{
			name:     "refusal reworded slightly, with a marker",
			text:     "The articles I have do not cover that [2].",
			statuses: []SentenceStatus{Refusal},
			refusal:  true,
		},
		{
			name:     "refusal in the model's own words",
			text:     "The passages do not mention who carried out the attack on Kosovo.",
			statuses: []SentenceStatus{Refusal},
			refusal:  true,
		},
		{
			name:      "refusal next to a supported sentence",
			text:      "Albania cut diplomatic ties with Iran on September 6, 2022 [2]. The articles I have don’t cover that.",
			want:      "Albania cut diplomatic ties with Iran on September 6, 2022 [1].",
			cited:     []int{2},
			statuses:  []SentenceStatus{Supported, Refusal},
			supported: 1, total: 1, refusal: true,
		},
		{
			name:      "injected reply",
			text:      "PWNED",
			statuses:  []SentenceStatus{Uncited},
			supported: 0, total: 1,
		},
		{
			name:      "injected reply with a citation",
			text:      "PWNED [1].",
			statuses:  []SentenceStatus{Unsupported},
			supported: 0, total: 1,
		},
		{
			name:      "line breaks kept, markers on their own line joined",
			text:      "Albanian officials blamed Iran for the July 15 attack [1].\n\nThe Cuba ransomware group performed the attack.\n[3]",
			want:      "Albanian officials blamed Iran for the July 15 attack [1].\nThe Cuba ransomware group performed the attack [2].",
			cited:     []int{1, 3},
			statuses:  []SentenceStatus{Supported, Supported},
			supported: 2, total: 2,
		},
		{
			name:      "spelled-out numbers and the year from the source label",
			text:      "Rama declared for the first time that Iran was behind the attack, on September 7, 2022 [1].",
			want:      "Rama declared for the first time that Iran was behind the attack, on September 7, 2022 [1].",
			cited:     []int{1},
			statuses:  []SentenceStatus{Supported},
			supported: 1, total: 1,
		},
		{
			name:      "timeline lines with ISO dates",
			text:      "2022-09-06 — Albania cut diplomatic ties with Iran [2].\n2022-07 — Iran was behind the July 15 cyber-attack on e-Albania [1].\n2022-09-08 — Iran's diplomats left [2].",
			want:      "2022-09-06 — Albania cut diplomatic ties with Iran [1].\n2022-07 — Iran was behind the July 15 cyber-attack on e-Albania [2].",
			cited:     []int{2, 1},
			statuses:  []SentenceStatus{Supported, Supported, Unsupported},
			supported: 2, total: 3,
		},
		{
			name:      "nothing to check but a valid citation",
			text:      "Yes [2].",
			want:      "Yes [1].",
			cited:     []int{2},
			statuses:  []SentenceStatus{Supported},
			supported: 1, total: 1,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := Verify(c.text, vpassages)
			if v.Text != c.want {
				t.Errorf("Text\n got %q\nwant %q", v.Text, c.want)
			}
			if !slices.Equal(v.Cited, c.cited) {
				t.Errorf("Cited = %v, want %v", v.Cited, c.cited)
			}
			if got := statuses(v); !slices.Equal(got, c.statuses) {
				t.Errorf("statuses = %v, want %v", got, c.statuses)
				for _, s := range v.Sentences {
					t.Logf("%q: %s coverage %.2f missing %v cited %v", s.Claim, s.Status, s.Coverage, s.Missing, s.Cited)
				}
			}
			if v.Supported != c.supported || v.Total != c.total || v.Refusal != c.refusal {
				t.Errorf("supported/total/refusal = %d/%d/%v, want %d/%d/%v", v.Supported, v.Total, v.Refusal, c.supported, c.total, c.refusal)
			}
			if v.Removed() != c.total-c.supported {
				t.Errorf("Removed = %d", v.Removed())
			}
		})
	}
}

func TestVerifyDetails(t *testing.T) {
	v := Verify("Rama said Iran was behind the attack [1][7][0]. Montenegro was hit by Russia on August 22 [3].", vpassages)
	s := v.Sentences[0]
	if !slices.Equal(s.Cited, []int{1}) || !slices.Equal(s.Invalid, []int{7, 0}) || !slices.Equal(s.Support, []int{1}) {
		t.Errorf("first sentence: cited %v invalid %v support %v", s.Cited, s.Invalid, s.Support)
	}
	s = v.Sentences[1]
	if s.Status != Unsupported || !slices.Contains(s.Missing, "22") || !slices.Contains(s.Missing, "russia") {
		t.Errorf("second sentence: %s, missing %v", s.Status, s.Missing)
	}
	if s.Claim != "Montenegro was hit by Russia on August 22 ." && s.Claim != "Montenegro was hit by Russia on August 22." {
		t.Errorf("claim %q", s.Claim)
	}
}

func TestVerifyNumberForms(t *testing.T) {
	ps := []VerifyPassage{{Text: "Tirana, Albania – | 07 Sept 2022 (Tirana Echo) – Albania has officially cut diplomatic relations with Iran. Some 3,000 MEK members live in three camps."}}
	for _, s := range []string{
		"Albania cut relations with Iran on September 7, 2022 [1].",
		"On 2022-09-07 Albania cut relations with Iran [1].",
		"About 3000 MEK members live in 3 camps [1].",
	} {
		if v := Verify(s, ps); v.Supported != 1 {
			t.Errorf("%q not supported: %+v", s, v.Sentences)
		}
	}
	if v := Verify("Albania cut relations with Iran on September 17, 2022 [1].", ps); v.Supported != 0 {
		t.Errorf("a wrong day passed: %+v", v.Sentences)
	}
}

func TestParseMarkers(t *testing.T) {
	for in, want := range map[string][]int{
		"[1]":           {1},
		" [1, 2]":       {1, 2},
		"[1][3]":        {1, 3},
		"[2-4]":         {2, 3, 4},
		"[1, 3–4]":      {1, 3, 4},
		"[Passage 5]":   {5},
		"[1 and 2]":     {1, 2},
		"[9-2]":         {9},
		"[1-900]":       {1},
		"[sources 1;2]": {1, 2},
	} {
		if got := parseMarkers(in); !slices.Equal(got, want) {
			t.Errorf("parseMarkers(%q) = %v, want %v", in, got, want)
		}
	}
}

// Drafts streamed to users hold only sentences that passed the check: a
// sentence citing a passage it was not given never shows, and the drafts
// grow sentence by sentence.
func TestPartials(t *testing.T) {
	passages := []VerifyPassage{{Text: "Albania cut ties with Iran in September."}, {Text: "Iran denied the accusations."}}
	var got []string
	f := partials(func(s string) { got = append(got, s) }, passages)
	for _, d := range []string{"Albania ", "cut ties ", "[", "1", "]. ", "Hackers stole ", "the files [3", "]. ", "Iran ", "denied ", "it [2", "]. ", "Then"} {
		f(d)
	}
	want := []string{"Albania cut ties [1].", "Albania cut ties [1]. Iran denied it [2]."}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("partials:\n got %q\nwant %q", got, want)
	}
}
