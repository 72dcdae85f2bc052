package retrieval

import "strings"

// PersonLexicon is what telling a person's name from an office's, a
// body's or a place's takes; *lang.Resources satisfies it.
type PersonLexicon interface {
	// IsA reports whether some sense of word is a kind of class's.
	IsA(word, class string) bool
	// IsName reports whether English knows w only as a name.
	IsName(w string) bool
	// IsCommonWord reports whether w is a lower-case English word in
	// common use.
	IsCommonWord(w string) bool
}

// PersonNames returns the runs of capitalised words in text (NameLike)
// that name a person as far as English knows. A run of two capitalised
// words is as often an office, a body or a place ("Prime Minister",
// "Supreme Court", "European Union", "New Zealand") as a person, and a
// sentence holding only those does not answer "who". A person's name ends
// in a surname English does not use as a common word ("Watson",
// "Okonkwo"), or begins with a word English knows only as a name ("James
// Baker"); and neither is a place. With a nil lexicon every run counts.
func PersonNames(text string, lex PersonLexicon) []string {
	runs := NameLike(text)
	if lex == nil {
		return runs
	}
	var out []string
	for _, run := range runs {
		if isPerson(run, lex) {
			out = append(out, run)
		}
	}
	return out
}

func isPerson(run string, lex PersonLexicon) bool {
	var ws []string
	for _, w := range strings.Fields(run) {
		w = strings.TrimSuffix(strings.TrimSuffix(strings.ToLower(w), "'s"), "’s")
		w = strings.Trim(w, ".")
		if len(ws) == 0 && stopWords[w] {
			continue // "The French", "On September": the sentence's first word
		}
		if w != "" {
			ws = append(ws, w)
		}
	}
	if len(ws) < 2 {
		return false
	}
	first, last := ws[0], ws[len(ws)-1]
	if lex.IsA(strings.Join(ws, " "), "location") || lex.IsA(last, "location") || lex.IsA(first, "location") && !lex.IsName(last) {
		return false
	}
	return !lex.IsCommonWord(last) || lex.IsName(first)
}
