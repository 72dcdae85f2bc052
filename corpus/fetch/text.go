package fetch

import (
	"regexp"
	"strings"

	"golang.org/x/net/html"
)

// walk visits n and its descendants in document order; f returns false to
// skip a node's children.
func walk(n *html.Node, f func(*html.Node) bool) {
	if !f(n) {
		return
	}
	for c := n.FirstChild; c != nil; {
		next := c.NextSibling // f may detach c
		walk(c, f)
		c = next
	}
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// Elements that are never article text. readability drops most of them by
// its own scoring, but not reliably when they sit inside the article's
// container (a DW caption's credit is a <span> in the <figure>).
var (
	debrisTags = map[string]bool{
		"nav": true, "header": true, "footer": true, "aside": true, "form": true, "button": true,
		"script": true, "style": true, "noscript": true, "template": true, "svg": true, "iframe": true, "select": true,
	}
	debrisRoles = map[string]bool{"navigation": true, "banner": true, "contentinfo": true, "complementary": true, "search": true}
	// Matched against each class name and the id.
	debrisName = regexp.MustCompile(`(?i)(^|[-_])(credits?|copyright|related|share|sharing|social|newsletter|breadcrumbs?|skip|skiplink|advert|advertisement|promo)([-_]|$)`)
)

func removeDebris(doc *html.Node) {
	var drop []*html.Node
	walk(doc, func(n *html.Node) bool {
		if n.Type != html.ElementNode {
			return true
		}
		if debrisTags[n.Data] || debrisRoles[attr(n, "role")] || isDebrisName(attr(n, "id")) {
			drop = append(drop, n)
			return false
		}
		for _, c := range strings.Fields(attr(n, "class")) {
			if isDebrisName(c) {
				drop = append(drop, n)
				return false
			}
		}
		return true
	})
	for _, n := range drop {
		// JSON-LD was read already; readability wants no scripts either.
		n.Parent.RemoveChild(n)
	}
}

func isDebrisName(s string) bool { return s != "" && debrisName.MatchString(s) }

// Elements that start a new paragraph. Inline elements (a, em, span…) do not,
// so "Iran<a>was</a>" stays "Iranwas", exactly as the page has it.
var blockTags = map[string]bool{
	"address": true, "article": true, "blockquote": true, "dd": true, "details": true, "div": true, "dl": true,
	"dt": true, "figcaption": true, "figure": true, "h1": true, "h2": true, "h3": true, "h4": true, "h5": true,
	"h6": true, "hr": true, "li": true, "main": true, "ol": true, "p": true, "pre": true, "section": true,
	"summary": true, "table": true, "td": true, "th": true, "tr": true, "ul": true,
}

// paragraphs renders the article's HTML as paragraphs of text. White space
// runs collapse to one space, as a browser shows them; nothing else of the
// text changes, so every sentence stays a verbatim quote of the page.
func paragraphs(root *html.Node) []string {
	var (
		out []string
		cur strings.Builder
	)
	flush := func() {
		if s := collapse(cur.String()); s != "" {
			out = append(out, s)
		}
		cur.Reset()
	}
	var render func(n *html.Node)
	render = func(n *html.Node) {
		switch n.Type {
		case html.TextNode:
			cur.WriteString(n.Data)
			return
		case html.ElementNode:
			if debrisTags[n.Data] || n.Data == "img" {
				return
			}
			if n.Data == "br" {
				flush()
				return
			}
		}
		block := n.Type == html.ElementNode && blockTags[n.Data]
		if block {
			flush()
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			render(c)
		}
		if block {
			flush()
		}
	}
	render(root)
	flush()
	return out
}

func collapse(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool {
		return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\f'
	}), " ")
}
