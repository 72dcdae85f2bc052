package corpus

import (
	"bytes"
	"fmt"
	"path"
	"strings"
	"time"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/incidentbot/incidentbot"
)

// ParseError points at the file and line of a problem in an article file.
type ParseError struct {
	File string
	Line int
	Msg  string
}

func (e *ParseError) Error() string { return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg) }

var knownFields = []string{"title", "outlet", "author", "date", "url", "tags"}

// Parse reads one article file. name is used for the article ID (the base
// name without extension) and in errors.
func Parse(name string, data []byte) (*incidentbot.Article, error) {
	fail := func(line int, format string, args ...any) error {
		return &ParseError{File: name, Line: line, Msg: fmt.Sprintf(format, args...)}
	}
	if !utf8.Valid(data) {
		return nil, fail(1, "file is not valid UTF-8")
	}
	text := string(bytes.TrimPrefix(data, []byte("\ufeff")))
	text = strings.ReplaceAll(text, "\r\n", "\n")
	if !strings.HasPrefix(text, "---\n") {
		return nil, fail(1, `front matter missing: the file must start with a "---" line`)
	}
	rest := text[len("---\n"):]
	end := strings.Index(rest, "\n---\n")
	if end < 0 && strings.HasSuffix(rest, "\n---") {
		end = len(rest) - len("\n---")
	}
	if strings.HasPrefix(rest, "---\n") {
		end = -1 // empty front matter: "---\n---\n"
		rest = "\n" + rest
	}
	if end < 0 {
		return nil, fail(1, `front matter opened here is never closed with a "---" line`)
	}
	front := rest[:end]
	bodyLine := 2 + strings.Count(front, "\n") + 2 // the opening line, the front matter, the closing line
	body := ""
	if after := end + len("\n---\n"); after <= len(rest) {
		body = rest[after:]
	}

	a := &incidentbot.Article{ID: strings.TrimSuffix(path.Base(name), path.Ext(name)), Path: name, Text: body}
	if err := parseFrontMatter(a, front, fail); err != nil {
		return nil, err
	}
	if strings.TrimSpace(body) == "" {
		return nil, fail(bodyLine, "article text is empty")
	}
	if len(CitableSpans(body)) == 0 {
		return nil, fail(bodyLine, "article text has no prose paragraphs (lines ending a sentence) that could be cited")
	}
	return a, nil
}

func parseFrontMatter(a *incidentbot.Article, front string, fail func(int, string, ...any) error) error {
	const offset = 1 // the front matter starts on the file's second line
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(front), &doc); err != nil {
		return fail(1+offset, "front matter is not valid YAML: %v", err)
	}
	if len(doc.Content) == 0 {
		return fail(1, "front matter is empty: it needs at least a title")
	}
	m := doc.Content[0]
	if m.Kind != yaml.MappingNode {
		return fail(m.Line+offset, "front matter must be a mapping of field: value")
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		line := k.Line + offset
		if seen[k.Value] {
			return fail(line, "field %q appears twice", k.Value)
		}
		seen[k.Value] = true
		str := func() (string, error) {
			if v.Kind != yaml.ScalarNode {
				return "", fail(v.Line+offset, "field %q must be a single value", k.Value)
			}
			if v.Tag == "!!null" {
				return "", nil
			}
			return strings.TrimSpace(v.Value), nil
		}
		var err error
		switch k.Value {
		case "title":
			a.Title, err = str()
		case "outlet":
			a.Outlet, err = str()
		case "author":
			a.Author, err = str()
		case "url":
			a.URL, err = str()
			if err == nil && a.URL != "" && !strings.HasPrefix(a.URL, "http://") && !strings.HasPrefix(a.URL, "https://") {
				err = fail(v.Line+offset, "url %q must start with http:// or https://", a.URL)
			}
		case "date":
			var s string
			if s, err = str(); err == nil {
				a.Date, a.DatePrecision, err = parseDate(s)
				if err != nil {
					err = fail(v.Line+offset, "bad date %q: use YYYY-MM-DD, YYYY-MM or YYYY", s)
				}
			}
		case "tags":
			if v.Kind != yaml.SequenceNode {
				return fail(v.Line+offset, "tags must be a list, e.g. [albania, montenegro]")
			}
			for _, t := range v.Content {
				if t.Kind != yaml.ScalarNode || strings.TrimSpace(t.Value) == "" {
					return fail(t.Line+offset, "each tag must be a non-empty word")
				}
				a.Tags = append(a.Tags, strings.ToLower(strings.TrimSpace(t.Value)))
			}
		default:
			return fail(line, "unknown field %q (known fields: %s)", k.Value, strings.Join(knownFields, ", "))
		}
		if err != nil {
			return err
		}
	}
	if a.Title == "" {
		return fail(1+offset, "title is missing or empty")
	}
	return nil
}

func parseDate(s string) (time.Time, incidentbot.DatePrecision, error) {
	if s == "" {
		return time.Time{}, incidentbot.DateUnknown, nil
	}
	for _, f := range []struct {
		layout string
		prec   incidentbot.DatePrecision
	}{{"2006-01-02", incidentbot.DateDay}, {"2006-01", incidentbot.DateMonth}, {"2006", incidentbot.DateYear}} {
		if t, err := time.Parse(f.layout, s); err == nil {
			return t, f.prec, nil
		}
	}
	return time.Time{}, incidentbot.DateUnknown, fmt.Errorf("unrecognised date %q", s)
}
