package bot

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// maxContent is Discord's limit on a message's content, in code points.
// Answers are sent as content, not embeds: content renders the same in the
// console, keeps [n] markers selectable, and has one limit to respect
// instead of four (description 4096, 6000 in total, 25 fields, 1024 each).
const maxContent = 2000

// protectedRe matches what a cut must never fall inside: citation markers
// and <links>.
var protectedRe = regexp.MustCompile(`\[\d+\]|<https?://[^>\s]*>`)

// splitText cuts text into pieces of at most limit code points, preferring
// to cut between paragraphs, then lines, then sentences, then words, and
// never inside a [n] marker or a <link>. A sentence keeps the markers that
// follow it.
func splitText(text string, limit int) []string {
	text = strings.TrimSpace(text)
	var parts []string
	for utf8.RuneCountInString(text) > limit {
		cut := cutPoint(text, limit)
		if part := strings.TrimRight(text[:cut], " \t\n"); part != "" {
			parts = append(parts, part)
		}
		text = strings.TrimLeft(text[cut:], " \t\n")
	}
	if text != "" {
		parts = append(parts, text)
	}
	return parts
}

// cutPoint returns the byte offset at which to end the first piece of
// text, which is longer than limit code points.
func cutPoint(text string, limit int) int {
	// end: byte offset just past the limit-th code point.
	end, n := 0, 0
	for i := range text {
		if n == limit {
			end = i
			break
		}
		n++
	}
	window := text[:end]
	spans := protectedRe.FindAllStringIndex(text[:min(len(text), end+256)], -1)
	inside := func(i int) bool {
		for _, s := range spans {
			if s[0] < i && i < s[1] {
				return true
			}
		}
		return false
	}
	ok := func(i, minLen int) bool { return i >= minLen && i <= end && !inside(i) }

	// Paragraphs, then lines: cut after the newline.
	for _, sep := range []string{"\n\n", "\n"} {
		for i := strings.LastIndex(window, sep); i >= 0; i = strings.LastIndex(window[:i], sep) {
			if ok(i+len(sep), end/3) {
				return i + len(sep)
			}
		}
	}
	// Sentences: after a space that follows the end of a sentence (or its
	// markers) and does not precede a marker.
	for i := strings.LastIndexByte(window, ' '); i > 0; i = strings.LastIndexByte(window[:i], ' ') {
		if i+1 < len(text) && text[i+1] == '[' {
			continue
		}
		prev, _ := utf8.DecodeLastRuneInString(strings.TrimRight(window[:i], " "))
		if strings.ContainsRune(`.!?…]"”)`, prev) && ok(i+1, end/3) {
			return i + 1
		}
	}
	// Words.
	for i := strings.LastIndexByte(window, ' '); i > 0; i = strings.LastIndexByte(window[:i], ' ') {
		if ok(i+1, end/4) {
			return i + 1
		}
	}
	// No space at all: cut at the limit, moved back out of a marker.
	cut := end
	for _, s := range spans {
		if s[0] < cut && cut < s[1] && s[0] > 0 {
			cut = s[0]
		}
	}
	return cut
}
