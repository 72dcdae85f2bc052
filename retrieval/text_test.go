package retrieval

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/incidentbot/incidentbot"
	"github.com/incidentbot/incidentbot/corpus"
)

func sentences(text string) []string {
	var out []string
	for _, s := range SplitSentences(text, incidentbot.Span{Start: 0, End: len(text)}) {
		out = append(out, text[s.Start:s.End])
	}
	return out
}

func TestSplitSentences(t *testing.T) {
	for _, tc := range []struct {
		text string
		want []string
	}{
		{"TIRANA, Sept. 7, 2022 – Albania acted. The U.S. agreed with it.",
			[]string{"TIRANA, Sept. 7, 2022 – Albania acted.", "The U.S. agreed with it."}},
		{"Dr. Afshin Shahi spoke. Col. Demiraj agreed.", []string{"Dr. Afshin Shahi spoke.", "Col. Demiraj agreed."}},
		{`"It is aggression," he told DW. Then he left.`, []string{`"It is aggression," he told DW.`, "Then he left."}},
		{"“The UK is supporting our partner.” We join Albania.", []string{"“The UK is supporting our partner.”", "We join Albania."}},
		{"Leaders met in Brussels. 3,000 members stayed.", []string{"Leaders met in Brussels.", "3,000 members stayed."}},
		{"John F. Kennedy spoke.\nA new line is a new sentence", []string{"John F. Kennedy spoke.", "A new line is a new sentence"}},
		{"Why did Iran attack? Nobody knows.", []string{"Why did Iran attack?", "Nobody knows."}},
	} {
		if got := sentences(tc.text); !slices.Equal(got, tc.want) {
			t.Errorf("%q:\n got %q\nwant %q", tc.text, got, tc.want)
		}
	}
}

func TestChunksAreVerbatimWholeSentences(t *testing.T) {
	arts, err := corpus.Load(corpus.Default(), "corpus")
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, a := range arts {
		ps := Chunk(a)
		if len(ps) == 0 {
			t.Fatalf("%s: no passages", a.ID)
		}
		for _, p := range ps {
			total++
			if p.Text != a.Text[p.Start:p.End] {
				t.Fatalf("%s: passage text is not the article's span", p.ID)
			}
			if p.Sentences[0].Start != p.Start || p.Sentences[len(p.Sentences)-1].End != p.End {
				t.Errorf("%s: passage does not start and end on sentence boundaries", p.ID)
			}
			words := len(strings.Fields(p.Text))
			if words > MaxWords && len(p.Sentences) > 1 {
				t.Errorf("%s: %d words in %d sentences, over the encoder-sized limit", p.ID, words, len(p.Sentences))
			}
			last := strings.TrimRight(p.Text, "\"'”’) ")
			// Every passage ends a sentence, or is a photo caption whose
			// glued-on credit was cut off.
			captionCut := strings.HasPrefix(a.Text[p.End:], "Image:")
			if !strings.ContainsAny(last[len(last)-1:], ".!?") && !captionCut {
				t.Errorf("%s ends mid-sentence: …%q", p.ID, last[max(0, len(last)-40):])
			}
		}
	}
	if total < 60 {
		t.Errorf("only %d passages: chunks are too large for the encoder", total)
	}
}

func TestTerms(t *testing.T) {
	has := func(text, term string) bool { return slices.Contains(Terms(text), term) }
	for _, tc := range []struct{ a, b string }{
		{"sheltering", "shelter"},
		{"Sept. 7", "September 7"},
		{"cyber-attack", "cyberattacks"},
		{"Liçaj", "Licaj"},
		{"Raško Konjević", "Rasko Konjevic"},
		{"8th", "8"},
		{"orchestrated", "orchestrate"},
		{"expelled", "expel"},
		{"travelled", "travel"},
		{"spelled", "spell"},
	} {
		ta := Terms(tc.a)
		for _, term := range Terms(tc.b) {
			if !slices.Contains(ta, term) {
				t.Errorf("%q and %q should share term %q (got %v and %v)", tc.a, tc.b, term, ta, Terms(tc.b))
			}
		}
	}
	if has("the of and", "the") {
		t.Error("stop words must not be terms")
	}
}

func TestBM25RanksTheMatchingText(t *testing.T) {
	ix := NewBM25([]string{
		"Montenegro's government network came under attack on August 20.",
		"Kosovo faced DDoS attacks during the first week of September.",
		"Albania cut diplomatic ties with Iran.",
	})
	top := ix.Top("When was Montenegro attacked?", 3)
	if len(top) == 0 || top[0].Doc != 0 {
		t.Fatalf("want the Montenegro text first, got %v", top)
	}
	if got := ix.Top("pizza recipe", 3); len(got) != 0 {
		t.Errorf("no shared terms must score nothing, got %v", got)
	}
}

// A demonym or another name from the corpus's profile stands for its
// entity in full: the query finds the articles' name for it. The names
// come from the profile, not the code, so any incident's work the same.
func TestProfileAliasesMeetTheirEntity(t *testing.T) {
	arts := []*incidentbot.Article{{ID: "a", Title: "T", Text: "Montenegro's minister spoke on Tuesday. Flood gauges in Varnholm failed."}}
	ix, err := NewIndex("test", arts, func(string) []float32 { return []float32{1, 0} })
	if err != nil {
		t.Fatal(err)
	}
	ix.reader.opts = QueryOptions{Aliases: map[string]string{"montenegrin": "montenegro", "varnholmer": "varnholm", "gaugeland": "varnholm"}}
	for q, want := range map[string]string{"Which Montenegrin minister spoke?": "montenegro", "what did a varnholmer see": "varnholm", "floods in gaugeland": "varnholm"} {
		got := ix.Analyze(q).weights()
		if got[want] != 1 {
			t.Errorf("%q: terms %v, want %q at weight 1", q, got, want)
		}
	}
}

func TestFindDates(t *testing.T) {
	text := "TIRANA, Sept. 7, 2022 – on July 15th, and on 07 Sept 2022; in May, the first attack; Albania may act."
	var got []string
	for _, d := range FindDates(text) {
		got = append(got, d.Key()+"/"+strconv.Itoa(d.Year))
	}
	want := []string{"9-7/2022", "7-15/0", "9-7/2022", "5-0/0"}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("dates %v, want %v (the verb 'may' is no date)", got, want)
	}
}

// A name in a question counts as known to the corpus when the corpus has a
// word of its root or spells it one letter differently.
func TestHasWordLike(t *testing.T) {
	ix := NewBM25([]string{"An attack on the Bektashian seat.", "Nasser Ka’nani, the spokesman."})
	for _, c := range []struct {
		term string
		want bool
	}{
		{"bektashi", true},  // the article's "Bektashian"
		{"kanani", true},    // "Ka’nani" without its apostrophe
		{"kananni", true},   // one letter more
		{"treasury", false}, // nowhere
		{"spokesmen", true}, // one letter changed
		{"bitcoin", false},
	} {
		if got := ix.HasWordLike(c.term); got != c.want {
			t.Errorf("HasWordLike(%q) = %v, want %v", c.term, got, c.want)
		}
	}
}

// The kind of answer comes from the question's lead word: a question word
// inside a clause ("… react when …") does not make it a "when" question.
func TestKindComesFromTheLeadQuestionWord(t *testing.T) {
	for q, want := range map[string]Kind{
		"how did they react when the ministry accused them": KindAny,
		"so when did the embassy close":                     KindDate,
		"and on what day was it":                            KindDate,
		"how many staff left and when":                      KindNumber,
		"who spoke first when the talks began":              KindPerson,
		"what happened when the servers went down":          KindAny,
		"in which year was the law passed":                  KindYear,
		"the embassy closed when?":                          KindDate,
		"but why did the ministry wait until the weekend":   KindReason,
		"what was the reason the officials gave":            KindReason,
		"tell me how long the outage lasted":                KindNumber,
	} {
		if got := KindOf(q); got != want {
			t.Errorf("KindOf(%q) = %v, want %v", q, got, want)
		}
	}
}
