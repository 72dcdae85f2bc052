package fetch

import (
	"bytes"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	readability "codeberg.org/readeck/go-readability/v2"
	"golang.org/x/net/html"
	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding/unicode"

	"github.com/incidentbot/incidentbot/corpus"
)

// Page is an article as read from a web page.
type Page struct {
	URL       string // as asked for; what sources.yaml lists
	FinalURL  string // where it was served from, after redirects
	Title     string
	Outlet    string
	Author    string
	Published time.Time // zero when the page does not say
	// Text is the article's paragraphs, one per line with a blank line
	// between, each verbatim from the page (only white space is collapsed,
	// as a browser shows it). Navigation, photo credits, related-story tails
	// and copyright lines are left out.
	Text string
}

// Extract reads the article from an HTML page. contentType is the response's
// Content-Type header (it may name the charset; "" when unknown); pageURL is
// where the page was served from.
func Extract(body []byte, contentType string, pageURL *url.URL) (*Page, error) {
	doc, err := html.Parse(decode(body, contentType))
	if err != nil {
		return nil, fmt.Errorf("parsing HTML: %w", err)
	}
	// Metadata first: readability removes the scripts JSON-LD lives in.
	ld := jsonLD(doc)
	removeDebris(doc)
	parser := readability.NewParser()
	art, err := parser.ParseAndMutate(doc, pageURL)
	if err != nil {
		return nil, fmt.Errorf("finding the article: %w", err)
	}
	if art.Node == nil {
		return nil, ErrNoArticle
	}
	text := clean(paragraphs(art.Node))
	if len(corpus.CitableSpans(text)) == 0 {
		return nil, ErrNoArticle
	}
	p := &Page{Text: text}
	if pageURL != nil {
		p.FinalURL = pageURL.String()
	}
	// JSON-LD first: it is structured, where readability's byline may be a
	// line of the page ("Elona Elezi Tirana | Niloofar Gholami Bonn").
	p.Outlet = firstOf(ld.publisher, art.SiteName(), hostName(pageURL))
	p.Title = cleanTitle(firstOf(ld.headline, art.Title()), p.Outlet)
	p.Author = cleanAuthor(firstOf(ld.author, art.Byline()))
	if t, err := art.PublishedTime(); err == nil {
		p.Published = t
	} else if t, ok := parseTime(ld.published); ok {
		p.Published = t
	}
	return p, nil
}

// decode turns the page into UTF-8. The charset comes from the header, a
// byte-order mark or a <meta> tag; a page that names none but is valid UTF-8
// is taken as UTF-8 (the HTML standard's fallback, windows-1252, would garble
// it).
func decode(body []byte, contentType string) *bytes.Reader {
	enc, _, certain := charset.DetermineEncoding(body, contentType)
	if !certain && utf8.Valid(body) || enc == unicode.UTF8 {
		return bytes.NewReader(bytes.TrimPrefix(body, []byte("\ufeff")))
	}
	out, err := enc.NewDecoder().Bytes(body)
	if err != nil {
		return bytes.NewReader(body)
	}
	return bytes.NewReader(out)
}

func firstOf(vals ...string) string {
	for _, v := range vals {
		if v = strings.Join(strings.Fields(v), " "); v != "" {
			return v
		}
	}
	return ""
}

func hostName(u *url.URL) string {
	if u == nil {
		return ""
	}
	return strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
}

// cleanTitle drops the outlet's name that many pages append to og:title or
// <title> ("Albania blames Iran for cyberattacks | DW | 16.09.2022").
func cleanTitle(title, outlet string) string {
	if outlet == "" {
		return title
	}
	for _, sep := range []string{" | ", " – ", " — ", " - "} {
		if i := strings.Index(title, sep+outlet); i > 0 {
			return strings.TrimSpace(title[:i])
		}
	}
	return title
}

var byPrefix = regexp.MustCompile(`(?i)^by\s+`)

func cleanAuthor(a string) string { return byPrefix.ReplaceAllString(a, "") }

// parseTime reads the date formats JSON-LD uses in practice.
func parseTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}
