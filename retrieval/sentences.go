package retrieval

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/incidentbot/incidentbot"
)

// Abbreviations whose final period does not end a sentence. Lower-case, without
// the period. Single capital letters (initials: "John F. Kennedy") are handled
// apart.
var abbreviations = map[string]bool{
	"mr": true, "mrs": true, "ms": true, "dr": true, "prof": true, "col": true, "gen": true,
	"lt": true, "sgt": true, "capt": true, "gov": true, "sen": true, "rep": true, "st": true,
	"jr": true, "sr": true, "no": true, "nos": true, "vs": true, "etc": true, "inc": true,
	"ltd": true, "co": true, "corp": true, "approx": true, "fig": true, "e.g": true, "i.e": true,
	"u.s": true, "u.k": true, "u.n": true, "e.u": true, "a.m": true, "p.m": true,
}

func init() {
	for a := range monthAbbreviations { // "Sept. 7"
		abbreviations[a] = true
	}
}

// SplitSentences returns the sentences of text[span] as spans of text, with
// surrounding whitespace trimmed. A sentence ends at ., ! or ? (with any closing
// quotes or brackets) followed by white space and a plausible sentence start,
// unless the period belongs to an abbreviation ("Sept. 7", "U.S.", "Dr.") or
// an initial. Line breaks always end a sentence: in these articles a line is a
// paragraph.
func SplitSentences(text string, span incidentbot.Span) []incidentbot.Span {
	var out []incidentbot.Span
	start := span.Start
	emit := func(end int) {
		s, e := trimSpan(text, start, end)
		if e > s {
			out = append(out, incidentbot.Span{Start: s, End: e})
		}
	}
	for i := span.Start; i < span.End; {
		r, size := utf8.DecodeRuneInString(text[i:])
		if r == '\n' {
			emit(i)
			start = i + size
			i += size
			continue
		}
		if r != '.' && r != '!' && r != '?' {
			i += size
			continue
		}
		// Take the run of terminators and closing quotes/brackets: `."`, `?”`, `.)`.
		j := i + size
		for j < span.End {
			r2, s2 := utf8.DecodeRuneInString(text[j:])
			if strings.ContainsRune(".!?\"'”’)]", r2) {
				j += s2
				continue
			}
			break
		}
		if j >= span.End {
			break
		}
		r2, _ := utf8.DecodeRuneInString(text[j:])
		if !unicode.IsSpace(r2) || r2 == '\n' {
			i = j
			continue
		}
		// Find the next non-space character: the candidate sentence start.
		k := j
		for k < span.End {
			r3, s3 := utf8.DecodeRuneInString(text[k:])
			if !unicode.IsSpace(r3) || r3 == '\n' {
				break
			}
			k += s3
		}
		if k >= span.End {
			break
		}
		next, _ := utf8.DecodeRuneInString(text[k:])
		if r == '.' && isAbbreviation(text[span.Start:i]) {
			i = j
			continue
		}
		if !startsSentence(next) {
			i = j
			continue
		}
		emit(j)
		start = j
		i = j
	}
	emit(span.End)
	return out
}

// isAbbreviation reports whether the word just before a period (the end of
// before) is an abbreviation or an initial.
func isAbbreviation(before string) bool {
	w := before
	if idx := strings.LastIndexFunc(before, func(r rune) bool { return unicode.IsSpace(r) || r == '(' || r == '“' || r == '"' }); idx >= 0 {
		_, size := utf8.DecodeRuneInString(before[idx:])
		w = before[idx+size:]
	}
	if w == "" {
		return false
	}
	if utf8.RuneCountInString(w) == 1 {
		r, _ := utf8.DecodeRuneInString(w)
		return unicode.IsUpper(r) // an initial
	}
	return abbreviations[strings.ToLower(w)]
}

func startsSentence(r rune) bool {
	return unicode.IsUpper(r) || unicode.IsDigit(r) || strings.ContainsRune("\"“‘'([", r)
}

func trimSpan(text string, s, e int) (int, int) {
	for s < e {
		r, size := utf8.DecodeRuneInString(text[s:])
		if !unicode.IsSpace(r) {
			break
		}
		s += size
	}
	for e > s {
		r, size := utf8.DecodeLastRuneInString(text[:e])
		if !unicode.IsSpace(r) {
			break
		}
		e -= size
	}
	return s, e
}
