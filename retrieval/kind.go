package retrieval

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"

	"github.com/incidentbot/incidentbot"
)

// Kind is the kind of answer a question asks for. On this corpus many
// passages share a question's words; the one that answers it also holds a
// date, a number or a name.
type Kind uint8

const (
	KindAny Kind = iota
	KindDate
	KindYear
	KindNumber
	KindPerson
	KindReason
	// KindDay is no kind a question asks for: SentenceHasAnswerKind reads
	// it as "a date to the day", which answers "when" best.
	KindDay Kind = 7
)

var kindNames = [...]string{KindAny: "any", KindDate: "date", KindYear: "year", KindNumber: "number", KindPerson: "person", KindReason: "reason", KindDay: "day"}

func (k Kind) String() string {
	if int(k) < len(kindNames) && kindNames[k] != "" {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", k)
}

// The kinds of question, matched at the question's lead: its first
// question word (with a preposition before it: "on what day", "in which
// year"). A question word further on belongs to a clause inside the
// question: "how did they react when …" asks how, not when.
var (
	leadWord        = regexp.MustCompile(`(?i)\b(?:(?:on|in|at|since|by|until|for|from|to)\s+)?(?:who|whom|whose|what|which|when|where|why|how)\b`)
	whenQuestion    = regexp.MustCompile(`(?i)^(?:on\s+|since\s+|until\s+)?(when|what (day|date|month|time)|which (day|date|month))\b`)
	yearQuestion    = regexp.MustCompile(`(?i)^(?:in\s+|since\s+)?(what|which) year\b|^since when\b`)
	whoQuestion     = regexp.MustCompile(`(?i)^(who|whom)\b`)
	acronymQuestion = regexp.MustCompile(`\b(?:does|is|are)\s+(\p{Lu}[\p{Lu}\d-]{1,9})\s+(?:stand for|short for|mean)\b`)
	whyQuestion     = regexp.MustCompile(`(?i)^(?:for\s+)?why\b|^(what|which) (was|were|is) the (reason|motive|motivation|cause)|^what (led|prompted|caused|motivated)\b`)
	reasonMention   = regexp.MustCompile(`(?i)\b(because|due to|in response to|in retaliation|retaliat\w*|as a result|in proportion|motivat\w*|reasons?|after an? |following an? |for the reference that|since)\b`)
	yearMention     = regexp.MustCompile(`\b(19|20)\d\d\b`)
	personMention   = regexp.MustCompile(`\b\p{Lu}\p{Ll}+\s+(\p{Lu}\.\s+)?\p{Lu}[\p{Ll}’']+`)
	countQuestion   = regexp.MustCompile(`(?i)^(how (many|much|long)|what (number|percentage|amount))\b|\bnumber of\b`)
	numberMention   = regexp.MustCompile(`\b\d[\d,.]*\b|(?i)\b(two|three|four|five|six|seven|eight|nine|ten|dozens?|hundreds?|thousands?|millions?)\b|(?i)\b(several|a few)\s+(hours|days|weeks|months|years)\b`)
)

var definitionQuestion = regexp.MustCompile(`(?i)^\s*(?:what|who)\s+(?:is|are|was|were)\s+(?:the\s+)?([\p{L}\d’'.-]+(?:\s+[\p{L}\d’'.-]+){0,3})\s*\??\s*$`)

// definition returns, for "What is X?", a pattern matching sentences that
// say what X is; nil for other questions.
func definition(question string) *regexp.Regexp {
	m := definitionQuestion.FindStringSubmatch(question)
	if m == nil {
		return nil
	}
	x := regexp.QuoteMeta(m[1])
	return regexp.MustCompile(`(?i)\b` + x + `\b(?:\s*\([^)]*\))?(?:,|\s+(?:is|was|are|were))\s+(?:an?|the)\s`)
}

// KindOf is the kind of answer question asks for.
func KindOf(question string) Kind {
	q := strings.TrimSpace(question)
	if loc := leadWord.FindStringIndex(q); loc != nil {
		q = q[loc[0]:]
	}
	switch {
	case yearQuestion.MatchString(q):
		return KindYear
	case whenQuestion.MatchString(q):
		return KindDate
	case countQuestion.MatchString(q):
		return KindNumber
	case whoQuestion.MatchString(q):
		return KindPerson
	case whyQuestion.MatchString(q):
		return KindReason
	}
	return KindAny
}

// KindWith is KindOf, with nouns (if not nil) to read "which …" and
// "what …" questions by the head of the noun phrase after the question
// word: "which two foreign diplomats did …" and "which analyst thought …"
// ask for persons, "which foreign group …" does not.
func KindWith(question string, nouns NounKinds) Kind {
	k := KindOf(question)
	if k != KindAny || nouns == nil {
		return k
	}
	if head := AskedHead(question, nouns); head != "" && nouns.MainSenseIsA(head, "person") {
		return KindPerson
	}
	return KindAny
}

// AskedHead returns the head of the noun phrase a "which …", "what …",
// "how many …" or "how much …" question asks for, lower-cased: "groups"
// in "how many hacker groups did …", "analyst" in "which analyst thought
// …"; "" when the question word is not followed by one. English noun
// phrases end in their head, so it is the phrase's last word; the phrase
// ends before a function word or a verb ("thought", "said"), though its
// first word may look like a verb ("retired colonel"). nouns may be nil:
// then only function words end the phrase.
func AskedHead(question string, nouns NounKinds) string {
	q := strings.TrimSpace(question)
	if loc := leadWord.FindStringIndex(q); loc != nil {
		q = q[loc[0]:]
	}
	m := whichQuestion.FindStringSubmatch(q)
	if m == nil {
		return ""
	}
	head := ""
	for i, w := range strings.Fields(m[1]) {
		lw := strings.ToLower(strings.TrimSuffix(strings.TrimSuffix(w, "'s"), "’s"))
		acronym := len(w) > 1 && strings.ToUpper(w) == w // "IT expert": no pronoun
		if stopWords[lw] && !acronym || i > 0 && nouns != nil && nouns.MainlyVerb(lw) && !unicode.IsUpper([]rune(w)[0]) {
			break
		}
		head = lw
	}
	return head
}

// whichQuestion is "which", "what", "how many" or "how much" and the
// words after it that may be its noun phrase.
var whichQuestion = regexp.MustCompile(`(?i)^(?:which|what|how\s+many|how\s+much)\s+((?:[\p{L}\d’'-]+\s*){1,5})`)

func hasKind(text string, k Kind) bool {
	switch k {
	case KindDate:
		return len(FindDates(text)) > 0
	case KindYear:
		return yearMention.MatchString(text)
	case KindNumber:
		return numberMention.MatchString(text)
	case KindReason:
		return reasonMention.MatchString(text)
	case KindPerson:
		// A name after the sentence's first word: "…said Adrienne Watson".
		if i := strings.IndexByte(text, ' '); i > 0 {
			return personMention.MatchString(text[i:])
		}
		return false
	}
	return true
}

// Years returns the years (1900–2099) text names, in order.
func Years(text string) []string { return yearMention.FindAllString(text, -1) }

// NameLike returns the runs of two capitalised words in text ("Jane Smith",
// but also "Foreign Ministry"): the candidates for a person's name.
func NameLike(text string) []string { return personMention.FindAllString(text, -1) }

// HasAnswerKind reports whether text holds an answer of kind k.
func HasAnswerKind(text string, k Kind) bool { return hasKind(text, k) }

// kindsOf returns the kinds of answer text holds, one bit per kind: they
// depend on the text only, so the index works them out once per sentence
// instead of running the patterns on every query.
func kindsOf(text string) uint8 {
	var bits uint8
	for k := KindDate; k <= KindReason; k++ {
		if hasKind(text, k) {
			bits |= 1 << k
		}
	}
	for _, d := range FindDates(text) {
		if d.Day > 0 {
			bits |= dayBit // a date to the day answers "when" best
		}
	}
	return bits
}

// dayBit marks, beside the kinds, a sentence with a date to the day.
const dayBit = 1 << KindDay

// SentenceHasAnswerKind reports whether sentence i of passage p holds an
// answer of kind k (KindDay: a date to the day).
func (ix *Index) SentenceHasAnswerKind(p *incidentbot.Passage, i int, k Kind) bool {
	pi, ok := ix.byPassage[p.ID]
	if !ok || i < 0 || i >= len(p.Sentences) {
		return false
	}
	return k == KindAny || ix.sentKinds[int(ix.sentFirst[pi])+i]&(1<<k) != 0
}
