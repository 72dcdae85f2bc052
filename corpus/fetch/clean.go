package fetch

import (
	"regexp"
	"strings"
)

// Line-level debris: what survives the HTML clean-up because it is plain
// text inside the article's container. The patterns follow what the seed
// articles carry (corpus/debris.go decides what may be cited in a file; this
// keeps such lines out of new files altogether).
var (
	navLine = regexp.MustCompile(`(?i)^(\d+\.\s*)?(skip to|skip next section|go to homepage|back to top|share (on|this|via)|follow us|subscribe\b|sign up\b|advertisement\b|print this|email this)`)
	// An inline promotion in the middle of the text: drop the line only.
	promoLine = regexp.MustCompile(`(?i)^(read (more|also|next)|also read|related|see also|watch)\s*:`)
	// A heading that starts the other-stories block: everything after it goes.
	tailHeading = regexp.MustCompile(`(?i)^(skip next section\b.*|related (stories|articles|topics|content|coverage)|more (stories|news|articles)( from .*)?|read more|dw's top story|top stor(y|ies)|explore more|you (may|might) also (like|be interested in)|recommended( for you| stories)?|most (read|popular|viewed)|latest (news|stories))$`)
	copyright   = regexp.MustCompile(`(?i)^(©|\(c\)\s|copyright\b)|©\s*\d{4}|all rights reserved`)
	// A photo credit, alone or glued to the end of a caption:
	// "…cut tiesImage: Franc Zhurda/AP/picture alliance".
	credit      = regexp.MustCompile(`\s*\(?(Image|Photo|Photograph|Picture|Credit|Foto|Bild)s?( by)?: ?[^\n]{1,120}$|\s*\((Photo|Image)s?( by)? [^()]{1,80}\)$`)
	creditAlone = regexp.MustCompile(`(?i)^(\(?(AP|AFP|Reuters|Getty Images|EPA|picture alliance|dpa)\b[^.]*\)?|photo:.*)$`)
)

// clean drops debris lines from the article's paragraphs, cuts photo credits
// off captions, stops at the related-stories block and returns the text,
// one paragraph per line with a blank line between.
func clean(paras []string) string {
	var out []string
	for _, p := range paras {
		if tailHeading.MatchString(p) {
			break
		}
		if navLine.MatchString(p) || promoLine.MatchString(p) || copyright.MatchString(p) || creditAlone.MatchString(p) {
			continue
		}
		p = cutCredit(p)
		if p == "" || len(out) > 0 && out[len(out)-1] == p {
			continue
		}
		out = append(out, p)
	}
	if len(out) == 0 {
		return ""
	}
	return strings.Join(out, "\n\n") + "\n"
}

// cutCredit removes a photo credit from the end of a line. A credit is short
// and holds no sentence break; the caption before it stays, verbatim.
func cutCredit(p string) string {
	loc := credit.FindStringIndex(p)
	if loc == nil {
		return p
	}
	c := p[loc[0]:]
	if strings.Contains(c, ". ") || strings.Contains(c, "? ") || strings.Contains(c, "! ") {
		return p // a sentence that happens to say "Photo:", not a credit
	}
	return strings.TrimRight(p[:loc[0]], " \t")
}
