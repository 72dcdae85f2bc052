package retrieval

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/incidentbot/incidentbot"
	"github.com/incidentbot/incidentbot/corpus"
)

// Passage sizes in words. USE-Lite reads at most 128 tokens (about 95 words of
// news English), so passages stay under MaxWords; a single longer sentence
// stays whole rather than being cut.
const (
	TargetWords = 60
	MaxWords    = 95
)

// Chunk splits an article's citable prose into passages of whole sentences.
// Consecutive prose lines are packed together; a non-prose line between them
// (a heading, a caption) ends a passage, so a passage never spans debris.
func Chunk(a *incidentbot.Article) []*incidentbot.Passage {
	var (
		out     []*incidentbot.Passage
		cur     []incidentbot.Span
		words   int
		prevEnd = -1
		heading string
	)
	flush := func() {
		if len(cur) == 0 {
			return
		}
		p := &incidentbot.Passage{
			ID:        fmt.Sprintf("%s#%d", a.ID, len(out)),
			ArticleID: a.ID,
			Start:     cur[0].Start,
			End:       cur[len(cur)-1].End,
			Sentences: cur,
			Heading:   heading,
		}
		p.Text = a.Text[p.Start:p.End]
		p.Hash = Hash(p.Text)
		out = append(out, p)
		cur, words = nil, 0
	}
	for _, line := range corpus.CitableSpans(a.Text) {
		if gap := a.Text[max(prevEnd, 0):line.Start]; prevEnd < 0 || strings.TrimSpace(gap) != "" {
			flush() // something that is not prose lies between
			if h := lastHeading(gap); h != "" {
				heading = h
			}
		}
		prevEnd = line.End
		for _, s := range SplitSentences(a.Text, line) {
			n := len(strings.Fields(a.Text[s.Start:s.End]))
			if len(cur) > 0 && (words >= TargetWords || words+n > MaxWords) {
				flush()
			}
			cur = append(cur, s)
			words += n
		}
	}
	flush()
	return out
}

// lastHeading returns the last line of gap (the non-prose text between two
// runs of prose) that reads as a section heading: a short line with no
// sentence punctuation at its end, set off by blank lines.
func lastHeading(gap string) string {
	paras := strings.Split(gap, "\n\n")
	for i := len(paras) - 1; i >= 0; i-- {
		p := strings.TrimSpace(paras[i])
		if p == "" || strings.Contains(p, "\n") {
			continue
		}
		if n := len(strings.Fields(p)); n >= 2 && n <= 12 && !strings.ContainsAny(p[len(p)-1:], ".:|") && !strings.Contains(p, "Image:") {
			return p
		}
	}
	return ""
}

// Hash is the content hash that decides whether a stored vector can be reused.
func Hash(text string) string {
	sum := sha256.Sum256([]byte(text))
	return hex.EncodeToString(sum[:16])
}
