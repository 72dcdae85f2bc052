package corpus

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/incidentbot/incidentbot"
)

// SentenceSplitter returns the sentences of text[span]. Callers pass
// retrieval.SplitSentences, the splitter the index uses, so a diff counts
// exactly the sentences answers can cite (corpus cannot import retrieval:
// retrieval imports corpus).
type SentenceSplitter func(text string, span incidentbot.Span) []incidentbot.Span

// ChangeKind says what happened to an article.
type ChangeKind string

const (
	Added   ChangeKind = "added"
	Changed ChangeKind = "changed"
	Removed ChangeKind = "removed"
)

// Change is what happened to one article between two versions of the
// corpus, summarised for a maintainer deciding whether to go live.
type Change struct {
	Kind  ChangeKind `json:"kind"`
	ID    string     `json:"id"`
	Title string     `json:"title"`
	// Fields lists the metadata that differs: title, outlet, author, date,
	// url, tags.
	Fields []string `json:"fields,omitempty"`
	// Citable sentences gained and lost. Sentences are compared as a
	// multiset, so moving one is not a change.
	SentencesAdded   int    `json:"sentences_added"`
	SentencesRemoved int    `json:"sentences_removed"`
	FirstAdded       string `json:"first_added,omitempty"`
	FirstRemoved     string `json:"first_removed,omitempty"`
	// Moved is set when the same sentences appear in another order.
	Moved bool `json:"moved,omitempty"`
	// OtherText is set when the text changed outside the citable prose
	// (headings, captions, debris): nothing an answer quotes changed.
	OtherText bool `json:"other_text,omitempty"`
}

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

// Summary is the change in a line: `+2 sentences, −1 sentence: «…»; date changed`.
func (c Change) Summary() string {
	var parts []string
	if c.SentencesAdded > 0 || c.SentencesRemoved > 0 || c.Kind != Changed {
		var counts []string
		if c.SentencesAdded > 0 || c.Kind == Added {
			counts = append(counts, "+"+plural(c.SentencesAdded, "sentence"))
		}
		if c.SentencesRemoved > 0 || c.Kind == Removed {
			counts = append(counts, "−"+plural(c.SentencesRemoved, "sentence"))
		}
		s := strings.Join(counts, ", ")
		if q := c.FirstAdded; q != "" {
			s += ": «" + Excerpt(q, 90) + "»"
		} else if q := c.FirstRemoved; q != "" {
			s += ": «" + Excerpt(q, 90) + "» gone"
		}
		parts = append(parts, s)
	}
	if c.Moved {
		parts = append(parts, "sentences moved, none added or removed")
	}
	if c.OtherText {
		parts = append(parts, "text outside the citable prose changed")
	}
	if len(c.Fields) > 0 {
		parts = append(parts, strings.Join(c.Fields, ", ")+" changed")
	}
	return strings.Join(parts, "; ")
}

func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// Excerpt shortens s to at most n characters at a word, marking the cut.
func Excerpt(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)[:n]
	cut := string(r)
	if i := strings.LastIndexByte(cut, ' '); i > n/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,;:") + "…"
}
