package bot

import (
	"strings"
	"testing"
)

func TestUserText(t *testing.T) {
	for _, tc := range []struct {
		in   string
		as   shownAs
		want string
	}{
		{"[click here](https://evil.example/login)", asMarkdown, `\[click here\](<https://evil.example/login>)`},
		{"||spoiler||", asMarkdown, `\|\|spoiler\|\|`},
		{"```go\nrm -rf /", asMarkdown, "\\`\\`\\`go rm -rf /"},
		{"# big\n## bigger", asMarkdown, `\# big \#\# bigger`},
		{"-# small", asMarkdown, `\-\# small`},
		{"1. first", asMarkdown, `1\. first`},
		{"> quoted", asMarkdown, `\> quoted`},
		{"**b** __u__ ~~s~~ `c` a\\b", asMarkdown, "\\*\\*b\\*\\* \\_\\_u\\_\\_ \\~\\~s\\~\\~ \\`c\\` a\\\\b"},
		{"<@12> <@!12> <@&34> <#56>", asMarkdown, "\\<@\u200b12\\> \\<@\u200b!12\\> \\<@\u200b&34\\> \\<\\#56\\>"},
		{"@everyone @here me@example.org", asMarkdown, "@\u200beveryone @\u200bhere me@example.org"},
		{"see https://en.wikipedia.org/wiki/Foo_(bar).", asMarkdown, "see <https://en.wikipedia.org/wiki/Foo_(bar)>."},
		{"a\x00b\x1b[31mc\x1b[0m\x1b]0;title\x07d\x7fe\u202ef\u0085g\r\nh\tend", asMarkdown, "abcdefg h end"},
		{"Why? <@12> @everyone\x1b[2J **now**", asName, "Why? **now**"},
		{"\x1b[31mred\x1b[0m\tand\nmore", asPlain, "red and more"},
		{"bad utf8 \xff!", asPlain, "bad utf8 \uFFFD!"},
	} {
		if got := userText(tc.in, tc.as, 0); got != tc.want {
			t.Errorf("userText(%q, %d)\n got %q\nwant %q", tc.in, tc.as, got, tc.want)
		}
	}
	// The cut comes before the escapes, so it never splits one.
	if got := userText(strings.Repeat("*", 50), asMarkdown, 10); got != strings.Repeat(`\*`, 9)+"…" {
		t.Errorf("clipped: %q", got)
	}
	if got := stripControls("keep\nnew\tlines\x1b[1m\x00", true); got != "keep\nnew\tlines" {
		t.Errorf("stripControls with newlines: %q", got)
	}
}

func TestUnescapeMarkdownReadsTheQuestionBack(t *testing.T) {
	for _, q := range []string{
		"Who attacked Albania? [click](https://evil.example/x) ||s|| <@12> @everyone `x` # h a\\b",
		"<https://x.org>", "1. first", "-# small",
	} {
		if got := unescapeMarkdown(userText(q, asMarkdown, 0)); got != q {
			t.Errorf("round trip of %q gave %q", q, got)
		}
	}
}
