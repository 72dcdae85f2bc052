package answer

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

// dateMention is a date written in an article: "July 15", "Sept. 7, 2022",
// "07 Sept 2022", "September 8th", "in May", "January 19, 2020".
type dateMention struct {
	Start, End int
	Year       int // 0 when the text gives none
	Month      time.Month
	Day        int // 0 when only the month is given
}

var (
	monthPattern = `(January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?`
	monthDay     = regexp.MustCompile(`\b` + monthPattern + `\s+(\d{1,2})(?:st|nd|rd|th)?\b(?:,?\s+((?:19|20)\d\d)\b)?`)
	dayMonth     = regexp.MustCompile(`\b(\d{1,2})(?:st|nd|rd|th)?\s+` + monthPattern + `\b(?:,?\s+((?:19|20)\d\d)\b)?`)
	monthYear    = regexp.MustCompile(`\b(?:in|since|of|until|by|mid-)\s*` + monthPattern + `(?:\s+((?:19|20)\d\d))?\b`)
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

// findDates returns the dates written in text, in order. "May" alone is
// only a date after "in"/"since"/…, since it is also a verb.
func findDates(text string) []dateMention {
	var out []dateMention
	taken := func(s, e int) bool {
		for _, d := range out {
			if s < d.End && e > d.Start {
				return true
			}
		}
		return false
	}
	for _, m := range monthDay.FindAllStringSubmatchIndex(text, -1) {
		day, _ := strconv.Atoi(text[m[4]:m[5]])
		d := dateMention{Start: m[0], End: m[1], Month: parseMonth(text[m[2]:m[3]]), Day: day}
		if m[6] >= 0 {
			d.Year, _ = strconv.Atoi(text[m[6]:m[7]])
		}
		if d.Month != 0 && day >= 1 && day <= 31 {
			out = append(out, d)
		}
	}
	for _, m := range dayMonth.FindAllStringSubmatchIndex(text, -1) {
		if taken(m[0], m[1]) {
			continue
		}
		day, _ := strconv.Atoi(text[m[2]:m[3]])
		d := dateMention{Start: m[0], End: m[1], Month: parseMonth(text[m[4]:m[5]]), Day: day}
		if m[6] >= 0 {
			d.Year, _ = strconv.Atoi(text[m[6]:m[7]])
		}
		if d.Month != 0 && day >= 1 && day <= 31 {
			out = append(out, d)
		}
	}
	for _, m := range monthYear.FindAllStringSubmatchIndex(text, -1) {
		if taken(m[0], m[1]) {
			continue
		}
		d := dateMention{Start: m[0], End: m[1], Month: parseMonth(text[m[2]:m[3]])}
		if m[4] >= 0 {
			d.Year, _ = strconv.Atoi(text[m[4]:m[5]])
		}
		if d.Month != 0 {
			out = append(out, d)
		}
	}
	return out
}

// key identifies the date's value regardless of how it was written.
func (d dateMention) key() string {
	return strconv.Itoa(int(d.Month)) + "-" + strconv.Itoa(d.Day)
}
