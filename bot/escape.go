package bot

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// What a user typed comes back in what the bot shows: the question above
// an answer, the query of /sources, an unknown topic or command, the name
// of the thread opened on a mention, the console's output. All of it goes
// through userText, so that it reads as the user's words and nothing more:
// no masked link, spoiler, heading, code block or mention of the user's
// making in a message the bot posts, no terminal escape in the console.

// shownAs says where user text is shown.
type shownAs int

const (
	// asMarkdown: message content, which Discord renders as markdown with
	// mentions.
	asMarkdown shownAs = iota
	// asName: a thread name, which Discord shows as plain text; mention
	// syntax is left out (it would show raw).
	asName
	// asPlain: a terminal (the console, command-line reports).
	asPlain
)

// userText makes s, something a user typed, safe to show as part of the
// bot's own output: control characters and terminal escapes removed,
// whitespace folded to single spaces, cut to limit code points (0: no
// limit), then, for message content, markdown and mention syntax escaped.
func userText(s string, as shownAs, limit int) string {
	s = oneLine(stripControls(s, false))
	if as == asName {
		s = oneLine(mentionMarkupRe.ReplaceAllString(s, ""))
	}
	if limit > 0 {
		s = clip(s, limit) // before escaping, so a cut never splits an escape
	}
	if as == asMarkdown {
		s = escapeMarkdown(s)
	}
	return s
}

// mentionMarkupRe matches user, role and channel mentions and
// @everyone/@here.
var mentionMarkupRe = regexp.MustCompile(`<(?:@[!&]?|#)\d+>|@everyone|@here`)

// ansiRe matches terminal escape sequences: CSI (colours, cursor moves),
// OSC (window titles, hyperlinks), DCS/SOS/PM/APC strings, and the
// two-character escapes.
var ansiRe = regexp.MustCompile("\x1b(?:\\[[0-?]*[ -/]*[@-~]?|\\][^\x07\x1b]*(?:\x07|\x1b\\\\)?|[PX^_][^\x1b]*(?:\x1b\\\\)?|[ -~])")

// stripControls removes terminal escape sequences and control characters:
// C0 (tab and newline become spaces, or stay with keepNewlines), DEL, C1,
// and the bidirectional overrides and isolates, which would make the text
// around them read in another order than it was written. Invalid UTF-8
// becomes U+FFFD.
func stripControls(s string, keepNewlines bool) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if strings.IndexByte(s, 0x1b) >= 0 {
		s = ansiRe.ReplaceAllString(s, "")
	}
	clean := true
	for _, r := range s {
		if isStripped(r) || (!keepNewlines && unicode.IsSpace(r) && r != ' ') {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r == '\n' || r == '\t':
			if keepNewlines {
				b.WriteRune(r)
			} else {
				b.WriteByte(' ')
			}
		case r == '\r' || r == '\v' || r == '\f':
			if !keepNewlines {
				b.WriteByte(' ')
			}
		case isStripped(r):
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func isStripped(r rune) bool {
	if r == '\n' || r == '\t' {
		return false
	}
	return unicode.IsControl(r) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069)
}

// urlRe finds the web addresses Discord would turn into links.
var urlRe = regexp.MustCompile(`https?://[^\s<>]+`)

// escapeMarkdown escapes what Discord would render in s, which is one
// line: each markdown character gets a backslash (so `**`, `||`, "```",
// `[x](y)`, `# `, `> ` and `<@id>` show as typed), an @ that would start a
// mention gets a zero-width space after it (as discord.py's
// escape_mentions does), and a web address is put in angle brackets: it
// stays a link showing where it goes, with no preview, and nothing in it
// is read as markdown.
func escapeMarkdown(s string) string {
	var b strings.Builder
	b.Grow(len(s) + len(s)/4)
	at := 0
	for _, loc := range urlRe.FindAllStringIndex(s, -1) {
		start, end := loc[0], trimURL(s[loc[0]:loc[1]])+loc[0]
		escapeText(&b, s[at:start], at == 0)
		b.WriteString("<" + strings.NewReplacer("@everyone", "@\u200beveryone", "@here", "@\u200bhere").Replace(s[start:end]) + ">")
		at = end
	}
	escapeText(&b, s[at:], at == 0)
	return b.String()
}

// trimURL returns the length of the address at the start of u without the
// punctuation that ends the sentence around it (a closing parenthesis only
// when it closes nothing in the address).
func trimURL(u string) int {
	for len(u) > 0 {
		r, size := utf8.DecodeLastRuneInString(u)
		switch {
		case strings.ContainsRune(`.,:;!?'"*_~|`+"`", r):
		case r == ')' && strings.Count(u, "(") < strings.Count(u, ")"):
		case r == ']' && strings.Count(u, "[") < strings.Count(u, "]"):
		default:
			return len(u)
		}
		u = u[:len(u)-size]
	}
	return 0
}

// markdownChars are escaped wherever they stand.
const markdownChars = "\\*_~`|<>[]#"

func escapeText(b *strings.Builder, s string, lineStart bool) {
	// At the start of a line, "- " and "+ " make a list, "-# " small
	// print, "1. " a numbered list.
	if lineStart {
		switch {
		case strings.HasPrefix(s, "-") || strings.HasPrefix(s, "+"):
			b.WriteByte('\\')
		default:
			if i := strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' }); i > 0 && s[i] == '.' {
				b.WriteString(s[:i] + `\`)
				s = s[i:]
			}
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case strings.IndexByte(markdownChars, c) >= 0:
			b.WriteByte('\\')
			b.WriteByte(c)
		case c == '@' && startsMention(s[i+1:]):
			b.WriteString("@\u200b")
		default:
			b.WriteByte(c)
		}
	}
}

// startsMention reports whether an @ followed by rest would be read as a
// mention: @everyone, @here, or the inside of <@id>, <@!id>, <@&id>.
func startsMention(rest string) bool {
	if strings.HasPrefix(rest, "everyone") || strings.HasPrefix(rest, "here") {
		return true
	}
	return rest != "" && (rest[0] == '!' || rest[0] == '&' || (rest[0] >= '0' && rest[0] <= '9'))
}

var (
	escapedRe    = regexp.MustCompile(`\\([!-/:-@\[-` + "`" + `{-~])`)
	wrappedURLRe = regexp.MustCompile(`<(https?://[^\s<>]+)>`)
)

// unescapeMarkdown undoes escapeMarkdown, to read a question back from a
// message the bot wrote.
func unescapeMarkdown(s string) string {
	s = wrappedURLRe.ReplaceAllString(s, "$1")
	s = escapedRe.ReplaceAllString(s, "$1")
	return strings.ReplaceAll(s, "@\u200b", "@")
}
