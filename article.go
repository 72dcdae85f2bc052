package incidentbot

import "time"

// Article is one source text and what is known about it. Text is the body
// exactly as published, so that every citation is a verbatim span of it.
type Article struct {
	ID     string // the file name without extension; stable across refreshes
	Title  string
	Outlet string
	Author string
	// Date is when the article appeared, as precisely as known; DatePrecision
	// says which parts of it are meaningful.
	Date          time.Time
	DatePrecision DatePrecision
	URL           string
	Tags          []string
	Text          string
	Path          string // where it was loaded from, for error messages
	// Added is when the article first entered the index (kept across
	// refreshes); zero until it is indexed.
	Added time.Time
}

// AddedString is the day the article was added to the index, or "".
func (a *Article) AddedString() string {
	if a.Added.IsZero() {
		return ""
	}
	return a.Added.Format("2006-01-02")
}

// DatePrecision says how much of an Article's Date is known.
type DatePrecision int

const (
	DateUnknown DatePrecision = iota
	DateYear
	DateMonth
	DateDay
)

// DateString renders the date only as precisely as it is known: "2022-09-16",
// "2022-09", "2022" or "".
func (a *Article) DateString() string {
	switch a.DatePrecision {
	case DateDay:
		return a.Date.Format("2006-01-02")
	case DateMonth:
		return a.Date.Format("2006-01")
	case DateYear:
		return a.Date.Format("2006")
	}
	return ""
}

// Span is a half-open byte range [Start, End) in an article's Text.
type Span struct {
	Start int `json:"start"`
	End   int `json:"end"`
}

// Passage is a run of whole sentences from one article, sized for the
// sentence encoder. Text == Article.Text[Start:End].
type Passage struct {
	ID        string // "<article id>#<n>"
	ArticleID string
	Start     int
	End       int
	Text      string
	Sentences []Span // offsets in the article's Text, in order
	// Heading is the section heading the passage sits under, if any ("Kosovo
	// – Target of Cyber Attacks"). It helps search find the passage (a
	// sentence under it may never name the country) but is not cited.
	Heading string
	Hash    string // content hash of Text; unchanged text keeps its vector
}

// Result is one passage found for a query.
type Result struct {
	Rank    int
	Passage *Passage
	Article *Article
	Score   float64
}
