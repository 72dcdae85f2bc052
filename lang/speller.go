package lang

import (
	"math"
	"math/bits"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Speller corrects misspelt and chat-style words in questions, from the
// resources and the corpus vocabulary only: there is no list of slang or of
// corrections anywhere in it. It picks, by a noisy-channel score,
//
//	log P(candidate) − cost(typed word | candidate)
//
// among three kinds of candidates:
//
//   - words within a small Damerau-Levenshtein distance (one edit for words of
//     up to four letters, two for longer ones), each edit costed by its kind:
//     a left-out letter (wat → what) is the cheapest, then a wrong vowel
//     (montenagro → montenegro) or two letters swapped, then a wrong or extra
//     letter;
//   - words the typed one abbreviates by dropping vowels (and some
//     consonants): it is a subsequence of the word with the same first
//     letter, ends on the word's last consonant, and has at least two vowels
//     fewer (govt → government, ppl → people, abt → about);
//   - a word with its clitic's apostrophe left out (whos → who's, dont →
//     don't), when the fused form is far rarer than the word it starts with.
//
// P is a mixture of a Zipf distribution over the GloVe frequency ranks and
// the corpus's own word frequencies, so the articles' words (names above
// all: mandient → mandiant) are preferred. The typed word competes too, with
// its own probability and no cost, and must be beaten by a margin.
//
// A word is never changed when it is a corpus word, a common English word
// (among the commonRank most frequent GloVe words, or a WordNet lemma — or
// a form of one — that WordNet's sense-tagged corpus uses), or not made of
// letters (numbers, codes).
type Speller struct {
	r           *Resources
	corpus      map[string]int
	corpusTotal float64
	cands       []spellCand
}

type spellCand struct {
	word    string
	logp    float64
	mask    uint32 // letters present (a–z)
	n       int    // length in bytes
	vowels  int
	lastCon byte // last consonant
}

const (
	// commonRank: a word among the 5,000 most frequent GloVe words is never
	// corrected. Those cover the bulk of running English text, so typing
	// one is nearly always meant; below that rank the vocabulary is mostly
	// names and rarer words that are also what typos land on (wen, a
	// surname, rank 5,342; govt, rank 14,164).
	commonRank = 5000
	// spellVocabRank: corrections are drawn from the GloVe words up to
	// this rank (the pack's frequent rows) and from the corpus.
	spellVocabRank = DefaultFrequent
	// corpusWeight is the corpus's share in the word probability: half,
	// so a word the articles use once weighs like a GloVe word of rank
	// ~3,000 in a 20,000-word corpus.
	corpusWeight = 0.5
	// unknownRank is the rank given to a word GloVe lacks, for its prior.
	unknownRank = 400000

	// Edit costs, in nats (natural-log units of the channel probability).
	// Leaving a letter out is the commonest slip in typed chat; a wrong
	// vowel or a swap is the commonest misspelling of names; a wrong or an
	// added letter is rarer.
	costOmit      = 2.0
	costVowel     = 2.5
	costTranspose = 2.5
	costDouble    = 2.5 // a letter typed twice
	costSubst     = 5.0
	costInsert    = 5.0
	// costAbbrev is the cost of writing a word as its vowel-less
	// abbreviation, whatever its length.
	costAbbrev = 3.0
	// abbrevMaxRank: an abbreviation stands for a common word.
	abbrevMaxRank = 20000
	// costClitic is the cost of leaving out a clitic's apostrophe.
	costClitic = 2.0
	// cliticMaxRank bounds the word the clitic attaches to, and
	// cliticRatio says how much rarer the fused form must be than that word:
	// GloVe splits "who's" into "who" + "'s", so a fused "whos" in its
	// vocabulary is a typo (rank 112,014 against 35), while a plural like
	// "albanians" is about as frequent as "albanian".
	cliticMaxRank = 20000
	cliticRatio   = 100
	// correctMargin is how much (in nats) a correction must beat leaving the
	// word as typed.
	correctMargin = 1.0
)

// clitics are the spellings of English enclitics: possessive/"is" 's,
// 're, 've, 'll, 'd, 'm and the negation n't. This is a closed grammatical
// class (like the suffixes in morph.go), not a list of words.
var clitics = []struct{ fused, written string }{
	{"nt", "n't"}, {"s", "'s"}, {"re", "'re"}, {"ve", "'ve"}, {"ll", "'ll"}, {"d", "'d"}, {"m", "'m"},
}

// zipfNorm is the harmonic number of the GloVe vocabulary's size: P(rank k)
// = 1 / (k · zipfNorm).
var zipfNorm = math.Log(341479) + 0.5772

// NewSpeller returns a speller for r and the corpus vocabulary: the
// lower-cased words of the articles with their counts.
func NewSpeller(r *Resources, corpusVocab map[string]int) *Speller {
	s := &Speller{r: r, corpus: make(map[string]int, len(corpusVocab))}
	for w, n := range corpusVocab {
		if n <= 0 {
			continue
		}
		w = normWord(w)
		s.corpus[w] += n
		s.corpusTotal += float64(n)
	}
	seen := make(map[string]bool, spellVocabRank+len(s.corpus))
	add := func(w string) {
		if seen[w] || len(w) < 2 || !isASCIILetters(w) {
			return
		}
		seen[w] = true
		c := spellCand{word: w, logp: s.logPrior(w), n: len(w)}
		for i := 0; i < len(w); i++ {
			c.mask |= 1 << (w[i] - 'a')
			if isVowel(w[i]) {
				c.vowels++
			} else {
				c.lastCon = w[i]
			}
		}
		s.cands = append(s.cands, c)
	}
	for row := 0; row < min(r.meta.Frequent, spellVocabRank); row++ {
		add(r.term(r.rowTerm[row]))
	}
	for w := range s.corpus {
		add(w)
	}
	return s
}

// logPrior is log P(w): the mixture of the GloVe Zipf probability and the
// corpus frequency.
func (s *Speller) logPrior(w string) float64 {
	rank := s.r.Rank(w)
	if rank == 0 {
		rank = unknownRank
	}
	p := (1 - corpusWeight) / (float64(rank) * zipfNorm)
	if n := s.corpus[w]; n > 0 && s.corpusTotal > 0 {
		p += corpusWeight * float64(n) / s.corpusTotal
	}
	return math.Log(p)
}

// Known reports whether the speller leaves w alone because it is a corpus
// word or a common English word (see Speller).
func (s *Speller) Known(word string) bool {
	w := normWord(word)
	if s.corpus[w] > 0 {
		return true
	}
	if rank := s.r.Rank(w); rank > 0 && rank <= commonRank {
		return true
	}
	return s.r.isCommonLemma(w)
}

// Correct returns the correction of word and true, or word and false when
// it leaves the word as typed. The correction keeps the word's case pattern
// (Montenagro → Montenegro, GOVT → GOVERNMENT).
func (s *Speller) Correct(word string) (string, bool) {
	w := normWord(word)
	if len(w) < 2 || !isASCIILetters(w) || s.Known(w) {
		return word, false
	}
	bestScore := s.logPrior(w) + correctMargin
	best := ""
	consider := func(c string, score float64) {
		if score > bestScore && c != w {
			best, bestScore = c, score
		}
	}

	maxDist := 2
	if len(w) <= 4 {
		maxDist = 1
	}
	var wmask uint32
	wv := 0
	for i := 0; i < len(w); i++ {
		wmask |= 1 << (w[i] - 'a')
		if isVowel(w[i]) {
			wv++
		}
	}
	last := w[len(w)-1]
	for i := range s.cands {
		c := &s.cands[i]
		if d := c.n - len(w); d >= -maxDist && d <= maxDist && bits.OnesCount32(c.mask^wmask) <= 2*maxDist {
			if cost, ok := editCost(w, c.word, maxDist); ok {
				consider(c.word, c.logp-cost)
			}
		}
		// Vowel-dropping abbreviations of common words.
		if c.n >= len(w)+2 && c.word[0] == w[0] && c.lastCon == last && c.vowels-wv >= 2 &&
			c.mask&wmask == wmask && c.logp-costAbbrev > bestScore && isSubsequence(w, c.word) {
			if rank := s.r.Rank(c.word); (rank > 0 && rank <= abbrevMaxRank) || s.corpus[c.word] > 0 {
				consider(c.word, c.logp-costAbbrev)
			}
		}
	}
	// A clitic without its apostrophe.
	fusedRank := s.r.Rank(w)
	for _, cl := range clitics {
		base, ok := strings.CutSuffix(w, cl.fused)
		if !ok || len(base) < 2 {
			continue
		}
		rank := s.r.Rank(base)
		if rank == 0 || rank > cliticMaxRank || (fusedRank > 0 && fusedRank < cliticRatio*rank) {
			continue
		}
		consider(base+cl.written, s.logPrior(base)-costClitic)
	}
	if best == "" {
		return word, false
	}
	return matchCase(word, best), true
}

// editCost returns the weighted Damerau-Levenshtein (optimal string
// alignment) cost of typing typed for want, and false if it takes more
// than maxEdits edits.
func editCost(typed, want string, maxEdits int) (float64, bool) {
	n, m := len(typed), len(want)
	// Two rows of (edits, cost) back, for transpositions.
	type cell struct {
		edits int
		cost  float64
	}
	prev2 := make([]cell, m+1)
	prev := make([]cell, m+1)
	cur := make([]cell, m+1)
	for j := 0; j <= m; j++ {
		prev[j] = cell{j, float64(j) * costOmit}
	}
	for i := 1; i <= n; i++ {
		cur[0] = cell{i, float64(i) * costInsert}
		rowMin := cur[0].edits
		for j := 1; j <= m; j++ {
			a, b := typed[i-1], want[j-1]
			// typed has a letter want lacks
			ins := costInsert
			if i >= 2 && typed[i-2] == a || i < n && typed[i] == a {
				ins = costDouble
			}
			best := cell{prev[j].edits + 1, prev[j].cost + ins}
			// want has a letter typed left out
			if c := (cell{cur[j-1].edits + 1, cur[j-1].cost + costOmit}); better(c.edits, c.cost, best.edits, best.cost) {
				best = c
			}
			sub := 0.0
			e := 0
			if a != b {
				e = 1
				sub = costSubst
				if isVowel(a) && isVowel(b) {
					sub = costVowel
				}
			}
			if c := (cell{prev[j-1].edits + e, prev[j-1].cost + sub}); better(c.edits, c.cost, best.edits, best.cost) {
				best = c
			}
			if i >= 2 && j >= 2 && a == want[j-2] && typed[i-2] == b && a != b {
				if c := (cell{prev2[j-2].edits + 1, prev2[j-2].cost + costTranspose}); better(c.edits, c.cost, best.edits, best.cost) {
					best = c
				}
			}
			cur[j] = best
			rowMin = min(rowMin, best.edits)
		}
		if rowMin > maxEdits {
			return 0, false
		}
		prev2, prev, cur = prev, cur, prev2
	}
	if prev[m].edits > maxEdits {
		return 0, false
	}
	return prev[m].cost, true
}

// better orders alignments by cost; the edit count only breaks ties. (The
// cheapest alignment may use more edits than the shortest; the count kept
// is that of the cheapest, so the edit bound is slightly conservative.)
func better(e1 int, c1 float64, e2 int, c2 float64) bool {
	return c1 < c2 || c1 == c2 && e1 < e2
}

// isSubsequence reports whether a's letters appear in b in order.
func isSubsequence(a, b string) bool {
	i := 0
	for j := 0; j < len(b) && i < len(a); j++ {
		if a[i] == b[j] {
			i++
		}
	}
	return i == len(a)
}

func isASCIILetters(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'a' || s[i] > 'z' {
			return false
		}
	}
	return s != ""
}

// matchCase gives corrected the case pattern of typed: all capitals, an
// initial capital, or lower case.
func matchCase(typed, corrected string) string {
	upper, lower := 0, 0
	for _, c := range typed {
		if unicode.IsUpper(c) {
			upper++
		} else if unicode.IsLower(c) {
			lower++
		}
	}
	switch {
	case upper > 1 && lower == 0:
		return strings.ToUpper(corrected)
	case upper > 0:
		first, size := utf8.DecodeRuneInString(typed)
		if unicode.IsUpper(first) && size > 0 {
			c, n := utf8.DecodeRuneInString(corrected)
			return string(unicode.ToUpper(c)) + corrected[n:]
		}
	}
	return corrected
}
