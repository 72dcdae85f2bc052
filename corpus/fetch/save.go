package fetch

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
	"gopkg.in/yaml.v3"

	"github.com/incidentbot/incidentbot/corpus"
)

// File renders the page as a corpus article file: front matter, then the
// text. It is checked with the corpus loader before it is returned, so a
// file this writes always loads.
func (p *Page) File(tags []string) ([]byte, error) {
	str := func(s string) *yaml.Node {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s, Style: yaml.DoubleQuotedStyle}
	}
	tagList := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
	for _, t := range tags {
		tagList.Content = append(tagList.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: t})
	}
	front := &yaml.Node{Kind: yaml.MappingNode}
	for _, kv := range []struct {
		k string
		v *yaml.Node
	}{
		{"title", str(p.Title)}, {"outlet", str(p.Outlet)}, {"author", str(p.Author)},
		{"date", str(p.Date())}, {"url", str(p.URL)}, {"tags", tagList},
	} {
		front.Content = append(front.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: kv.k}, kv.v)
	}
	var buf bytes.Buffer
	buf.WriteString("---\n")
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(front); err != nil {
		return nil, fmt.Errorf("writing front matter: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("writing front matter: %w", err)
	}
	buf.WriteString("---\n")
	buf.WriteString(p.Text)
	if _, err := corpus.Parse(p.FileName(), buf.Bytes()); err != nil {
		return nil, fmt.Errorf("the article file would not load: %w", err)
	}
	return buf.Bytes(), nil
}

// Date is the publish date as the corpus writes it ("2022-09-16"), in the
// page's own time zone, or "" when unknown.
func (p *Page) Date() string {
	if p.Published.IsZero() {
		return ""
	}
	return p.Published.Format("2006-01-02")
}

// FileName names a new article file from its date and title:
// "2022-09-16-albania-blames-iran-for-cyberattacks.md".
func (p *Page) FileName() string {
	date := p.Date()
	if date == "" {
		date = "undated"
	}
	slug := Slug(p.Title)
	if slug == "" {
		slug = "article"
	}
	return date + "-" + slug + corpus.Ext
}

// Slug is title in lower-case ASCII words joined by hyphens, at most about
// 60 characters, cut at a word: "Shqipëria ndërpret…" → "shqiperia-nderpret…".
func Slug(title string) string {
	var words []string
	var w strings.Builder
	end := func() {
		if w.Len() > 0 {
			words = append(words, w.String())
			w.Reset()
		}
	}
	for _, r := range norm.NFD.String(title) {
		switch {
		case unicode.Is(unicode.Mn, r), r == '\'' || r == '’':
			// accents and apostrophes vanish: "Iran’s" → "irans"
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			w.WriteRune(unicode.ToLower(r))
		default:
			end()
		}
	}
	end()
	slug := ""
	for _, word := range words {
		if len(slug)+1+len(word) > 60 && slug != "" {
			break
		}
		if slug != "" {
			slug += "-"
		}
		slug += word
	}
	return slug
}

// Outcome says what Save did.
type Outcome string

const (
	Created   Outcome = "created"
	Changed   Outcome = "changed"
	Unchanged Outcome = "unchanged"
)

// Save writes data to path unless the file already holds exactly that, so
// re-fetching an unchanged page touches nothing. The write goes to a
// temporary file renamed into place: a crash leaves the old file whole.
func Save(path string, data []byte) (Outcome, error) {
	old, err := os.ReadFile(path)
	outcome := Changed
	switch {
	case errors.Is(err, fs.ErrNotExist):
		outcome = Created
	case err != nil:
		return "", fmt.Errorf("reading %s: %w", path, err)
	case bytes.Equal(old, data):
		return Unchanged, nil
	}
	if err := corpus.WriteFileAtomic(path, data); err != nil {
		return "", err
	}
	return outcome, nil
}
