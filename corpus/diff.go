package corpus

import (
	"slices"
	"sort"
	"strings"

	"github.com/incidentbot/incidentbot"
)

// SentenceSplitter returns the sentences of text[span]. Callers pass
// retrieval.SplitSentences, the splitter the index uses, so a diff counts
// exactly the sentences answers can cite (corpus cannot import retrieval:
// retrieval imports corpus).
type SentenceSplitter func(text string, span incidentbot.Span) []incidentbot.Span

// ChangeKind and Change are the domain's: what a refresh does to an
// article.
type (
	ChangeKind = incidentbot.ChangeKind
	Change     = incidentbot.ArticleChange
)

const (
	Added   = incidentbot.Added
	Changed = incidentbot.Changed
	Removed = incidentbot.Removed
)

// Diff compares the corpus that is served (old) with the one on disk (new).
// Changes come sorted by article ID; unchanged articles are left out. split
// may be nil, in which case each citable line counts as one sentence.
func Diff(old, new []*incidentbot.Article, split SentenceSplitter) []Change {
	before := map[string]*incidentbot.Article{}
	for _, a := range old {
		before[a.ID] = a
	}
	var out []Change
	seen := map[string]bool{}
	for _, a := range new {
		seen[a.ID] = true
		o, ok := before[a.ID]
		if !ok {
			s := Sentences(a, split)
			c := Change{Kind: Added, ID: a.ID, Title: a.Title, SentencesAdded: len(s)}
			if len(s) > 0 {
				c.FirstAdded = s[0]
			}
			out = append(out, c)
			continue
		}
		c := Change{Kind: Changed, ID: a.ID, Title: a.Title, Fields: changedFields(o, a)}
		if o.Text != a.Text {
			os, ns := Sentences(o, split), Sentences(a, split)
			added, removed := sentenceDiff(os, ns)
			c.SentencesAdded, c.SentencesRemoved = len(added), len(removed)
			if len(added) > 0 {
				c.FirstAdded = added[0]
			}
			if len(removed) > 0 {
				c.FirstRemoved = removed[0]
			}
			if len(added)+len(removed) == 0 {
				c.Moved = !slices.Equal(os, ns)
				c.OtherText = !c.Moved
			}
		}
		if len(c.Fields) > 0 || o.Text != a.Text {
			out = append(out, c)
		}
	}
	for _, o := range old {
		if !seen[o.ID] {
			s := Sentences(o, split)
			c := Change{Kind: Removed, ID: o.ID, Title: o.Title, SentencesRemoved: len(s)}
			if len(s) > 0 {
				c.FirstRemoved = s[0]
			}
			out = append(out, c)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Sentences returns the citable sentences of a, in order.
func Sentences(a *incidentbot.Article, split SentenceSplitter) []string {
	var out []string
	for _, line := range CitableSpans(a.Text) {
		if split == nil {
			out = append(out, a.Text[line.Start:line.End])
			continue
		}
		for _, s := range split(a.Text, line) {
			out = append(out, a.Text[s.Start:s.End])
		}
	}
	return out
}

// sentenceDiff returns the sentences of new that old lacks and those of old
// that new lacks, each in its own order.
func sentenceDiff(old, new []string) (added, removed []string) {
	count := map[string]int{}
	for _, s := range old {
		count[s]++
	}
	for _, s := range new {
		if count[s] > 0 {
			count[s]--
		} else {
			added = append(added, s)
		}
	}
	for _, s := range slices.Backward(old) { // keep the first of repeated sentences
		if count[s] > 0 {
			count[s]--
			removed = append(removed, s)
		}
	}
	slices.Reverse(removed)
	return added, removed
}

func changedFields(o, a *incidentbot.Article) []string {
	var f []string
	for _, c := range []struct {
		name string
		a, b string
	}{
		{"title", o.Title, a.Title}, {"outlet", o.Outlet, a.Outlet}, {"author", o.Author, a.Author},
		{"date", o.DateString(), a.DateString()}, {"url", o.URL, a.URL},
		{"tags", strings.Join(o.Tags, ","), strings.Join(a.Tags, ",")},
	} {
		if c.a != c.b {
			f = append(f, c.name)
		}
	}
	return f
}

// Excerpt shortens s to at most n characters at a word, marking the cut.
func Excerpt(s string, n int) string { return incidentbot.Excerpt(s, n) }
