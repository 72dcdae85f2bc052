package answer

import (
	"math"
	"slices"
	"strings"

	"github.com/incidentbot/incidentbot"
	"github.com/incidentbot/incidentbot/retrieval"
)

// Lexicon is general knowledge of English words; *lang.Resources
// satisfies it. Without one, the features that need it are zero.
type Lexicon interface {
	// Similarity is the cosine of two words' vectors, 0 when unknown.
	Similarity(a, b string) float64
	// IsA reports whether some sense of word is a kind of class
	// ("FBI" is a kind of agency).
	IsA(word, class string) bool
	// IsEnglishWord reports whether w is an English word.
	IsEnglishWord(w string) bool
	// Vector is a word's unit vector, nil when unknown.
	Vector(word string) []float32
	// Rank is a word's place in English by frequency (1 the commonest),
	// 0 when unknown.
	Rank(word string) int
	// IsName reports whether English knows w only as a name ("serbia").
	IsName(w string) bool
	// IsCommonWord reports whether w is a lower-case English word in
	// common use.
	IsCommonWord(w string) bool
}

// The reader's features of one candidate: general measures of how well a
// sentence (or a sentence and the next) answers a question, none of them
// about any corpus. Their weights are fitted (train.go).
const (
	fCosine      = iota // encoder cosine of sentence and question
	fCover              // IDF-weighted share of the question's terms the sentence has
	fSoft               // the same, counting near words (word vectors, WordNet kinds) by their similarity
	fContext            // share of the question's terms only the previous sentence has
	fKind               // the sentence holds the kind of answer asked for (a date for "when")
	fPrior              // the passage's retrieval score relative to the best
	fNames              // share of the question's names the sentence (or the one before) has
	fYearOther          // the question names a year and the sentence only others
	fFocus              // how well the sentence names the thing asked for
	fMissing            // weight of the weightiest question term the sentence lacks, relative to the weightiest
	fLogWords           // log of the sentence's length in words
	fCosRel             // cosine minus the best cosine among the candidates
	fSoftRel            // soft cover minus the best among the candidates
	fPair               // the candidate is a sentence with the one after it
	fFocusExact         // the sentence has the very term asked for (or another name of it)
	fUnmatched          // share of the question's weightier words the sentence does not match
	fEntityClash        // the question names an entity the sentence does not, and the sentence names another
	fKindMissing        // the question asks for a kind of answer the sentence does not hold
	fKindNew            // the sentence holds an answer of that kind the question does not already say
	fVote               // support from the other sentences for the answer it gives (votes.go)
	nFeatures
)

var featureNames = [nFeatures]string{"cosine", "cover", "soft_cover", "context", "kind", "prior", "names",
	"year_other", "focus", "missing", "log_words", "cosine_rel", "soft_rel", "pair", "focus_exact", "unmatched", "entity_clash", "kind_missing", "kind_new", "vote"}

// softMin is the word-vector cosine below which two words are unrelated.
// GloVe cosines of unrelated frequent words sit around 0.1–0.4; synonyms
// and close relations from 0.6 up.
const softMin = 0.5

// matcher measures a question against sentences, caching word
// similarities for the question's words.
type matcher struct {
	qa  *question
	lex Lexicon
	// Caches for one question: word vectors, and word-to-word matches
	// (most sentence words recur across the candidates and the pairs).
	vecs  map[string][]float32
	sims  map[[2]string]float64
	kinds map[[2]string]bool
}

func newMatcher(qa *question, lex Lexicon) *matcher {
	return &matcher{qa: qa, lex: lex, vecs: map[string][]float32{}, sims: map[[2]string]float64{}, kinds: map[[2]string]bool{}}
}

func (m *matcher) vector(w string) []float32 {
	v, ok := m.vecs[w]
	if !ok {
		v = m.lex.Vector(w)
		m.vecs[w] = v
	}
	return v
}

// similarity is the word-vector cosine of question word q and sentence
// word s.
func (m *matcher) similarity(q, s string) float64 {
	k := [2]string{q, s}
	if sim, ok := m.sims[k]; ok {
		return sim
	}
	var sim float64
	if a, b := m.vector(q), m.vector(s); a != nil && b != nil {
		sim = retrieval.Dot(a, b)
	}
	m.sims[k] = sim
	return sim
}

// isA reports whether sentence word s is a kind of question word q.
func (m *matcher) isA(s, q string) bool {
	k := [2]string{s, q}
	v, ok := m.kinds[k]
	if !ok {
		v = len(s) > 2 && m.lex.IsA(s, q)
		m.kinds[k] = v
	}
	return v
}

// match returns how well the sentence words ws name question word w: 1 for
// the same term or another name of it, else the best similarity above
// softMin, or 0.9 when a sentence word is a kind of w ("FBI" for
// "agency").
func (m *matcher) match(w qword, terms map[string]bool, ws []string) float64 {
	if terms[w.term] {
		return 1
	}
	best := 0.0
	for t, wt := range w.alts {
		if terms[t] {
			best = max(best, wt)
		}
	}
	if best == 1 || m.lex == nil {
		return best
	}
	for _, s := range ws {
		if sim := m.similarity(w.word, s); sim > best {
			best = sim
		}
	}
	if best < softMin {
		best = 0
	}
	if best < 0.9 && w.term == m.qa.focus.term {
		// Kinds matter for the thing asked for: "which bureau" is
		// answered by the FBI.
		for _, s := range ws {
			if m.isA(s, w.word) {
				return 0.9
			}
		}
	}
	return best
}

// features fills c.f for candidate c, whose previous sentence has terms
// prev.
func (m *matcher) features(ix *retrieval.Index, c *candidate, prev map[string]bool, top float64) {
	qa := m.qa
	f := &c.f
	f[fCosine] = c.cosine
	ws := sentenceWords(c.text)
	var exact, soft, ctx, missing float64
	weighty, unmatched := 0, 0
	for _, w := range qa.words {
		s := m.match(w, c.terms, ws)
		if s == 1 {
			exact += w.weight
			if w.term == qa.focus.term {
				f[fFocusExact] = 1
			}
		}
		if w.weight >= qa.total/float64(len(qa.words)) {
			weighty++
			if s < softMin && !prev[w.term] {
				unmatched++
			}
		}
		soft += s * w.weight
		if s == 0 && prev[w.term] {
			ctx += w.weight
		}
		if s < softMin && !prev[w.term] {
			missing = max(missing, w.weight)
		}
		if w.term == qa.focus.term {
			f[fFocus] = s
		}
	}
	if qa.total > 0 {
		f[fCover] = min(exact/qa.total, 1)
		f[fSoft] = min(soft/qa.total, 1)
		f[fContext] = ctx / qa.total
	}
	if qa.maxIDF > 0 {
		f[fMissing] = missing / qa.maxIDF
	}
	if qa.kind != retrieval.KindAny && qa.holds(ix, c, qa.kind) {
		f[fKind] = 1
		if qa.kind == retrieval.KindDate && !c.hasKind(ix, retrieval.KindDay) {
			f[fKind] = 0.5 // a month answers "when" less well than a day
		}
	} else if qa.kind == retrieval.KindDate && c.hasKind(ix, retrieval.KindYear) {
		f[fKind] = 0.5 // so does a year ("when was it founded?" "in 1965")
	}
	if qa.kind != retrieval.KindAny {
		if f[fKind] == 0 {
			f[fKindMissing] = 1
		} else if newValue(qa, c.text, c.hit.Article) {
			f[fKindNew] = 1
		}
	}
	if top > 0 {
		f[fPrior] = c.hit.Score / top
	}
	f[fNames] = 1
	if len(qa.names) > 0 {
		n := 0
		for _, w := range qa.names {
			if c.terms[w.term] || prev[w.term] {
				n++
			}
		}
		f[fNames] = float64(n) / float64(len(qa.names))
	}
	if len(qa.years) > 0 {
		if ys := retrieval.Years(c.text); len(ys) > 0 && !slices.ContainsFunc(ys, func(y string) bool { return slices.Contains(qa.years, y) }) {
			f[fYearOther] = 1
		}
	}
	if weighty > 0 {
		f[fUnmatched] = float64(unmatched) / float64(weighty)
	}
	if len(qa.entities) > 0 {
		// Which of the profile's entities the sentence (and the one
		// before, which often sets the scene) names.
		named := map[string]bool{}
		for t := range c.terms {
			if e := ix.EntityOf(t); e != "" {
				named[e] = true
			}
		}
		for t := range prev {
			if e := ix.EntityOf(t); e != "" {
				named[e] = true
			}
		}
		missingOne := false
		for _, e := range qa.entities {
			missingOne = missingOne || !named[e]
		}
		other := false
		for e := range named {
			other = other || !slices.Contains(qa.entities, e)
		}
		if missingOne && other {
			f[fEntityClash] = 1
		}
	}
	f[fLogWords] = math.Log1p(float64(wordCount(c.text)))
	if c.pair {
		f[fPair] = 1
	}
}

// newValue reports whether text holds a value of the kind qa asks for
// that qa does not already name: "When did … on July 15 …?" is not
// answered by a sentence whose only date is July 15.
func newValue(qa *question, text string, art *incidentbot.Article) bool {
	switch qa.kind {
	case retrieval.KindDate:
		for _, d := range retrieval.FindDates(text) {
			if !qa.askedDates[d.Key()] {
				return true
			}
		}
		// A year alone answers "when" too.
		return slices.ContainsFunc(retrieval.Years(text), func(y string) bool { return !slices.Contains(qa.years, y) })
	case retrieval.KindYear:
		for _, y := range retrieval.Years(text) {
			if !slices.Contains(qa.years, y) {
				return true
			}
		}
		return false
	case retrieval.KindPerson:
		for _, n := range qa.persons(text, art) {
			for _, t := range retrieval.Terms(n) {
				if !qa.askedTerms[t] {
					return true
				}
			}
		}
		return false
	case retrieval.KindNumber:
		for _, w := range digitNumbers(text) {
			if !qa.askedTerms[w] {
				return true
			}
		}
		return false
	}
	return true
}

// digitNumbers are the numbers text writes in digits.
func digitNumbers(text string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(text, func(r rune) bool { return !(r >= '0' && r <= '9' || r == ',' || r == '.') }) {
		if w = strings.Trim(strings.ReplaceAll(w, ",", ""), ".,"); w != "" {
			out = append(out, w)
		}
	}
	return out
}

// holds reports whether candidate c holds an answer of kind: what the
// index marks for its sentences, and for a person a name English takes
// for one (retrieval.PersonNames).
func (qa *question) holds(ix *retrieval.Index, c *candidate, kind retrieval.Kind) bool {
	if !c.hasKind(ix, kind) {
		return false
	}
	return kind != retrieval.KindPerson || qa.lex == nil || len(qa.persons(c.text, c.hit.Article)) > 0
}

// hasKind reports whether the candidate's sentences hold an answer of
// kind (or, with retrieval.KindDay, a date to the day); the index knows it
// for each sentence.
func (c *candidate) hasKind(ix *retrieval.Index, kind retrieval.Kind) bool {
	if ix.SentenceHasAnswerKind(c.hit.Passage, c.index, kind) {
		return true
	}
	if c.pair && c.across != nil {
		return ix.SentenceHasAnswerKind(c.across.Passage, 0, kind)
	}
	return c.pair && ix.SentenceHasAnswerKind(c.hit.Passage, c.index+1, kind)
}

// sentenceWords are the lower-cased words of a sentence, for word-vector
// lookups.
func sentenceWords(text string) []string {
	var out []string
	for _, m := range wordRE.FindAllString(text, -1) {
		w := strings.ToLower(strings.TrimRight(m, ".'’"))
		w = strings.TrimSuffix(strings.TrimSuffix(w, "'s"), "’s")
		if len(w) > 1 && !stop(w) {
			out = append(out, w)
		}
	}
	return out
}

// stop: a word BM25 ignores is no evidence of meaning either.
func stop(w string) bool { return retrieval.IsStopWord(w) }

// relative fills the features that compare a candidate with the others.
func relative(cands []*candidate) {
	bestCos, bestSoft := math.Inf(-1), math.Inf(-1)
	for _, c := range cands {
		bestCos = max(bestCos, c.f[fCosine])
		bestSoft = max(bestSoft, c.f[fSoft])
	}
	for _, c := range cands {
		c.f[fCosRel] = c.f[fCosine] - bestCos
		c.f[fSoftRel] = c.f[fSoft] - bestSoft
	}
}

// The answerability features of a question: whether the best candidate
// answers it at all, or the articles do not say.
const (
	aBest        = iota // the reader's log-odds for the best candidate
	aUnseen             // share of the question's weight unknown to the corpus
	aUnknownName        // the question names something the corpus never mentions
	aKindWanted         // the question asks for a kind of answer…
	aKindFound          // …and the best candidate has it
	aGap                // best log-odds minus the second best's
	aCosine             // the best candidate's cosine
	aSoft               // its soft cover
	aFocus              // its focus match
	aFocusExact         // it has the very term asked for
	aMissing            // its missing-term weight
	aUnmatched          // its share of unmatched weighty words
	aNames              // its share of the question's names
	aEntityClash        // it is about another entity than the question
	aVote               // the other sentences' support for its answer
	aQWeight            // log of the question's total weight: how much it specifies
	aBroad              // it asks for an overview ("what happened with …"), which names a subject, not a detail the articles may lack
	nAnswerable
)

var answerableNames = [nAnswerable]string{"best_logit", "unseen", "unknown_name", "kind_wanted", "kind_found", "gap",
	"cosine", "soft_cover", "focus", "focus_exact", "missing", "unmatched", "names", "entity_clash", "vote", "question_weight", "broad"}

// questionFeatures are the answerability features of the question alone.
func questionFeatures(qa *question) [nAnswerable]float64 {
	var a [nAnswerable]float64
	a[aUnseen] = 1
	if qa.total > 0 {
		a[aUnseen] = qa.unseen / qa.total
	}
	if qa.unknownName != "" {
		a[aUnknownName] = 1
	}
	if qa.kind != retrieval.KindAny {
		a[aKindWanted] = 1
	}
	a[aQWeight] = math.Log1p(qa.total)
	if qa.broad {
		a[aBroad] = 1
	}
	a[aBest] = -10 // no candidate
	return a
}

// withBest completes question features qf with the best candidate's
// features f, its log-odds and the second best's (-Inf when none).
func withBest(qf [nAnswerable]float64, f *[nFeatures]float64, best, second float64) []float64 {
	a := qf
	a[aBest] = best
	if !math.IsInf(second, -1) {
		a[aGap] = best - second
	}
	a[aKindFound] = f[fKind]
	a[aCosine], a[aSoft], a[aFocus], a[aFocusExact] = f[fCosine], f[fSoft], f[fFocus], f[fFocusExact]
	a[aMissing], a[aUnmatched], a[aNames], a[aEntityClash] = f[fMissing], f[fUnmatched], f[fNames], f[fEntityClash]
	a[aVote] = f[fVote]
	return a[:]
}

// answerability returns the answerability features of qa whose
// candidates, best first, are cands.
func answerability(qa *question, cands []*candidate) []float64 {
	qf := questionFeatures(qa)
	if len(cands) == 0 {
		return qf[:]
	}
	second := math.Inf(-1)
	if len(cands) > 1 {
		second = cands[1].logit
	}
	return withBest(qf, &cands[0].f, cands[0].logit, second)
}
