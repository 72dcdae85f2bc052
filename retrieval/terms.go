package retrieval

import (
	"strings"
	"sync"
	"sync/atomic"
	"unicode"

	"github.com/kljensen/snowball/english"
	"golang.org/x/text/unicode/norm"
)

// Terms turns text into BM25 terms: lower-cased, accents folded ("Liçaj" and
// "Licaj" match), English stop words dropped, Snowball-stemmed so
// "sheltering" finds "shelter", month abbreviations spelled out ("Sept." = "September"),
// ordinals reduced ("8th" = "8"), and hyphenated or glued compounds indexed
// both whole and in parts ("cyber-attack" = "cyberattack" = "cyber attack").
func Terms(text string) []string {
	var out []string
	for _, w := range words(text) {
		out = appendTerm(out, w)
	}
	return out
}

func appendTerm(out []string, w string) []string {
	if strings.Contains(w, "-") {
		parts := strings.Split(w, "-")
		joined := strings.Join(parts, "")
		for _, p := range parts {
			out = appendTerm(out, p)
		}
		if len(parts) > 1 && joined != "" {
			out = appendTerm(out, joined)
		}
		return out
	}
	if w == "" || stopWords[w] {
		return out
	}
	if m, ok := monthAbbreviations[w]; ok {
		return append(out, stem(strings.ToLower(m.String())))
	}
	if n := strings.TrimRight(w, "stndrh"); n != w && n != "" && IsDigits(n) && len(w)-len(n) == 2 {
		return append(out, n) // 8th, 21st, 2nd, 3rd
	}
	for _, prefix := range []string{"cyber"} {
		if strings.HasPrefix(w, prefix) && len(w) > len(prefix)+2 {
			out = append(out, prefix)
			out = append(out, stem(w[len(prefix):]))
		}
	}
	return append(out, stem(w))
}

// words splits text into lower-case words of letters, digits and inner
// hyphens; possessive 's is dropped.
func words(text string) []string {
	text = foldAccents(strings.ToLower(text))
	var (
		out []string
		b   strings.Builder
	)
	flush := func() {
		w := strings.Trim(b.String(), "-")
		w = strings.TrimSuffix(w, "'s")
		w = strings.Trim(w, "'")
		if w != "" {
			out = append(out, w)
		}
		b.Reset()
	}
	for _, r := range text {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		case r == '-':
			b.WriteRune('-')
		case r == '\'' || r == '’':
			b.WriteRune('\'')
		default:
			flush()
		}
	}
	flush()
	return out
}

// FoldAccents is s with its letters' accents removed ("é" → "e").
func FoldAccents(s string) string { return foldAccents(s) }

func foldAccents(s string) string {
	d := norm.NFKD.String(s)
	var b strings.Builder
	b.Grow(len(d))
	for _, r := range d {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		switch r {
		case 'đ':
			r = 'd'
		case 'ł':
			r = 'l'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// IsDigits reports whether s is a number written in ASCII digits alone.
func IsDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// stem reduces a word to its Snowball (Porter2) English stem, so
// "sheltering" finds "shelter" and "expelled" finds "expel". Numbers and
// words of three letters or fewer are kept whole.
func stem(w string) string {
	if len(w) <= 3 || IsDigits(w) {
		return w
	}
	if s, ok := stems.Load(w); ok {
		return s.(string)
	}
	s := english.Stem(w, false)
	// Snowball is the slowest step of reading text: stems are kept, up to
	// a bound, since users can type any number of new words.
	if stemCount.Add(1) <= maxStems {
		stems.Store(w, s)
	}
	return s
}

var (
	stems     sync.Map // word → stem
	stemCount atomic.Int64
)

const maxStems = 1 << 19

// IsStopWord reports whether w (lower-case) is an English stop word,
// which Terms drops.
func IsStopWord(w string) bool { return stopWords[w] }

var stopWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`a an and are as at be been but by did do does for from had has have he her his how
	i if in into is it its itself me my of on or our she so than that the their them then there these they this those
	to too us was we were what when where which while who whom whose why will with would you your about after all also
	any can could during each just more most no not only other over own same should some such up very s t can't don't
	 ever tell know did does doing being am many much`) {
		m[w] = true
	}
	return m
}()
