package bot_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/incidentbot/incidentbot/bot"
	"github.com/incidentbot/incidentbot/bot/discordtest"
	"github.com/incidentbot/incidentbot/internal/wiring"
)

// hostile holds every construct a user could type to make the bot post
// markup of their choosing, after a question the answerer can answer.
const hostile = "Who attacked Albania? [click here](https://evil.example/login) ||spoiler|| **bold** __under__ ~~strike~~ `code` " +
	"# heading -# small > quote <@1400000000000000001> <@!1400000000000000001> <@&1500000000000000001> <#1300000000000000001> " +
	"@everyone @here nul\x00 esc\x1b[31mred\x1b[0m del\x7f title\x1b]0;owned\x07 ```unclosed fence"

var (
	// A masked link: [text](target) whose [ is not escaped.
	maskedLinkRe = regexp.MustCompile(`(^|[^\\])\[[^\]]*\]\(`)
	// A markdown character that would be read as markup: not escaped.
	unescapedRe = regexp.MustCompile("(^|[^\\\\])(\\|\\||\\*|_|~|`|#|>)")
	mentionRe   = regexp.MustCompile(`<@[!&]?\d+>|<#\d+>|@everyone|@here`)
)

// checkEchoIsInert checks one line of the bot's output that repeats the
// hostile question.
func checkEchoIsInert(tb testing.TB, where, line string) {
	tb.Helper()
	_, line, _ = strings.Cut(line, ":** ") // the bot's own "**Q:** " is markdown
	if maskedLinkRe.MatchString(line) {
		tb.Errorf("%s: a working masked link: %q", where, line)
	}
	// What is left once the link (shown honestly, in angle brackets) is
	// taken out must have every markdown character escaped.
	rest := strings.Replace(line, "<https://evil.example/login>", "", 1)
	if m := unescapedRe.FindString(rest); m != "" {
		tb.Errorf("%s: unescaped %q in %q", where, m, line)
	}
	if m := mentionRe.FindString(line); m != "" {
		tb.Errorf("%s: mention syntax %q survives in %q", where, m, line)
	}
	if strings.ContainsAny(line, "\x00\x1b\x7f\x07") {
		tb.Errorf("%s: control characters survive in %q", where, line)
	}
	for _, want := range []string{`\[click here\]`, `\|\|spoiler\|\|`, "\\`\\`\\`unclosed fence", "<https://evil.example/login>", `\# heading`} {
		if !strings.Contains(line, want) {
			tb.Errorf("%s: %q lacks %q", where, line, want)
		}
	}
}

// lineWith returns the first line of content starting with prefix.
func lineWith(tb testing.TB, content, prefix string) string {
	tb.Helper()
	for _, l := range strings.Split(content, "\n") {
		if strings.HasPrefix(l, prefix) {
			return l
		}
	}
	tb.Fatalf("no line starting %q in:\n%s", prefix, content)
	return ""
}

func TestUserInputIsNotRenderedAsMarkup(t *testing.T) {
	t.Parallel()
	h := start(t, setup{})

	rec := h.answered(h.ask(hostile).ID)
	content := rec.Original.Content
	checkEchoIsInert(t, "/ask", lineWith(t, content, "**Q:** "))
	// The unclosed fence swallows nothing: the answer and its sources
	// come after it as markdown.
	if strings.Count(content, "```") != 0 || !strings.Contains(content, "\n\n**Sources**\n**[1]** *") {
		t.Errorf("the answer after the echo is not intact:\n%s", content)
	}

	src := h.send(discordtest.SlashCommand("sources", discordtest.StringOption("query", hostile)))
	srec := h.replied(src.ID, "**Top passages for:**")
	checkEchoIsInert(t, "/sources", lineWith(t, srec.Original.Content, "**Top passages for:** "))

	// A mention opens a thread named after the question: plain text, no
	// control characters, no mention syntax.
	msg := discordtest.UserMessage(hostile).MentioningBot()
	if err := h.srv.SendMessage(msg); err != nil {
		t.Fatal(err)
	}
	th, _ := threadAnswer(t, h, msg.ID)
	if strings.ContainsAny(th.Name, "\x00\x1b\x7f\x07\n") || mentionRe.MatchString(th.Name) || !strings.HasPrefix(th.Name, "Who attacked Albania? [click here]") {
		t.Errorf("thread name %q", th.Name)
	}

	// Nothing the bot wrote pinged anyone or carried the raw constructs.
	checkSafeWrites(t, h.srv)
	for _, w := range h.srv.Writes() {
		if w.Content != nil && (strings.Contains(*w.Content, "[click here](") || strings.ContainsAny(*w.Content, "\x00\x1b")) {
			t.Errorf("%s wrote %q", w.Route, *w.Content)
		}
	}
}

func TestConsoleStripsTerminalEscapes(t *testing.T) {
	t.Parallel()
	store := sharedStore(t)
	in := strings.NewReader("/ask " + hostile + "\n/sources " + hostile + "\n")
	var out strings.Builder
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := bot.Console(ctx, in, &out, bot.ConsoleOptions{Answerer: newHooked(t), Library: wiring.Library(store), Refresher: refresherFor(t, store), About: builtIn()}); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	if strings.ContainsAny(got, "\x00\x1b\x7f\x07") {
		t.Errorf("terminal escapes reach the console:\n%q", got)
	}
	checkEchoIsInert(t, "console /ask", lineWith(t, got, "**Q:** "))
	checkEchoIsInert(t, "console /sources", lineWith(t, got, "**Top passages for:** "))
}
