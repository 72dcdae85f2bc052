package answer

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/incidentbot/incidentbot"
	"github.com/incidentbot/incidentbot/prompts"
	"github.com/incidentbot/incidentbot/retrieval"
)

// Citation checking for text a language model wrote. The model was given
// numbered passages and told to end every sentence with [n]; nothing it
// writes is shown unless a passage it cites backs it. A sentence passes when
// the passages it cites contain its key terms: every number, and most of its
// names and content words (compared as retrieval.Terms, so "severed" meets
// "sever" and "Sept." meets "September"). The caller may rescue a close
// paraphrase with sentence-encoder cosines (see Answerer.rescue).

// VerifyPassage is a passage the model was given; passages[i] is cited as
// [i+1].
type VerifyPassage struct {
	Text string
	// Source is the label the model saw with it ("Title — Outlet,
	// 2022-09-16"); its terms count as the passage's, so an answer may name
	// the outlet or the year it was given there.
	Source string
}

// SentenceStatus is the verdict on one sentence.
type SentenceStatus int

const (
	// Supported: a cited passage backs the sentence; it is shown.
	Supported SentenceStatus = iota
	// Uncited: no marker points at a passage that was given; removed.
	Uncited
	// Unsupported: the cited passages do not contain what it says; removed.
	Unsupported
	// Refusal: the model's refusal sentence. It is not shown (the caller
	// shows its own refusal wording) and not counted as a sentence.
	Refusal
)

func (s SentenceStatus) String() string {
	switch s {
	case Supported:
		return "supported"
	case Uncited:
		return "uncited"
	case Unsupported:
		return "unsupported"
	case Refusal:
		return "refusal"
	}
	return "status(" + strconv.Itoa(int(s)) + ")"
}

// SentenceCheck is the verdict on one sentence of the model's text.
type SentenceCheck struct {
	Text  string // as written, markers included
	Claim string // the sentence without its markers
	// Cited are the passage numbers its markers name that exist, in order of
	// appearance; Invalid are those that name no passage (a hallucinated
	// [7] when five were given).
	Cited   []int
	Invalid []int
	// Support are the cited passages that back it; markers naming other
	// passages are removed from the shown text.
	Support []int
	// Coverage is the weighted share of its key terms found in the cited
	// passages (numbers and names count double); Missing lists the key
	// terms not found.
	Coverage float64
	Missing  []string
	// Cosine is the best sentence-encoder cosine with a sentence of a cited
	// passage, when it was computed (else 0).
	Cosine float64
	Status SentenceStatus

	sep   string // "\n" or " ": what separated it from the sentence before
	parts []sentencePart
}

// sentencePart is a piece of a sentence: text, or a group of [n] markers.
type sentencePart struct {
	text    string
	markers []int // non-nil for a marker group
}

// Verification is the result of checking a model's answer.
type Verification struct {
	Sentences []SentenceCheck
	// Text holds the supported sentences with markers renumbered [1], [2], …
	// in order of first use.
	Text string
	// Cited maps the shown numbers to the passages: Cited[i] is the passage
	// (numbered as given to the model) shown as [i+1].
	Cited []int
	// Supported and Total count sentences; Total leaves out refusal
	// sentences.
	Supported, Total int
	// Refusal: the model said the refusal sentence.
	Refusal bool
}

// Removed is the number of sentences removed as unsupported or uncited.
func (v *Verification) Removed() int { return v.Total - v.Supported }

// Thresholds of the term check.
const (
	// minCoverage is the weighted share of a sentence's key terms that its
	// cited passages must contain.
	minCoverage = 0.6
	// minOwnCoverage is the share one cited passage must contain for its
	// marker to stay on a supported sentence.
	minOwnCoverage = 0.3
	// minBackground is the number of passages from which a term found in
	// all of them counts half.
	minBackground = 3
)

// Verify checks text written by a model against the passages it was given,
// using terms only.
func Verify(text string, passages []VerifyPassage) Verification {
	v := analyse(text, passages)
	v.finish()
	return v
}

// citeMarkerRe matches a group of citation markers with the space before it:
// "[1]", " [1, 2]", "[1][2]", "[1-3]", "[Passage 2]".
var citeMarkerRe = regexp.MustCompile(`(?i)\s*(?:\[\s*(?:passages?\s*|sources?\s*)?\d+(?:\s*(?:,|;|-|–|and)\s*\d+)*\s*\])+`)

// markerAfterStop matches markers written after the sentence's full stop
// ("The port closed. [1]"), which would otherwise be read as the start of
// the next sentence.
var markerAfterStop = regexp.MustCompile(`([.!?]["”’')]*)((?i:\s*\[\s*(?:passages?\s*|sources?\s*)?\d+(?:\s*(?:,|;|-|–|and)\s*\d+)*\s*\])+)`)

// markerNumRe matches a number or a range in a marker group.
var markerNumRe = regexp.MustCompile(`(\d+)(?:\s*[-–]\s*(\d+))?`)

// parseMarkers returns the numbers in a marker group, ranges ("[1-3]")
// expanded up to ten numbers.
func parseMarkers(s string) []int {
	var out []int
	for _, m := range markerNumRe.FindAllStringSubmatch(s, -1) {
		from, err := strconv.Atoi(m[1])
		if err != nil {
			continue
		}
		to := from
		if m[2] != "" {
			if n, err := strconv.Atoi(m[2]); err == nil && n >= from && n-from < 10 {
				to = n
			}
		}
		for n := from; n <= to; n++ {
			out = append(out, n)
		}
	}
	return out
}

// analyse splits text into sentences and judges each by its terms.
func analyse(text string, passages []VerifyPassage) Verification {
	text = strings.TrimSpace(markerAfterStop.ReplaceAllString(text, "$2$1"))
	terms := make([]map[string]bool, len(passages))
	for i, p := range passages {
		terms[i] = passageTerms(p.Source + "\n" + p.Text)
	}
	var v Verification
	prevEnd := 0
	for _, sp := range retrieval.SplitSentences(text, incidentbot.Span{Start: 0, End: len(text)}) {
		sep := " "
		if strings.Contains(text[prevEnd:sp.Start], "\n") {
			sep = "\n"
		}
		prevEnd = sp.End
		sc := SentenceCheck{Text: text[sp.Start:sp.End], sep: sep}
		sc.parts = splitParts(sc.Text)
		var claim strings.Builder
		for _, p := range sc.parts {
			claim.WriteString(p.text)
		}
		sc.Claim = strings.TrimSpace(claim.String())
		if sc.Claim == "" || !hasLetterOrDigit(sc.Claim) {
			// Markers on a line of their own belong to the sentence before.
			if n := len(v.Sentences); n > 0 {
				last := &v.Sentences[n-1]
				last.parts = append(last.parts, sc.parts...)
				last.Text += " " + sc.Text
			}
			continue
		}
		v.Sentences = append(v.Sentences, sc)
	}
	for i := range v.Sentences {
		judge(&v.Sentences[i], passages, terms)
	}
	return v
}

// splitParts cuts a sentence into text and marker groups.
func splitParts(s string) []sentencePart {
	var parts []sentencePart
	at := 0
	for _, m := range citeMarkerRe.FindAllStringIndex(s, -1) {
		if m[0] > at {
			parts = append(parts, sentencePart{text: s[at:m[0]]})
		}
		parts = append(parts, sentencePart{markers: append([]int{}, parseMarkers(s[m[0]:m[1]])...)})
		at = m[1]
	}
	if at < len(s) {
		parts = append(parts, sentencePart{text: s[at:]})
	}
	return parts
}

func hasLetterOrDigit(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) >= 0
}

// judge sets everything but Cosine.
func judge(sc *SentenceCheck, passages []VerifyPassage, terms []map[string]bool) {
	sc.Cited, sc.Invalid, sc.Support, sc.Missing = nil, nil, nil, nil
	for _, p := range sc.parts {
		for _, n := range p.markers {
			switch {
			case n < 1 || n > len(passages):
				if !slices.Contains(sc.Invalid, n) {
					sc.Invalid = append(sc.Invalid, n)
				}
			case !slices.Contains(sc.Cited, n):
				sc.Cited = append(sc.Cited, n)
			}
		}
	}
	if isRefusal(sc.Claim) {
		sc.Status = Refusal
		return
	}
	if len(sc.Cited) == 0 {
		sc.Status = Uncited
		if saysNotCovered.MatchString(sc.Claim) {
			sc.Status = Refusal // the refusal in other words
		}
		return
	}
	keys := keyTerms(sc.Claim)
	if len(keys) == 0 {
		// Nothing checkable ("Yes [1].") but a valid citation.
		sc.Coverage, sc.Status, sc.Support = 1, Supported, slices.Clone(sc.Cited)
		return
	}
	total, found := 0.0, 0.0
	own := make([]float64, len(sc.Cited))
	numberMissing := false
	for _, k := range keys {
		if len(terms) >= minBackground && k.inAll(terms) {
			// In every passage (the place and the event all the articles
			// name): the background of the corpus, little evidence of
			// this claim.
			k.weight /= 2
		}
		total += k.weight
		hit := false
		for i, n := range sc.Cited {
			if k.in(terms[n-1]) {
				own[i] += k.weight
				hit = true
			}
		}
		if hit {
			found += k.weight
			continue
		}
		sc.Missing = append(sc.Missing, k.term)
		if k.number {
			numberMissing = true
		}
	}
	sc.Coverage = found / total
	if numberMissing || sc.Coverage < minCoverage {
		sc.Status = Unsupported
		return
	}
	sc.Status = Supported
	for i, n := range sc.Cited {
		if own[i]/total >= minOwnCoverage {
			sc.Support = append(sc.Support, n)
		}
	}
	if len(sc.Support) == 0 {
		for i, n := range sc.Cited {
			if own[i] > 0 {
				sc.Support = append(sc.Support, n)
			}
		}
	}
}

// refusalKey is the refusal sentence, normalised by normRefusal.
var refusalKey = normRefusal(prompts.RefusalSentence())

func normRefusal(s string) string {
	s = strings.ToLower(strings.NewReplacer("’", "'", "‘", "'", "do not", "don't").Replace(s))
	s = strings.Join(strings.Fields(s), " ")
	return strings.TrimRight(s, ".!?\"”' ")
}

// saysNotCovered matches an uncited sentence saying, in the model's own
// words, that the sources do not answer: "The passages do not mention who
// did it."
var saysNotCovered = regexp.MustCompile(`(?i)\b(passages?|articles?|sources?|texts?)\b[^.]*\b(do not|don't|don’t|does not|doesn't|doesn’t|cannot|can't|no)\b[^.]*\b(cover|mention|say|state|contain|answer|provide|give|specify|information|details?)`)

func isRefusal(claim string) bool {
	return strings.Contains(normRefusal(claim), refusalKey)
}

// keyTerm is a term of a sentence that its passage must contain.
type keyTerm struct {
	term   string
	weight float64
	number bool
}

// inAll reports whether every passage contains the term.
func (k keyTerm) inAll(sets []map[string]bool) bool {
	for _, set := range sets {
		if !k.in(set) {
			return false
		}
	}
	return true
}

// in reports whether the passage's term set holds the term: exactly, or
// for words as a close variant ("germany" and "german", "hacker" and
// "hack"), which the light stemmer leaves apart.
func (k keyTerm) in(set map[string]bool) bool {
	if set[k.term] {
		return true
	}
	if k.number || len(k.term) < 4 {
		return false
	}
	for t := range set {
		if len(t) < 4 || retrieval.IsDigits(t) {
			continue
		}
		short, long := t, k.term
		if len(short) > len(long) {
			short, long = long, short
		}
		if len(long)-len(short) <= 3 && strings.HasPrefix(long, short) {
			return true
		}
	}
	return false
}

// metaTerms are words an answer uses about its sources or to join claims;
// the passages need not contain them.
var metaTerms = func() map[string]bool {
	m := map[string]bool{}
	for _, t := range retrieval.Terms(`according article articles passage passages source sources report reports reported
		state states stated say says said mention mentions mentioned note notes noted describe describes described
		write writes wrote one another both however whereas while other others yes also instead different differ
		disagree disagreement date dates dated give gives given`) {
		m[t] = true
	}
	return m
}()

// numberWords are spelled-out numbers, compared as digits, by their term
// ("three" is the term "thre").
var numberWords = func() map[string]string {
	m := map[string]string{}
	for w, d := range numberWordList {
		for _, t := range retrieval.Terms(w) {
			m[t] = d
		}
	}
	return m
}()

var numberWordList = map[string]string{
	"zero": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7",
	"eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12", "first": "1", "second": "2",
	"third": "3", "fourth": "4", "fifth": "5",
}

// keyTerms returns the distinct key terms of a sentence: numbers and
// capitalised names weigh 2, other content words 1.
func keyTerms(s string) []keyTerm {
	s = normalizeNumbers(s)
	var out []keyTerm
	seen := map[string]int{}
	first := true
	for _, w := range rawWords(s) {
		r, _ := utf8.DecodeRuneInString(w)
		name := unicode.IsUpper(r) && !first
		first = false
		for _, t := range retrieval.Terms(w) {
			if metaTerms[t] {
				continue
			}
			t = trimZeros(t)
			if d, ok := numberWords[t]; ok {
				// "three" in an answer may be "3" or "three" in the source:
				// either form passes (see passageTerms).
				t = d
			}
			k := keyTerm{term: t, weight: 1, number: retrieval.IsDigits(t)}
			if k.number || name {
				k.weight = 2
			}
			if i, ok := seen[t]; ok {
				out[i].weight = max(out[i].weight, k.weight)
				continue
			}
			seen[t] = len(out)
			out = append(out, k)
		}
	}
	return out
}

// rawWords splits s into words as written (case kept), for telling names
// apart; retrieval.Terms then normalises each.
func rawWords(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		return !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '\'' || r == '’')
	})
}

// passageTerms returns a passage's terms, spelled-out numbers also as digits.
func passageTerms(text string) map[string]bool {
	set := map[string]bool{}
	for _, t := range retrieval.Terms(normalizeNumbers(text)) {
		t = trimZeros(t)
		set[t] = true
		if d, ok := numberWords[t]; ok {
			set[d] = true
		}
	}
	return set
}

// thousands matches a thousands separator: "3,000" and "3000" compare equal.
var thousands = regexp.MustCompile(`(\d),(\d{3})\b`)

// isoDate matches 2022-09-07 and 2022-09, which answers (timelines) and
// source labels use and the articles spell out.
var isoDate = regexp.MustCompile(`\b(\d{4})-(0[1-9]|1[0-2])(?:-(\d{2}))?\b`)

// normalizeNumbers writes numbers one way on both sides of the comparison:
// thousands separators dropped, ISO dates spelled out ("2022-09-07" →
// "September 07 2022").
func normalizeNumbers(s string) string {
	s = isoDate.ReplaceAllStringFunc(s, func(d string) string {
		m := isoDate.FindStringSubmatch(d)
		month, _ := strconv.Atoi(m[2])
		return strings.TrimSpace(time.Month(month).String() + " " + m[3] + " " + m[1])
	})
	return joinThousands(s)
}

// trimZeros drops leading zeros of a number: "07 Sept" and "September 7"
// compare equal.
func trimZeros(t string) string {
	if retrieval.IsDigits(t) && len(t) > 1 {
		if u := strings.TrimLeft(t, "0"); u != "" {
			return u
		}
		return "0"
	}
	return t
}

func joinThousands(s string) string {
	for {
		t := thousands.ReplaceAllString(s, "$1$2")
		if t == s {
			return s
		}
		s = t
	}
}

// finish renders the supported sentences with their markers renumbered in
// order of first use, and counts.
func (v *Verification) finish() {
	v.Text, v.Cited, v.Supported, v.Total, v.Refusal = "", nil, 0, 0, false
	shown := map[int]int{} // passage → shown number
	var b strings.Builder
	for i := range v.Sentences {
		sc := &v.Sentences[i]
		switch sc.Status {
		case Refusal:
			v.Refusal = true
			continue
		case Supported:
			v.Supported++
		default:
			v.Total++
			continue
		}
		v.Total++
		if b.Len() > 0 {
			b.WriteString(sc.sep)
		}
		var s strings.Builder
		for _, p := range sc.parts {
			if p.markers == nil {
				s.WriteString(p.text)
				continue
			}
			var group []int
			for _, n := range p.markers {
				if !slices.Contains(sc.Support, n) {
					continue // names no passage, or one that does not back the sentence
				}
				m, ok := shown[n]
				if !ok {
					v.Cited = append(v.Cited, n)
					m = len(v.Cited)
					shown[n] = m
				}
				if !slices.Contains(group, m) {
					group = append(group, m)
				}
			}
			if len(group) > 0 {
				s.WriteString(" ")
				for _, m := range group {
					s.WriteString("[" + strconv.Itoa(m) + "]")
				}
			}
		}
		b.WriteString(strings.TrimSpace(s.String()))
	}
	v.Text = b.String()
}
