package fetch

import (
	"encoding/json"
	"regexp"
	"strings"

	"golang.org/x/net/html"
)

// ldMeta is what JSON-LD says about the article. readability reads JSON-LD
// too, but only an @type given as a string and authors given as objects;
// news sites also write "@type": ["NewsArticle"] and "author": "Name", so
// this fills the gaps.
type ldMeta struct {
	headline, author, publisher, published string
}

var articleType = regexp.MustCompile(`(?i)(Article|Report|BlogPosting|Posting)$`)

func jsonLD(doc *html.Node) ldMeta {
	var out ldMeta
	walk(doc, func(n *html.Node) bool {
		if n.Type != html.ElementNode || n.Data != "script" || !strings.EqualFold(attr(n, "type"), "application/ld+json") {
			return true
		}
		var v any
		if n.FirstChild == nil || json.Unmarshal([]byte(n.FirstChild.Data), &v) != nil {
			return false
		}
		if obj := findArticle(v); obj != nil && out.headline == "" {
			out.headline = str(obj["headline"])
			out.author = names(obj["author"])
			out.publisher = names(obj["publisher"])
			out.published = str(obj["datePublished"])
		}
		return false
	})
	return out
}

// findArticle finds the first object of an article type, looking into
// arrays and @graph lists.
func findArticle(v any) map[string]any {
	switch t := v.(type) {
	case []any:
		for _, e := range t {
			if o := findArticle(e); o != nil {
				return o
			}
		}
	case map[string]any:
		if isArticle(t["@type"]) {
			return t
		}
		if g, ok := t["@graph"]; ok {
			return findArticle(g)
		}
	}
	return nil
}

func isArticle(t any) bool {
	switch v := t.(type) {
	case string:
		return articleType.MatchString(v)
	case []any:
		for _, e := range v {
			if isArticle(e) {
				return true
			}
		}
	}
	return false
}

func str(v any) string {
	s, _ := v.(string)
	return strings.TrimSpace(s)
}

// names reads an author or publisher: a string, an object with a name, or a
// list of either.
func names(v any) string {
	switch t := v.(type) {
	case string:
		return strings.TrimSpace(t)
	case map[string]any:
		return str(t["name"])
	case []any:
		var out []string
		for _, e := range t {
			if n := names(e); n != "" {
				out = append(out, n)
			}
		}
		return strings.Join(out, ", ")
	}
	return ""
}
