package answer

import (
	"strings"
	"unicode"

	"github.com/incidentbot/incidentbot"
	"github.com/incidentbot/incidentbot/retrieval"
)

// persons returns the persons text (of article art) names: the names
// English takes for persons (retrieval.PersonNames), and a surname alone
// ("…, Okonkwo said") of a person the article names in full, as news
// writing does after the first mention.
func (qa *question) persons(text string, art *incidentbot.Article) []string {
	ps := retrieval.PersonNames(text, qa.lex)
	if qa.lex == nil || art == nil {
		return ps
	}
	if qa.surnames == nil {
		qa.surnames = map[string]map[string]bool{}
	}
	sur, ok := qa.surnames[art.ID]
	if !ok {
		sur = map[string]bool{}
		for _, n := range retrieval.PersonNames(art.Text, qa.lex) {
			ws := strings.Fields(n)
			sur[strings.TrimSuffix(strings.TrimSuffix(ws[len(ws)-1], "'s"), "’s")] = true
		}
		qa.surnames[art.ID] = sur
	}
	for _, w := range strings.FieldsFunc(text, func(r rune) bool { return !unicode.IsLetter(r) }) {
		if sur[w] {
			ps = append(ps, w)
		}
	}
	return ps
}
