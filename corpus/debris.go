package corpus

import (
	"regexp"
	"strings"

	"github.com/incidentbot/incidentbot"
)

// Articles saved from web pages carry text that is not the article: site
// navigation, photo captions with their credits, headings, related-story
// tails, copyright lines. The files keep it (their text stays exactly as
// published), but only prose can be cited, so the loader decides here which
// lines are prose.
//
// A line is prose when it ends a sentence (., !, ?, or a closing quote or
// bracket after one). That one rule drops headings, bylines, datelines,
// captions and navigation, which never end with sentence punctuation. The
// patterns below catch debris that happens to end like a sentence.
var (
	navigationLine = regexp.MustCompile(`(?i)^\s*(\d+\.\s*)?(skip to|skip next section|go to homepage|share on|follow us|subscribe|advertisement)\b`)
	creditedPhoto  = regexp.MustCompile(`Image: |Photo: |Photo:$|\(Photo[: ]|Photograph: `)
	copyrightLine  = regexp.MustCompile(`(?i)copyright|all rights reserved|©`)
	// Everything after a page's "more stories" block belongs to other stories.
	tailStart = regexp.MustCompile(`(?i)^\s*(skip next section|related (stories|articles)|more stories|read more|dw's top story)`)
	proseEnd  = regexp.MustCompile(`[.!?…]["'”’)\]]*\s*$|[.!?]\s*["'”’]\s*$`)
)

// CitableSpans returns the byte ranges of text (an article body) that are
// prose and may be cited, one per line, in order.
func CitableSpans(text string) []incidentbot.Span {
	var spans []incidentbot.Span
	pos := 0
	for pos < len(text) {
		end := strings.IndexByte(text[pos:], '\n')
		if end < 0 {
			end = len(text)
		} else {
			end += pos
		}
		line := text[pos:end]
		if tailStart.MatchString(line) {
			break
		}
		start := pos + len(line) - len(strings.TrimLeft(line, " \t"))
		if isProse(line) {
			stop := pos + len(strings.TrimRight(line, " \t"))
			spans = append(spans, incidentbot.Span{Start: start, End: stop})
		} else if caption, ok := captionBeforeCredit(line); ok {
			spans = append(spans, incidentbot.Span{Start: start, End: pos + len(caption)})
		}
		pos = end + 1
	}
	return spans
}

// captionBeforeCredit returns the caption of a photo-caption line with its
// credit glued on ("…cut tiesImage: Franc Zhurda/AP/picture alliance"): the
// caption is the outlet's own words and may be cited; the credit never.
func captionBeforeCredit(line string) (string, bool) {
	i := strings.Index(line, "Image: ")
	if i < 0 || strings.Contains(line[i:], ".") && !strings.Contains(line[i:], "/") {
		return "", false
	}
	caption := strings.TrimRight(line[:i], " \t")
	if len(strings.Fields(caption)) < 6 || navigationLine.MatchString(caption) || copyrightLine.MatchString(caption) {
		return "", false
	}
	return caption, true
}

func isProse(line string) bool {
	l := strings.TrimSpace(line)
	if len(strings.Fields(l)) < 4 {
		return false
	}
	return proseEnd.MatchString(l) && !navigationLine.MatchString(l) && !creditedPhoto.MatchString(l) && !copyrightLine.MatchString(l)
}
