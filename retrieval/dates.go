package retrieval

import (
	"cmp"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// DateMention is a date written in an article: "July 15", "Sept. 7, 2022",
// "07 Sept 2022", "September 8th", "in May", "January 19, 2020".
type DateMention struct {
	Start, End int
	Year       int // 0 when the text gives none
	Month      time.Month
	Day        int // 0 when only the month is given
}

// monthAbbreviations are the short month names articles write ("Sept. 7"),
// lower-case and without the period; the full names are time.Month's.
var monthAbbreviations = map[string]time.Month{
	"jan": time.January, "feb": time.February, "mar": time.March, "apr": time.April, "jun": time.June,
	"jul": time.July, "aug": time.August, "sep": time.September, "sept": time.September,
	"oct": time.October, "nov": time.November, "dec": time.December,
}

// monthPattern matches a month's name, full or short, capitalised.
var monthPattern = func() string {
	var names, short []string
	for m := time.January; m <= time.December; m++ {
		names = append(names, m.String())
	}
	for a := range monthAbbreviations {
		short = append(short, strings.ToUpper(a[:1])+a[1:])
	}
	// Longest first: of the alternatives, the regexp takes the first that
	// matches, and "Sep" would leave the "t" of "Sept." behind.
	slices.SortFunc(short, func(a, b string) int { return cmp.Or(len(b)-len(a), strings.Compare(a, b)) })
	return `(` + strings.Join(append(names, short...), "|") + `)\.?`
}()

var (
	monthDay  = regexp.MustCompile(`\b` + monthPattern + `\s+(\d{1,2})(?:st|nd|rd|th)?\b(?:,?\s+((?:19|20)\d\d)\b)?`)
	dayMonth  = regexp.MustCompile(`\b(\d{1,2})(?:st|nd|rd|th)?\s+` + monthPattern + `\b(?:,?\s+((?:19|20)\d\d)\b)?`)
	monthYear = regexp.MustCompile(`\b(?:in|since|of|until|by|mid-)\s*` + monthPattern + `(?:\s+((?:19|20)\d\d))?\b`)
)

func parseMonth(s string) time.Month {
	s = strings.ToLower(strings.TrimSuffix(s, "."))
	for m := time.January; m <= time.December; m++ {
		name := strings.ToLower(m.String())
		if s == name || (len(s) >= 3 && strings.HasPrefix(name, s)) {
			return m
		}
	}
	return 0
}

// FindDates returns the dates written in text, in order. "May" alone is
// only a date after "in"/"since"/…, since it is also a verb.
func FindDates(text string) []DateMention {
	var out []DateMention
	taken := func(s, e int) bool {
		for _, d := range out {
			if s < d.End && e > d.Start {
				return true
			}
		}
		return false
	}
	// Submatch positions of day, month and year in each pattern.
	for _, p := range []struct {
		re                *regexp.Regexp
		day, month, years int
	}{{monthDay, 4, 2, 6}, {dayMonth, 2, 4, 6}} {
		for _, m := range p.re.FindAllStringSubmatchIndex(text, -1) {
			if taken(m[0], m[1]) {
				continue
			}
			day, _ := strconv.Atoi(text[m[p.day]:m[p.day+1]])
			d := DateMention{Start: m[0], End: m[1], Month: parseMonth(text[m[p.month]:m[p.month+1]]), Day: day}
			if m[p.years] >= 0 {
				d.Year, _ = strconv.Atoi(text[m[p.years]:m[p.years+1]])
			}
			if d.Month != 0 && day >= 1 && day <= 31 {
				out = append(out, d)
			}
		}
	}
	for _, m := range monthYear.FindAllStringSubmatchIndex(text, -1) {
		if taken(m[0], m[1]) {
			continue
		}
		d := DateMention{Start: m[0], End: m[1], Month: parseMonth(text[m[2]:m[3]])}
		if m[4] >= 0 {
			d.Year, _ = strconv.Atoi(text[m[4]:m[5]])
		}
		if d.Month != 0 {
			out = append(out, d)
		}
	}
	return out
}

// Key identifies the date's value regardless of how it was written.
func (d DateMention) Key() string {
	return strconv.Itoa(int(d.Month)) + "-" + strconv.Itoa(d.Day)
}
