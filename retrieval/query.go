package retrieval

import (
	"math"
	"runtime"
	"sort"
	"strings"
	"sync"
	"unicode"

	"github.com/incidentbot/incidentbot"
)

// Query is a question read once: its words with spelling corrected, the
// terms to search for with their weights (the question's own at 1, the
// corpus's other words for them below), and the kind of answer it wants.
// Search ranks with it, and the answerer reads the same analysis.
type Query struct {
	Original string // as typed
	Text     string // spelling corrected: what is embedded
	Kind     Kind   // KindWith(Text, the index's nouns)
	// Focus is the head of the noun phrase the question asks for
	// (AskedHead), lower-cased; "" when it names none.
	Focus string
	Words []QueryWord
}

// QueryWord is one content word of a query with the terms that stand for
// it: its own, then expansions (another name of the same entity, a near
// word of the corpus), each with a weight in (0, 1].
type QueryWord struct {
	Orig  string // as written (capitalisation kept), after correction
	Word  string // lower-cased
	Terms []WeightedTerm
}

// WeightedTerm is a BM25 term and how much it counts.
type WeightedTerm struct {
	Term   string
	Weight float64
}

// WordVectors gives a word's vector (unit length), nil when unknown;
// *lang.Resources satisfies it.
type WordVectors interface {
	Vector(word string) []float32
}

// Speller corrects one word, reporting whether it changed it.
type Speller interface {
	Correct(word string) (string, bool)
}

// QueryOptions are what the index reads queries with.
type QueryOptions struct {
	// Aliases maps each lower-cased other name of an entity of the corpus
	// (a demonym, a capital, an abbreviation) to its canonical name; from
	// the corpus's profile.
	Aliases map[string]string
	// Vectors, if set, expand a query word with the corpus's words nearest
	// to it in meaning.
	Vectors WordVectors
	// NewSpeller, if set, builds the corrector for an index's vocabulary
	// (its words and their counts).
	NewSpeller func(vocab map[string]int) Speller
	// Definitions, if set, let a query word stand for a name of the corpus
	// whose definition holds it (definitions.go).
	Definitions Definer
	// Nouns, if set, tell what a "which …" question asks for: "which two
	// diplomats" wants persons as "who" does (kind.go).
	Nouns NounKinds
	// Phrases, if set, expand a verb and the particle after it with the
	// phrase's synonyms ("kicked out" → expel).
	Phrases Phraser
}

// NounKinds knows what English words name; *lang.Resources satisfies it.
type NounKinds interface {
	// MainSenseIsA reports whether word's commonest noun sense is a kind
	// of class's.
	MainSenseIsA(word, class string) bool
	// MainlyVerb reports whether w is used as a verb more than otherwise.
	MainlyVerb(w string) bool
}

// Phraser knows the words of many words: a dictionary's multi-word
// entries ("kick out", "cut off", "brush off") and their synonyms.
type Phraser interface {
	// Synonyms returns the words that share a sense with phrase, most
	// frequent senses first; none when phrase is no entry.
	Synonyms(phrase string) []string
	// Rank is a word's place in English by frequency (1 the commonest),
	// 0 when unknown.
	Rank(word string) int
}

// Expansion limits: near words count for less than the question's own,
// and only close ones count at all. GloVe cosines of related words start
// around 0.6 ("hack"/"hacking" 0.8, "envoy"/"diplomat" 0.7); below that
// they are mostly words of the same topic, not of the same meaning.
const (
	nearMin     = 0.62
	nearWeight  = 0.6 // times the cosine
	nearPerWord = 3
	// commonRank: words among the commonest this many in the vectors'
	// frequency order get no near words.
	commonRank = 300
)

// queryReader holds what reading queries against one index needs: the
// corpus's vocabulary (counted when the index is built, countVocabulary),
// its speller, the vectors of its words, the names of each entity (built
// before the store serves the index, or on first use).
type queryReader struct {
	once    sync.Once
	opts    QueryOptions
	vocab   map[string]int
	speller Speller
	words   []string  // vocabulary words with a vector
	vecs    []float32 // their vectors, row by row
	dim     int
	names   map[string][]string // canonical → every name (canonical first)
	aliases map[string]string   // opts.Aliases with accents folded
	// entity maps the term of each one-word name to its entity's
	// canonical name.
	entity map[string]string
	defs   definitions
}

func (r *queryReader) init(ix *Index) {
	r.once.Do(func() {
		if r.vocab == nil {
			r.vocab = countVocabulary(ix.articles)
		}
		if r.opts.NewSpeller != nil {
			r.speller = r.opts.NewSpeller(r.vocab)
		}
		if r.opts.Vectors != nil {
			ws := make([]string, 0, len(r.vocab))
			for w := range r.vocab {
				if !stopWords[w] && len(w) > 2 && !IsDigits(w) {
					ws = append(ws, w)
				}
			}
			sort.Strings(ws)
			for _, w := range ws {
				if v := r.opts.Vectors.Vector(w); v != nil {
					r.dim = len(v)
					r.words = append(r.words, w)
					r.vecs = append(r.vecs, v...)
				}
			}
		}
		r.names = map[string][]string{}
		r.aliases = map[string]string{}
		for alias, canon := range r.opts.Aliases {
			alias, canon = foldAccents(strings.ToLower(alias)), foldAccents(strings.ToLower(canon))
			r.aliases[alias] = canon
			if len(r.names[canon]) == 0 {
				r.names[canon] = []string{canon}
			}
			if alias != canon {
				r.names[canon] = append(r.names[canon], alias)
			}
		}
		r.entity = map[string]string{}
		for canon, ns := range r.names {
			sort.Strings(ns[1:])
			for _, n := range ns {
				if ts := Terms(n); len(ts) == 1 {
					r.entity[ts[0]] = canon
				}
			}
		}
	})
}

// countVocabulary counts the words of the articles' texts and titles, on
// every core: at a million passages reading them takes most of a minute
// on one, which the first query used to wait for.
func countVocabulary(articles []*incidentbot.Article) map[string]int {
	workers := runtime.GOMAXPROCS(0)
	parts := make([]map[string]int, workers)
	onEveryCore(workers, len(articles), func(w, i int) {
		if parts[w] == nil {
			parts[w] = map[string]int{}
		}
		for _, word := range words(articles[i].Text) {
			parts[w][word]++
		}
		for _, word := range words(articles[i].Title) {
			parts[w][word]++
		}
	})
	vocab := map[string]int{}
	for _, p := range parts {
		for word, n := range p {
			vocab[word] += n
		}
	}
	return vocab
}

// prepareQueries sets the options queries are read with and starts
// building what reading them needs (the speller, the vectors of the
// corpus's words), in the background: the first query then finds it
// done, or waits only for the rest, and loading the index (the cold start)
// does not wait for it at all.
func (ix *Index) prepareQueries(opts QueryOptions) {
	ix.reader.opts = opts
	ix.prepared = make(chan struct{})
	go func() {
		defer close(ix.prepared)
		ix.reader.init(ix)
		ix.reader.defs.init(&ix.reader, ix)
	}()
}

// Vocabulary returns the lower-cased words of the corpus with their
// counts.
func (ix *Index) Vocabulary() map[string]int {
	ix.reader.init(ix)
	return ix.reader.vocab
}

// EntityOf returns the canonical name of the profile's entity that term
// names (a capital for its country), or the empty string.
func (ix *Index) EntityOf(term string) string {
	ix.reader.init(ix)
	return ix.reader.entity[term]
}

// Analyze reads text as a query.
func (ix *Index) Analyze(text string) Query {
	r := &ix.reader
	r.init(ix)
	q := Query{Original: text, Text: r.correct(text)}
	q.Kind = KindWith(q.Text, r.opts.Nouns)
	q.Focus = AskedHead(q.Text, r.opts.Nouns)
	// Multi-word names first ("islamic republic"), then single words.
	lower := strings.ToLower(foldAccents(q.Text))
	aliased := map[string]bool{}
	for alias, canon := range r.aliases {
		if strings.Contains(alias, " ") && containsPhrase(lower, alias) {
			q.Words = append(q.Words, r.entityWord(alias, canon))
			for _, w := range words(alias) {
				aliased[w] = true
			}
		}
	}
	seen := map[string]bool{}
	raw := rawWords(q.Text)
	for i, orig := range raw {
		orig = strings.TrimSuffix(strings.TrimSuffix(orig, "'s"), "’s")
		w := strings.ToLower(foldAccents(orig))
		if seen[w] || aliased[w] {
			continue
		}
		seen[w] = true
		own := Terms(w)
		if len(own) == 0 || len([]rune(orig)) == 1 && unicode.IsLower([]rune(orig)[0]) {
			// A lower-case letter alone is chat shorthand ("w" for with,
			// "u" for you), no subject; "unit C" keeps its capital.
			continue
		}
		if canon, ok := r.aliases[w]; ok {
			qw := r.entityWord(w, canon)
			qw.Orig = orig
			q.Words = append(q.Words, qw)
			continue
		}
		qw := QueryWord{Orig: orig, Word: w}
		for _, t := range own {
			qw.Terms = append(qw.Terms, WeightedTerm{Term: t, Weight: 1})
		}
		if !unicode.IsUpper([]rune(orig)[0]) {
			if i+1 < len(raw) {
				qw.Terms = append(qw.Terms, r.phrasal(ix, w, strings.ToLower(raw[i+1]), own)...)
			}
			qw.Terms = append(qw.Terms, r.near(w, own)...)
		}
		q.Words = append(q.Words, qw)
	}
	// In the order the question says them: the multi-word names were
	// found first (and in map order), but what a question asks for is
	// read from its words' order ("who's the CEO of the phone company" asks
	// for a CEO).
	at := func(w QueryWord) int {
		if i := phraseIndex(lower, w.Word); i >= 0 {
			return i
		}
		return len(lower)
	}
	sort.SliceStable(q.Words, func(i, j int) bool { return at(q.Words[i]) < at(q.Words[j]) })
	r.defined(ix, &q)
	return q
}

// KindOf is the kind of answer text asks for, read with the index's
// knowledge of nouns (KindWith).
func (ix *Index) KindOf(text string) Kind {
	ix.reader.init(ix)
	return KindWith(text, ix.reader.opts.Nouns)
}

// entityWord is a word that names an entity of the profile: every name
// of the entity stands for it in full.
func (r *queryReader) entityWord(word, canon string) QueryWord {
	qw := QueryWord{Orig: word, Word: word}
	have := map[string]bool{}
	add := func(name string, weight float64) {
		for _, t := range Terms(name) {
			if !have[t] {
				have[t] = true
				qw.Terms = append(qw.Terms, WeightedTerm{Term: t, Weight: weight})
			}
		}
	}
	add(word, 1)
	for _, n := range r.names[canon] {
		add(n, 1)
	}
	return qw
}

// Phrasal verbs: a verb and a particle among the commonest English words
// ("out", "off", "after") that a dictionary lists together are read as
// one word, and the verb stands also for the phrase's synonyms that the
// corpus uses (people say "kicked out" and "cut off" where articles write
// "expelled" and "severed"). The particle stays a word of its own: the
// articles use phrasal verbs too ("took place").
const (
	particleRank   = 300 // a particle is among the commonest words
	phrasalWeight  = 0.8 // a synonym counts for less than the word itself
	phrasalPerWord = 4
)

// phrasal returns, when w and next are one dictionary entry, the terms of
// its synonyms that the corpus has (the first phrasalPerWord, most
// frequent senses first); nil otherwise.
func (r *queryReader) phrasal(ix *Index, w, next string, own []string) []WeightedTerm {
	p := r.opts.Phrases
	if p == nil || stopWords[w] {
		return nil
	}
	if n := p.Rank(next); n == 0 || n > particleRank {
		return nil
	}
	have := map[string]bool{}
	for _, t := range own {
		have[t] = true
	}
	var out []WeightedTerm
	for _, syn := range p.Synonyms(w + " " + next) {
		if strings.Contains(syn, " ") {
			continue
		}
		for _, t := range Terms(syn) {
			if !have[t] && ix.KnowsTerm(t) {
				have[t] = true
				out = append(out, WeightedTerm{Term: t, Weight: phrasalWeight})
			}
		}
		if len(out) >= phrasalPerWord {
			break
		}
	}
	return out
}

// near returns the corpus's words closest in meaning to w, as weighted
// terms other than w's own.
func (r *queryReader) near(w string, own []string) []WeightedTerm {
	if r.opts.Vectors == nil || len(r.words) == 0 || stopWords[w] {
		return nil
	}
	if rk, ok := r.opts.Vectors.(interface{ Rank(string) int }); ok {
		if n := rk.Rank(w); n > 0 && n <= commonRank {
			return nil // the commonest words ("say", "out", "make") are near too many others to stand for any
		}
	}
	v := r.opts.Vectors.Vector(w)
	if v == nil {
		return nil
	}
	type scored struct {
		word string
		sim  float64
	}
	var best []scored
	for i, word := range r.words {
		row := r.vecs[i*r.dim : (i+1)*r.dim]
		sim := dot(v, row)
		if sim < nearMin || word == w {
			continue
		}
		best = append(best, scored{word, sim})
	}
	sort.Slice(best, func(i, j int) bool {
		return best[i].sim > best[j].sim || best[i].sim == best[j].sim && best[i].word < best[j].word
	})
	have := map[string]bool{}
	for _, t := range own {
		have[t] = true
	}
	var out []WeightedTerm
	for _, b := range best {
		if len(out) == nearPerWord {
			break
		}
		for _, t := range Terms(b.word) {
			if !have[t] {
				have[t] = true
				out = append(out, WeightedTerm{Term: t, Weight: math.Round(nearWeight*b.sim*1000) / 1000})
			}
		}
	}
	return out
}

// correct fixes the spelling of text's words against the corpus's
// vocabulary and English; a capitalised word is a name, changed only to
// a word the corpus has.
func (r *queryReader) correct(text string) string {
	if r.speller == nil {
		return text
	}
	var b strings.Builder
	last := 0
	for _, span := range rawWordSpans(text) {
		w := text[span[0]:span[1]]
		// A possessive is the word's and the 's: "montenegor's" is
		// corrected as "montenegor".
		poss := ""
		for _, p := range []string{"'s", "’s"} {
			if strings.HasSuffix(strings.ToLower(w), p) && len(w) > len(p)+2 {
				w, poss = w[:len(w)-len(p)], w[len(w)-len(p):]
				break
			}
		}
		lw := strings.ToLower(w)
		fixed := w
		if c, ok := r.speller.Correct(lw); ok && c != lw {
			switch {
			case unicode.IsUpper([]rune(w)[0]):
				if r.vocab[strings.ToLower(foldAccents(c))] > 0 && !strings.Contains(c, " ") {
					fixed = strings.ToUpper(c[:1]) + c[1:]
				}
			default:
				fixed = c
			}
		}
		if fixed == w {
			if n := r.nearName(strings.ToLower(foldAccents(w)), r.isNameLike(w)); n != "" {
				fixed = n
				if unicode.IsUpper([]rune(w)[0]) {
					fixed = strings.ToUpper(n[:1]) + n[1:]
				}
			}
		}
		b.WriteString(text[last:span[0]])
		b.WriteString(fixed + poss)
		last = span[1]
	}
	b.WriteString(text[last:])
	return b.String()
}

// rawWordSpans returns the byte spans of text's words (letters, digits,
// inner apostrophes and hyphens).
func rawWordSpans(text string) [][2]int {
	var out [][2]int
	start := -1
	for i, r := range text {
		inner := (r == '\'' || r == '’' || r == '-') && start >= 0
		if unicode.IsLetter(r) || unicode.IsDigit(r) || inner {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			out = append(out, [2]int{start, i})
			start = -1
		}
	}
	if start >= 0 {
		out = append(out, [2]int{start, len(text)})
	}
	for i, s := range out {
		// A trailing apostrophe or hyphen is punctuation.
		for s[1] > s[0] && strings.ContainsAny(text[s[1]-1:s[1]], "'-") {
			s[1]--
		}
		out[i] = s
	}
	return out
}

func rawWords(text string) []string {
	var out []string
	for _, s := range rawWordSpans(text) {
		if s[1] > s[0] {
			out = append(out, text[s[0]:s[1]])
		}
	}
	return out
}

// containsPhrase reports whether phrase occurs in text as whole words.
func containsPhrase(text, phrase string) bool { return phraseIndex(text, phrase) >= 0 }

// phraseIndex is the offset of phrase's first occurrence in text as whole
// words, -1 when there is none.
func phraseIndex(text, phrase string) int {
	for i := 0; ; {
		j := strings.Index(text[i:], phrase)
		if j < 0 {
			return -1
		}
		s, e := i+j, i+j+len(phrase)
		before := s == 0 || !isWordByte(text[s-1])
		after := e == len(text) || !isWordByte(text[e])
		if before && after {
			return s
		}
		i = s + 1
	}
}

func isWordByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= '0' && b <= '9' || b >= 0x80
}

// weights returns the query's terms with their weights, each term at the
// largest weight any word gives it.
func (q Query) weights() map[string]float64 {
	out := map[string]float64{}
	for _, w := range q.Words {
		for _, t := range w.Terms {
			out[t.Term] = max(out[t.Term], t.Weight)
		}
	}
	return out
}
