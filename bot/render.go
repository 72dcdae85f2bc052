package bot

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/incidentbot/incidentbot"
)

// Rendering limits. Long quotes are cut in the answer message; the "show
// sources" button sends them whole.
const (
	quoteLimit   = 280 // code points of a quote shown under an answer
	passageLimit = 450 // code points of a passage shown by /sources
	echoLimit    = 300 // code points of the question repeated above an answer
)

const refusalText = "I couldn't find an answer to that in the articles I have."

// renderAnswer renders an answer with its numbered sources. echo, when not
// empty, is the question, repeated above the answer (a slash command's
// options are not shown with its reply). trimmed reports that a quote was
// shortened, so a full source list is worth offering.
func renderAnswer(a *incidentbot.Answer, echo string) (text string, trimmed bool) {
	var b strings.Builder
	if echo = userText(echo, asMarkdown, echoLimit); echo != "" {
		fmt.Fprintf(&b, "**Q:** %s\n\n", echo)
	}
	body := strings.TrimSpace(a.Text)
	if a.Refused && body == "" {
		body = refusalText
	}
	b.WriteString(body)
	b.WriteString("\n")
	if a.Notice != "" {
		fmt.Fprintf(&b, "\n*Note:* %s\n", strings.TrimSpace(a.Notice))
	}
	switch {
	case len(a.Citations) > 0 && a.Mode != incidentbot.ModeLLM:
		// The answer is the quotes: the sources say where each stands,
		// not the same words again.
		b.WriteString("\n**Sources**\n")
		b.WriteString(renderCitationContext(a.Citations))
		trimmed = true
	case len(a.Citations) > 0:
		src, t := renderCitations(a.Citations, quoteLimit)
		b.WriteString("\n**Sources**\n")
		b.WriteString(src)
		trimmed = t
	case a.Refused && len(a.Closest) > 0:
		src, t := renderCitations(a.Closest, quoteLimit)
		b.WriteString("\n**Closest sources** (related passages; they do not answer the question)\n")
		b.WriteString(src)
		trimmed = t
	}
	return strings.TrimRight(b.String(), "\n"), trimmed
}

// renderSourceList renders citations with their quotes whole, for the
// "show sources" button.
func renderSourceList(a *incidentbot.Answer) string {
	cites, head := a.Citations, "**Sources**"
	if len(cites) == 0 {
		cites, head = a.Closest, "**Closest sources** (related passages; they do not answer the question)"
	}
	if len(cites) == 0 {
		return "This answer has no sources."
	}
	src, _ := renderCitations(cites, 0)
	return head + "\n" + strings.TrimRight(src, "\n")
}

// renderCitations renders numbered sources; limit > 0 cuts quotes longer
// than that.
func renderCitations(cites []incidentbot.Citation, limit int) (string, bool) {
	var b strings.Builder
	trimmed := false
	for _, c := range cites {
		fmt.Fprintf(&b, "**[%d]** %s\n", c.N, sourceLine(c.Title, c.Doc, c.Outlet, c.Date, c.Added))
		q := oneLine(c.Quote)
		if limit > 0 && utf8.RuneCountInString(q) > limit {
			q, trimmed = clip(q, limit), true
		}
		switch {
		case q == "":
		case strings.ContainsRune(`"“”‘'`, []rune(q)[0]):
			fmt.Fprintf(&b, "> %s\n", q) // already in quotation marks
		default:
			fmt.Fprintf(&b, "> “%s”\n", q)
		}
		if c.URL != "" {
			fmt.Fprintf(&b, "<%s>\n", c.URL)
		}
	}
	return b.String(), trimmed
}

// renderCitationContext renders numbered sources of a quoted answer: the
// article and the words around the quote, which the answer already shows.
func renderCitationContext(cites []incidentbot.Citation) string {
	var b strings.Builder
	for _, c := range cites {
		fmt.Fprintf(&b, "**[%d]** %s\n", c.N, sourceLine(c.Title, c.Doc, c.Outlet, c.Date, c.Added))
		before, after := oneLine(c.Before), oneLine(c.After)
		if before != "" || after != "" {
			fmt.Fprintf(&b, "> %s ⟨[%d]⟩ %s\n", before, c.N, after)
		}
		if c.URL != "" {
			fmt.Fprintf(&b, "<%s>\n", c.URL)
		}
	}
	return b.String()
}

// sourceLine is "*Title* — Outlet, 2022-09-16", leaving out what is unknown.
func sourceLine(title, doc, outlet, date, added string) string {
	if title == "" {
		title = doc
	}
	line := "*" + oneLine(title) + "*"
	if by := incidentbot.Byline(outlet, date); by != "" {
		line += " — " + by
	}
	if added != "" {
		line += " · added " + added
	}
	return line
}

// renderSearch renders /sources results.
func renderSearch(query string, hits []incidentbot.Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "**Top passages for:** %s\n", userText(query, asMarkdown, echoLimit))
	if len(hits) == 0 {
		b.WriteString("\nNothing in the articles matches that.")
		return b.String()
	}
	for i, h := range hits {
		a := h.Article
		fmt.Fprintf(&b, "\n**%d.** %s\n", i+1, sourceLine(a.Title, a.ID, a.Outlet, a.DateString(), a.AddedString()))
		fmt.Fprintf(&b, "> %s\n", clip(oneLine(h.Passage.Text), passageLimit))
		if a.URL != "" {
			fmt.Fprintf(&b, "<%s>\n", a.URL)
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

// renderTimeline renders dated events and their sources under title.
func renderTimeline(t *incidentbot.Timeline, title string) (string, bool) {
	var b strings.Builder
	b.WriteString("**" + title + "**\n")
	if len(t.Events) == 0 {
		b.WriteString("\nThe articles give no dated events.")
		return b.String(), false
	}
	for _, e := range t.Events {
		fmt.Fprintf(&b, "**%s** — %s\n", e.Date, strings.TrimSpace(e.Text))
	}
	trimmed := false
	if len(t.Citations) > 0 {
		src, tr := renderCitations(t.Citations, quoteLimit)
		b.WriteString("\n**Sources**\n")
		b.WriteString(src)
		trimmed = tr
	}
	return strings.TrimRight(b.String(), "\n"), trimmed
}

// parseRendered recovers question and answer from an answer message as
// renderAnswer wrote it.
func parseRendered(content string) (question, answerText string) {
	body := content
	if rest, ok := strings.CutPrefix(body, "**Q:** "); ok {
		question, body, _ = strings.Cut(rest, "\n\n")
		question = unescapeMarkdown(question)
	}
	for _, h := range []string{"\n**Sources**", "\n**Closest sources**", "\n*Note:*"} {
		if i := strings.Index(body, h); i >= 0 {
			body = body[:i]
		}
	}
	return question, strings.TrimSpace(body)
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

// oneLine folds whitespace, newlines included, to single spaces.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// clip cuts s to at most n code points, at a word boundary when there is
// one close by, and marks the cut with "…".
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	cut, count := 0, 0
	for i := range s {
		if count == n-1 {
			cut = i
			break
		}
		count++
	}
	head := s[:cut]
	if i := strings.LastIndexByte(head, ' '); i > len(head)*2/3 {
		head = head[:i]
	}
	return strings.TrimRight(head, " ,;:") + "…"
}
