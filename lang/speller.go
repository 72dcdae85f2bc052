package lang

import (
	"math"
	"math/bits"
	"sort"
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
//     (montenagro → montenegro), two letters swapped (teh → the) or a
//     letter typed twice, then a wrong or an extra letter; an edit of the
//     first letter costs more; a word GloVe knows is corrected only for
//     left-out, swapped or doubled letters, and a word without a vowel
//     only as an abbreviation;
//   - common words the typed one abbreviates, with the same first letter,
//     ending on the word's last consonant and with at least two vowels
//     fewer: the word's consonant skeleton with vowels dropped (ppl →
//     people, abt → about, mln → million), or its first three letters or
//     more and its last (govt → government, dept → department);
//   - a word and a clitic with the apostrophe left out (whos → who's, dont
//     → don't, albanias → albania's), when the fused form is far rarer
//     than the word it starts with, which may itself be misspelt (wats →
//     what's).
//
// P is Zipf's law over the GloVe frequency ranks, where a corpus word ranks
// at least corpusRank, so the articles' names win over general words at the
// same distance (mandient → mandiant, stoltenburg → stoltenberg). The typed
// word competes too, with its own probability and no cost, and must be
// beaten by a margin; an English word (in WordNet) pays realWordCost more
// to be changed at all.
//
// A word is never changed when it is a corpus word, a common English word
// (among the commonRank most frequent GloVe words, or a WordNet lemma — or
// a form of one — in common use: tagged in SemCor or with several senses),
// shorter than three letters, or not made of letters only (numbers,
// codes, hyphenated words). The thresholds are the constants below.
//
// What it cannot do: words more than two edits off (shud for should);
// abbreviations GloVe itself knows well (pls, rank 83,312, is not worth
// changing for please, rank 3,617; msg, thx, plz stay); a rare real word one
// left-out letter from a common one (bot, a one-sense lemma of GloVe rank
// 23,945, becomes both: callers should add their own vocabulary, such as
// command names, to the corpus map); and grammar beyond the clitic rules
// (ifs becomes if's).
type Speller struct {
	r      *Resources
	corpus map[string]int
	cands  []spellCand // by length
	text   string      // the candidates' words, end to end
	byLen  []int       // cands[byLen[n]:byLen[n+1]] have n letters
	common []int32     // cands among the abbrevMaxRank most frequent words
}

// spellCand is one word a typed word may be corrected to. There are some
// 100,000 of them, so it is kept small (24 bytes, where it was 64): the
// word is a span of Speller.text rather than a string of its own.
type spellCand struct {
	logp    float64
	off     uint32 // the word is Speller.text[off : off+n]
	rank    int32  // GloVe rank, 0 if none
	mask    uint32 // letters present (a–z)
	n       uint8  // length in bytes
	vowels  uint8
	lastCon byte // last consonant
}

// maxCandLen is the longest word a correction can be (n is a byte): no
// word a person types is within two edits of a longer one.
const maxCandLen = 255

func (s *Speller) word(c *spellCand) string { return s.text[c.off : c.off+uint32(c.n)] }

const (
	// commonRank: a word among the 5,000 most frequent GloVe words is never
	// corrected. Those cover the bulk of running English text, so typing
	// one is nearly always meant; below that rank the vocabulary is mostly
	// names and rarer words that are also what typos land on (wen, a
	// surname, rank 5,342; govt, rank 14,164).
	commonRank = 5000
	// minCorrectLen: words shorter than this are left alone. Two-letter
	// strings are mostly meant (abbreviations, names, particles), and each
	// is one edit away from dozens of words.
	minCorrectLen = 3
	// spellVocabRank: corrections are drawn from the GloVe words up to
	// this rank (the pack's frequent rows) and from the corpus.
	spellVocabRank = DefaultFrequent
	// corpusRank: a corpus word weighs at least like the GloVe word of this
	// rank, so the articles' names (mandiant, not in GloVe; stoltenberg,
	// rank 26,715) beat general words of the same spelling distance, while
	// the corpus's most frequent words (iran) gain nothing and do not
	// attract every word near them.
	corpusRank = 2000
	// unknownRank is the rank given to a word GloVe lacks, for its prior.
	unknownRank = 400000

	// Edit costs, in nats (natural-log units of the channel probability).
	// Leaving a letter out is the commonest slip in typed chat (wat, wen);
	// a wrong vowel (montenagro), two letters swapped (teh) or a letter
	// typed twice are next; a wrong or an added letter is rarer. A word
	// GloVe knows is corrected only for slips (a left-out letter, a swap, a
	// doubled letter): one vowel or letter away from a common word, a known
	// token is mostly a name or a word of its own (giza is not gaza, bot
	// not but).
	costOmit      = 2.0
	costVowel     = 2.5
	costTranspose = 2.5
	costDouble    = 2.5
	costSubst     = 4.5
	costInsert    = 4.5
	// costFirst is added to an edit of the first letter, which people
	// rarely get wrong (embers is not a slip for members).
	costFirst = 2.0
	// realWordCost is added when the typed word is itself an English word
	// (WordNet has it, or its base, in lower case): it may well be meant.
	realWordCost = 1.0
	// costAbbrev is the cost of writing a word as its abbreviation,
	// whatever its length.
	costAbbrev = 3.0
	// abbrevMaxRank: an abbreviation stands for a common word (as common
	// as the words never corrected); and
	// abbrevRatio: the typed form must be at least this much rarer than
	// the word (ppl 59,959 against people 64; msg 34,045 against message
	// 2,960).
	abbrevMaxRank = commonRank
	abbrevRatio   = 10
	// costClitic is the cost of leaving out a clitic's apostrophe: less
	// than a left-out letter, since the apostrophe is the character chat
	// drops most (albanias is albania's before it is albanians).
	costClitic = 1.5
	// cliticMaxRank bounds the word a clitic attaches to: pronouns,
	// wh-words and auxiliaries, which are among the commonest words; the
	// possessive 's also attaches to names and nouns, up to
	// possessiveMaxRank (or any corpus word). cliticRatio says how much
	// rarer the fused form must be than that word: GloVe splits "who's"
	// into "who" + "'s", so a fused "whos" in its vocabulary is a typo (rank
	// 112,014 against 35), while a word like "theirs" is meant.
	cliticMaxRank     = 2000
	possessiveMaxRank = 20000
	cliticRatio       = 500
	// corpusCliticRatio is cliticRatio for the possessive of a corpus word,
	// which questions about the articles are likely to use (irans, rank
	// 177,431, against iran, 701).
	corpusCliticRatio = 100
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
		// A possessive or contracted token (mandiant's) also attests its
		// word.
		if i := strings.IndexByte(w, '\''); i > 0 {
			s.corpus[w[:i]] += n
		}
	}
	rows := min(r.meta.Frequent, spellVocabRank)
	var extra []string
	for w := range s.corpus {
		if t, ok := r.lookup(w); ok && r.termRow[t] != 0 && int(r.termRow[t]) <= rows {
			continue // added with the frequent words
		}
		extra = append(extra, w)
	}
	sort.Strings(extra) // so that ties break the same way every time
	// each calls f with every candidate, in the order ties break in: the
	// frequent words by rank, then the corpus's others.
	each := func(f func(w string, rank int)) {
		for row := 0; row < rows; row++ {
			t := r.rowTerm[row]
			if w := r.term(t); isCandidate(w) {
				f(w, int(r.termRank[t]))
			}
		}
		for _, w := range extra {
			if isCandidate(w) {
				f(w, r.Rank(w))
			}
		}
	}
	// By length, for the edit search (a counting sort, keeping the
	// order). Counted first, so that the candidates are placed straight
	// into arrays of their final size: appending them, then sorting a
	// copy, was 33 MB of garbage at every start.
	byLen, maxLen, size := make([]int, maxCandLen+2), 0, 0
	each(func(w string, _ int) {
		byLen[len(w)+1]++
		maxLen, size = max(maxLen, len(w)), size+len(w)
	})
	s.byLen = byLen[:maxLen+2]
	for n := 1; n < len(s.byLen); n++ {
		s.byLen[n] += s.byLen[n-1]
	}
	count := s.byLen[maxLen+1]
	// The words of each length lie end to end in text, in the
	// candidates' order, from textAt[n].
	textAt := make([]int, maxLen+2)
	for n := 1; n <= maxLen; n++ {
		textAt[n+1] = textAt[n] + (s.byLen[n+1]-s.byLen[n])*n
	}
	s.cands = make([]spellCand, count)
	text := make([]byte, size)
	next := append([]int(nil), s.byLen...)
	each(func(w string, rank int) {
		if rank == 0 {
			rank = unknownRank
		}
		if s.corpus[w] > 0 {
			rank = min(rank, corpusRank)
		}
		n := len(w)
		i := next[n]
		next[n]++
		off := textAt[n] + (i-s.byLen[n])*n
		copy(text[off:], w)
		c := spellCand{logp: -math.Log(float64(rank) * zipfNorm), off: uint32(off), rank: int32(rank), n: uint8(n)}
		for j := 0; j < n; j++ {
			c.mask |= 1 << (w[j] - 'a')
			if isVowel(w[j]) {
				c.vowels++
			} else {
				c.lastCon = w[j]
			}
		}
		s.cands[i] = c
	})
	s.text = string(text)
	for i, c := range s.cands {
		if c.rank <= abbrevMaxRank {
			s.common = append(s.common, int32(i))
		}
	}
	return s
}

// isCandidate reports whether w may be a correction: letters only, and no
// longer than a spellCand holds.
func isCandidate(w string) bool {
	return len(w) >= 2 && len(w) <= maxCandLen && isASCIILetters(w)
}

// logPrior is log P(w): Zipf over the GloVe ranks, a corpus word counting
// as at least corpusRank.
func (s *Speller) logPrior(w string) float64 {
	rank := s.r.Rank(w)
	if rank == 0 {
		rank = unknownRank
	}
	if s.corpus[w] > 0 {
		rank = min(rank, corpusRank)
	}
	return -math.Log(float64(rank) * zipfNorm)
}

// Known reports whether the speller leaves w alone because it is a corpus
// word or a common English word: among the commonRank most frequent GloVe
// words, or a WordNet lemma (or a form of one) in common use — one that
// WordNet's sense-tagged corpus (SemCor) uses, or that has more than one
// sense. A rare one-sense lemma (wen, a cyst) can still be corrected.
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
	if len(w) < minCorrectLen || !isASCIILetters(w) || s.Known(w) {
		return word, false
	}
	real := s.r.isLowerWord(w)
	penalty := 0.0
	if real {
		penalty = realWordCost
	}
	typedRank := s.r.Rank(w)
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
	// A word without a vowel (a, e, i, o, u, y) is an abbreviation, not a
	// slip: ppl is people, not pal.
	if !strings.ContainsAny(w, "aeiouy") {
		maxDist = -1
	}
	lo, hi := max(len(w)-maxDist, 0), min(len(w)+maxDist, len(s.byLen)-2)
	for i := s.byLen[min(lo, len(s.byLen)-1)]; lo <= hi && i < s.byLen[hi+1]; i++ {
		c := &s.cands[i]
		if bits.OnesCount32(c.mask^wmask) > 2*maxDist || c.logp-costOmit*float64(max(1, int(c.n)-len(w)))-penalty <= bestScore {
			continue
		}
		cw := s.word(c)
		if cost, ok := editCost(w, cw, maxDist, typedRank > 0); ok {
			consider(cw, c.logp-cost-penalty)
		}
	}
	// Vowel-dropping abbreviations of common words (see abbreviates).
	if !real {
		for _, i := range s.common {
			c := &s.cands[i]
			if (typedRank == 0 || typedRank >= abbrevRatio*int(c.rank)) &&
				int(c.n) >= len(w)+2 && s.text[c.off] == w[0] && c.lastCon == last && int(c.vowels)-wv >= 2 &&
				c.mask&wmask == wmask && c.logp-costAbbrev > bestScore && abbreviates(w, s.word(c)) {
				consider(s.word(c), c.logp-costAbbrev)
			}
		}
	}
	// A clitic without its apostrophe.
	for _, cl := range clitics {
		base, ok := strings.CutSuffix(w, cl.fused)
		if !ok || len(base) < 2 || real {
			continue
		}
		rank := s.r.Rank(base)
		extra := 0.0
		if rank == 0 || rank > cliticMaxRank {
			// The word before the clitic may be misspelt too: wats is
			// wat's, what's.
			if cb, ok := s.Correct(base); ok && !strings.ContainsAny(cb, "'’ ") {
				if r := s.r.Rank(cb); r > 0 && r <= cliticMaxRank && !s.r.isLowerWord(cb) {
					base, rank, extra = cb, r, costOmit
				}
			}
		}
		limit, ratio := cliticMaxRank, cliticRatio
		switch cl.fused {
		case "s":
			// The possessive (or "is") of a name, pronoun or wh-word:
			// not of a common noun, whose -s form is its plural, nor of a
			// word in -s (is, has, us).
			limit = possessiveMaxRank
			if s.corpus[base] > 0 && (rank == 0 || rank > cliticMaxRank || len(s.r.lemmas(base)) > 0) {
				// A name of the corpus (iran, WordNet's Iran), not one of
				// the function words the articles use too (their).
				ratio = corpusCliticRatio
				if rank == 0 || rank > corpusRank {
					rank = corpusRank
				}
			}
			if s.r.isLowerWord(base) || strings.HasSuffix(base, "s") {
				continue
			}
		case "nt":
			// n't follows auxiliaries: verbs (do, does, have) or words
			// WordNet lacks (is, could, would).
			if s.r.isLowerWord(base) && !s.r.isVerbForm(base) {
				continue
			}
		default:
			// 're, 've, 'll, 'd, 'm follow pronouns and wh-words: frequent
			// words WordNet, a dictionary of content words, lacks.
			if s.r.isLowerWord(base) {
				continue
			}
		}
		if rank == 0 || rank > limit || (typedRank > 0 && typedRank < ratio*rank) {
			continue
		}
		consider(base+cl.written, s.logPrior(base)-costClitic-extra)
	}
	if best == "" {
		return word, false
	}
	return matchCase(word, best), true
}

// editCost returns the weighted Damerau-Levenshtein (optimal string
// alignment) cost of typing typed for want, and false if it takes more
// than maxEdits edits, or, with slipsOnly, other edits than left-out,
// swapped and doubled letters.
func editCost(typed, want string, maxEdits int, slipsOnly bool) (float64, bool) {
	subst, insert := costSubst, costInsert
	if slipsOnly {
		subst, insert = impossible, impossible
	}
	n, m := len(typed), len(want)
	// Two rows of (edits, cost) back, for transpositions.
	type cell struct {
		edits int
		cost  float64
	}
	var buf [3 * 33]cell
	var prev2, prev, cur []cell
	if m+1 <= 33 {
		prev2, prev, cur = buf[:m+1], buf[33:33+m+1], buf[66:66+m+1]
	} else {
		prev2, prev, cur = make([]cell, m+1), make([]cell, m+1), make([]cell, m+1)
	}
	for j := 1; j <= m; j++ {
		prev[j] = cell{j, costFirst + float64(j)*costOmit}
	}
	for i := 1; i <= n; i++ {
		cur[0] = cell{i, float64(i)*insert + costFirst}
		rowMin := cur[0].edits
		first := 0.0
		if i == 1 {
			first = costFirst
		}
		for j := 1; j <= m; j++ {
			a, b := typed[i-1], want[j-1]
			// typed has a letter want lacks
			ins := insert
			if i >= 2 && typed[i-2] == a || i < n && typed[i] == a {
				ins = costDouble
			}
			best := cell{prev[j].edits + 1, prev[j].cost + ins + first}
			// want has a letter typed left out
			if c := (cell{cur[j-1].edits + 1, cur[j-1].cost + costOmit}); better(c.edits, c.cost, best.edits, best.cost) {
				best = c
			}
			sub := 0.0
			e := 0
			if a != b {
				e = 1
				sub = subst
				if isVowel(a) && isVowel(b) && !slipsOnly {
					sub = costVowel
				}
			}
			if e > 0 && i == 1 && j == 1 {
				sub += costFirst
			}
			if c := (cell{prev[j-1].edits + e, prev[j-1].cost + sub}); better(c.edits, c.cost, best.edits, best.cost) {
				best = c
			}
			if i >= 2 && j >= 2 && a == want[j-2] && typed[i-2] == b && a != b {
				tr := costTranspose
				if i == 2 && j == 2 {
					tr += costFirst
				}
				if c := (cell{prev2[j-2].edits + 1, prev2[j-2].cost + tr}); better(c.edits, c.cost, best.edits, best.cost) {
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
	if prev[m].edits > maxEdits || prev[m].cost >= impossible {
		return 0, false
	}
	return prev[m].cost, true
}

// impossible is the cost of an edit editCost may not use.
const impossible = 1e9

// better orders alignments by cost; the edit count only breaks ties. (The
// cheapest alignment may use more edits than the shortest; the count kept
// is that of the cheapest, so the edit bound is slightly conservative.)
func better(e1 int, c1 float64, e2 int, c2 float64) bool {
	return c1 < c2 || c1 == c2 && e1 < e2
}

// abbreviates reports whether a abbreviates w (the caller has checked the
// first letter, the last consonant and the vowels): a keeps w's consonant
// skeleton and drops vowels (ppl, people; msg, message; pls, please; abt,
// about), or a is w's first three letters or more and its last one (govt,
// government; dept, department; intl, international).
func abbreviates(a, w string) bool {
	if k := len(a) - 1; k >= 3 && a[:k] == w[:k] && a[k] == w[len(w)-1] {
		return true
	}
	i := 0
	for j := 0; j < len(w) && i < len(a); j++ {
		if a[i] == w[j] {
			i++
		}
	}
	return i == len(a) && skeleton(a) == skeleton(w)
}

// skeleton is w's consonants, a run of the same one once (people and ppl
// are both pl, message and msg both msg).
func skeleton(w string) string {
	b := make([]byte, 0, len(w))
	for i := 0; i < len(w); i++ {
		if !isVowel(w[i]) && (len(b) == 0 || b[len(b)-1] != w[i]) {
			b = append(b, w[i])
		}
	}
	return string(b)
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
