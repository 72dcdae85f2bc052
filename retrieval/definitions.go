package retrieval

import (
	"math"
	"sort"
	"strings"
	"sync"
)

// Definer gives the words that say what a word or name is: the words of
// its dictionary definitions and its other names (WordNet's glosses,
// "Portugal" → iberian, peninsula, …); *lang.Resources satisfies it.
type Definer interface {
	Definition(word string) []string
}

// People describe what they do not name: "the iberian state" for
// Portugal, "the american president's security advisers" for the National
// Security Council, "the federal investigators" for the FBI. A dictionary
// knows these descriptions. The corpus's names (the profile's entities,
// and the capitalised names of the articles that the dictionary has) are
// indexed by the words of their definitions, and a query word that occurs
// in a name's definition stands for that name, at a weight that grows with
// how many of the question's words the definition has and falls with how
// many names share them.
const (
	// definedWeight is what a name found through its definition counts
	// at most, against 1 for the question's own words and up to 0.6 for
	// near words by vectors.
	definedWeight = 0.6
	// definedHalf is the match score (Σ 1/df of the question's words in
	// the definition) at which a name counts half of definedWeight: one
	// word found in one name's definition alone gives 0.35, two give 0.44.
	definedHalf = 0.7
	// definedMin: below this weight a name is too weakly described (a
	// word found in the definitions of dozens of names) to count.
	definedMin = 0.05
	// maxNameWords bounds the multi-word names looked up ("Federal Bureau
	// of Investigation").
	maxNameWords = 5
	// maxNameRuns bounds the multi-word names collected from a very large
	// corpus.
	maxNameRuns = 50000
)

// definedName is a name of the corpus with a definition.
type definedName struct {
	terms []string // the name's BM25 terms: what a query word expands to
}

// definitions indexes the corpus's names by the words of their
// definitions.
type definitions struct {
	once  sync.Once
	names []definedName
	// byTerm maps a definition word's term to the names whose definitions
	// hold it.
	byTerm map[string][]int
}

func (d *definitions) init(r *queryReader, ix *Index) {
	d.once.Do(func() {
		d.byTerm = map[string][]int{}
		if r.opts.Definitions == nil {
			return
		}
		seen := map[string]bool{}
		add := func(name string) {
			key := strings.ToLower(foldAccents(name))
			if seen[key] {
				return
			}
			seen[key] = true
			def := r.opts.Definitions.Definition(name)
			if len(def) == 0 {
				return
			}
			n := definedName{terms: Terms(name)}
			if len(n.terms) == 0 {
				return
			}
			own := map[string]bool{}
			for _, t := range n.terms {
				own[t] = true
			}
			i := len(d.names)
			d.names = append(d.names, n)
			have := map[string]bool{}
			for _, w := range def {
				if stopWords[w] || len(w) < 3 || IsDigits(w) {
					continue
				}
				for _, t := range Terms(w) {
					if !own[t] && !have[t] {
						have[t] = true
						d.byTerm[t] = append(d.byTerm[t], i)
					}
				}
			}
		}
		for _, ns := range r.names {
			for _, n := range ns {
				add(n)
			}
		}
		for _, n := range ix.names.get().list() {
			add(n)
		}
	})
}

func isJoiner(w string) bool { return w == "of" || w == "the" }

// sentenceStart reports whether the word at byte i of text begins a
// sentence (or a line, a heading, a quote).
func sentenceStart(text string, i int) bool {
	for j := i - 1; j >= 0; j-- {
		c := text[j]
		switch {
		case c == ' ' || c == '\t' || c == '"' || c == '(' || c == '\'' || c >= 0x80:
			continue
		case c == '.' || c == '!' || c == '?' || c == '\n' || c == ':':
			return true
		default:
			return false
		}
	}
	return true
}

// defined adds to q's words the names whose definitions they describe.
func (r *queryReader) defined(ix *Index, q *Query) {
	d := &r.defs
	d.init(r, ix)
	if len(d.names) == 0 {
		return
	}
	// The terms the question already has: a name it names needs no
	// description.
	asked := map[string]bool{}
	for _, w := range q.Words {
		for _, t := range w.Terms {
			if t.Weight == 1 {
				asked[t.Term] = true
			}
		}
	}
	type match struct {
		score float64 // Σ 1/df over the question's words in the definition
		word  int     // the question word with the rarest such term
		best  float64
	}
	matches := map[int]*match{}
	for wi, w := range q.Words {
		if len(w.Terms) == 0 || stopWords[w.Word] {
			continue
		}
		own := w.Terms[0].Term
		if ids := d.byTerm[own]; len(ids) > 0 {
			idf := 1 / float64(len(ids))
			for _, id := range ids {
				m := matches[id]
				if m == nil {
					m = &match{word: -1}
					matches[id] = m
				}
				m.score += idf
				if idf > m.best {
					m.best, m.word = idf, wi
				}
			}
		}
	}
	ids := make([]int, 0, len(matches))
	for id := range matches {
		ids = append(ids, id)
	}
	sort.Ints(ids)
	for _, id := range ids {
		m, n := matches[id], d.names[id]
		named := true
		for _, t := range n.terms {
			named = named && asked[t]
		}
		if named || m.word < 0 {
			continue
		}
		weight := math.Round(definedWeight*m.score/(m.score+definedHalf)*1000) / 1000
		if weight < definedMin {
			continue
		}
		qw := &q.Words[m.word]
		for _, t := range n.terms {
			if i := termIndex(qw.Terms, t); i >= 0 {
				qw.Terms[i].Weight = max(qw.Terms[i].Weight, weight)
			} else {
				qw.Terms = append(qw.Terms, WeightedTerm{Term: t, Weight: weight})
			}
		}
	}
}

func termIndex(ts []WeightedTerm, t string) int {
	for i, x := range ts {
		if x.Term == t {
			return i
		}
	}
	return -1
}
