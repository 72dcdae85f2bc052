package retrieval

import (
	"regexp"
	"strings"
)

// The kind of answer a question asks for. On this corpus many passages
// share a question's words; the one that answers it also holds a date, a
// number or a name.
type kind int

const (
	anyKind kind = iota
	dateKind
	numberKind
)

var (
	whenQuestion  = regexp.MustCompile(`(?i)^\s*(\w+\W+){0,3}?(when|what (day|date|month|year|time)|which (day|date|month|year)|since when|how long ago)\b`)
	countQuestion = regexp.MustCompile(`(?i)\b(how (many|much|long)|what (number|percentage|amount)|number of)\b`)
	dateMention   = regexp.MustCompile(`(?i)\b(january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)\.?\s+\d{1,2}(st|nd|rd|th)?\b|\b\d{1,2}(st|nd|rd|th)?\s+(january|february|march|april|may|june|july|august|september|october|november|december|sept?|jul)\b|\b(19|20)\d\d\b`)
	numberMention = regexp.MustCompile(`\b\d[\d,.]*\b|(?i)\b(two|three|four|five|six|seven|eight|nine|ten|dozens?|hundreds?|thousands?|millions?)\b`)
)

func answerKind(question string) kind {
	q := strings.TrimSpace(question)
	switch {
	case whenQuestion.MatchString(q):
		return dateKind
	case countQuestion.MatchString(q):
		return numberKind
	}
	return anyKind
}

func hasKind(text string, k kind) bool {
	switch k {
	case dateKind:
		return dateMention.MatchString(text)
	case numberKind:
		return numberMention.MatchString(text)
	}
	return true
}
