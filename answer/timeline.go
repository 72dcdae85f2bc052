package answer

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/incidentbot/incidentbot"
	"github.com/incidentbot/incidentbot/prompts"
	"github.com/incidentbot/incidentbot/retrieval"
)

// event is one dated sentence.
type event struct {
	date  string // YYYY-MM-DD or YYYY-MM
	hit   *retrieval.Hit
	span  incidentbot.Span
	text  string
	lead  int // byte position of the date in the sentence: early dates read as events
	other []*event
}

// Timeline lists the dated events the articles report, in order. Dates are
// normalised ("July 15" in an article of 2022 is 2022-07-15); an event more
// than one article dates alike cites them all.
func (a *Answerer) Timeline(ctx context.Context) (*incidentbot.Timeline, error) {
	ix := a.src.Index()
	var hits []retrieval.Hit
	for _, p := range ix.Passages() {
		hits = append(hits, retrieval.Hit{Result: incidentbot.Result{Passage: p, Article: ix.Article(p.ArticleID), Score: 1}})
	}
	tl := extractiveTimeline(hits)
	if a.opts.LLM == nil {
		return tl, nil
	}
	// The model reads the passages that hold the extractive events.
	seen := map[string]bool{}
	var dated []retrieval.Hit
	for _, h := range hits {
		if len(retrieval.FindDates(h.Passage.Text)) > 0 && !seen[h.Passage.ID] && len(dated) < 12 {
			seen[h.Passage.ID] = true
			dated = append(dated, h)
		}
	}
	passages, checks := promptPassages(dated)
	msgs, err := prompts.Timeline(a.Profile().Subject(), passages)
	if err != nil {
		return nil, err
	}
	text, err := a.opts.LLM.Chat(ctx, msgs, nil)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("timeline: %w", ctx.Err())
		}
		a.opts.Logger.Warn("language model failed; timeline is extractive", "err", err)
		return tl, nil
	}
	ans := a.verified(ctx, "timeline", text, dated, checks)
	if ans.Refused {
		return tl, nil
	}
	out := &incidentbot.Timeline{Citations: ans.Citations}
	for _, line := range strings.Split(ans.Text, "\n") {
		if m := isoLine.FindStringSubmatch(strings.TrimSpace(line)); m != nil {
			out.Events = append(out.Events, incidentbot.TimelineEvent{Date: m[1], Text: m[2]})
		}
	}
	if len(out.Events) == 0 {
		return tl, nil
	}
	sort.SliceStable(out.Events, func(i, j int) bool { return out.Events[i].Date < out.Events[j].Date })
	return out, nil
}

var isoLine = regexp.MustCompile(`^[-•*\s]*(\d{4}-\d{2}(?:-\d{2})?)\s*[—–:-]+\s*(.+)$`)

func extractiveTimeline(hits []retrieval.Hit) *incidentbot.Timeline {
	byDate := map[string][]*event{}
	for i := range hits {
		h := &hits[i]
		for _, sp := range h.Passage.Sentences {
			text := h.Article.Text[sp.Start:sp.End]
			if strings.HasSuffix(strings.TrimRight(text, "\"'”’ "), "?") {
				continue
			}
			for _, d := range retrieval.FindDates(text) {
				date := normaliseDate(d, h.Article)
				if date == "" {
					continue
				}
				byDate[date] = append(byDate[date], &event{date: date, hit: h, span: sp, text: text, lead: d.Start})
				break // one event per sentence: its first date
			}
		}
	}
	// One event per date: the sentence that reads most like a report of it
	// (date early, short); other articles' sentences on that date are cited
	// beside it.
	var events []*event
	for _, evs := range byDate {
		sort.SliceStable(evs, func(i, j int) bool {
			return evs[i].lead+4*wordCount(evs[i].text) < evs[j].lead+4*wordCount(evs[j].text)
		})
		best := evs[0]
		seen := map[string]bool{best.hit.Article.ID: true}
		for _, e := range evs[1:] {
			if !seen[e.hit.Article.ID] && len(best.other) < 2 {
				seen[e.hit.Article.ID] = true
				best.other = append(best.other, e)
			}
		}
		events = append(events, best)
	}
	// Keep the best-supported dates when there are too many, then order.
	// Events of the incidents' own year come before background history.
	sort.SliceStable(events, func(i, j int) bool {
		ri, rj := events[i].current(), events[j].current()
		if ri != rj {
			return ri
		}
		return len(events[i].other) > len(events[j].other)
	})
	if len(events) > timelineEvents {
		events = events[:timelineEvents]
	}
	sort.SliceStable(events, func(i, j int) bool { return events[i].date < events[j].date })

	tl := &incidentbot.Timeline{Events: []incidentbot.TimelineEvent{}, Citations: []incidentbot.Citation{}}
	for _, e := range events {
		markers := ""
		for _, s := range append([]*event{e}, e.other...) {
			n := len(tl.Citations) + 1
			tl.Citations = append(tl.Citations, citation(n, s.hit.Article, s.span, 1))
			markers += fmt.Sprintf("[%d]", n)
		}
		c := &candidate{text: e.text}
		tl.Events = append(tl.Events, incidentbot.TimelineEvent{Date: e.date, Text: clipAround(c, e.lead, timelineWords) + " " + markers})
	}
	return tl
}

// current reports whether the event falls in its article's own year.
func (e *event) current() bool {
	return e.hit.Article.DatePrecision != incidentbot.DateUnknown && strings.HasPrefix(e.date, fmt.Sprint(e.hit.Article.Date.Year()))
}

// normaliseDate writes a date mention as YYYY-MM-DD (or YYYY-MM), taking
// the year from the article when the text gives none. Without a year from
// either, the date cannot be placed and "" is returned.
func normaliseDate(d retrieval.DateMention, a *incidentbot.Article) string {
	year := d.Year
	if year == 0 {
		if a.DatePrecision == incidentbot.DateUnknown {
			return ""
		}
		year = a.Date.Year()
		// "In December" in an article of September is last year's.
		if a.DatePrecision >= incidentbot.DateMonth && d.Month > a.Date.Month()+1 {
			year--
		}
	}
	if d.Day == 0 {
		return fmt.Sprintf("%04d-%02d", year, int(d.Month))
	}
	t := time.Date(year, d.Month, d.Day, 0, 0, 0, 0, time.UTC)
	if t.Day() != d.Day {
		return "" // "September 31"
	}
	return t.Format("2006-01-02")
}

// clipAround shortens a sentence to the clauses around byte position at.
func clipAround(c *candidate, at, maxWords int) string {
	if wordCount(c.text) <= maxWords {
		return c.text
	}
	clauses := splitClauses(c.text)
	pos, k := 0, 0
	for i, cl := range clauses {
		if at >= pos && at < pos+len(cl) {
			k = i
		}
		pos += len(cl)
	}
	i, j := k, k
	n := wordCount(clauses[k])
	for {
		grew := false
		if j+1 < len(clauses) && n+wordCount(clauses[j+1]) <= maxWords {
			j++
			n += wordCount(clauses[j])
			grew = true
		}
		if i > 0 && n+wordCount(clauses[i-1]) <= maxWords {
			i--
			n += wordCount(clauses[i])
			grew = true
		}
		if !grew {
			break
		}
	}
	if n < 8 {
		// The clauses after the date are too long to take whole: cut by
		// words instead, from the date's clause on.
		start := 0
		for _, cl := range clauses[:i] {
			start += len(cl)
		}
		out := firstWords(c.text[start:], maxWords)
		if start > 0 {
			out = "…" + strings.TrimSpace(out)
		}
		return out + "…"
	}
	out := strings.TrimRight(strings.TrimSpace(strings.Join(clauses[i:j+1], "")), ",;:–— ")
	if i > 0 {
		out = "…" + out
	}
	if j < len(clauses)-1 {
		out += "…"
	}
	return out
}

// firstWords returns the verbatim prefix of s holding its first n words.
func firstWords(s string, n int) string {
	inWord, count := false, 0
	for i, r := range s {
		space := r == ' ' || r == '\n' || r == '\t'
		if !space && !inWord {
			if count == n {
				return strings.TrimRight(s[:i], " \n\t,;:")
			}
			count++
		}
		inWord = !space
	}
	return s
}
