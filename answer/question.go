package answer

import (
	"regexp"
	"slices"
	"strings"
	"unicode"

	"github.com/incidentbot/incidentbot/retrieval"
)

// question is a question read once: every later step (the search query,
// the reader's features, the answer's shape) uses this analysis.
type question struct {
	lex Lexicon // English, for what the reader tells apart (a person's name); may be nil
	// surnames caches, per article, the surnames of the persons it names
	// in full (persons).
	surnames map[string]map[string]bool
	text     string         // as asked
	asked    string         // the sentences that ask something, spelling corrected
	kind     retrieval.Kind // the kind of answer wanted
	broad    bool           // asks for an overview ("what happened in …?") rather than a fact
	// parts are the kinds of answer each part of a multi-part question
	// asks for ("how many … and on what day" is a number, then a date),
	// kind first; nil for a question of one part.
	parts  []retrieval.Kind
	words  []qword
	terms  map[string]float64 // content term → IDF weight
	total  float64
	unseen float64 // weight of terms no sentence of the corpus has
	maxIDF float64
	// focus is the term of the thing asked for: the head of the noun
	// phrase after the question word ("groups" in "how many hacker groups
	// did…"), else the first content word ("ransom" in "how much ransom
	// did…").
	focus qword
	names []qword // capitalised words after the first: the names asked about
	// entities are the profile's entities the question names (canonical).
	entities []string
	years    []string
	// askedTerms and askedDates are the terms and dates the question
	// already says, read once for every candidate's features.
	askedTerms map[string]bool
	askedDates map[string]bool
	// unknownName is a name the question uses that the corpus never
	// mentions ("the US Treasury"): nothing can be said about it.
	unknownName string
	timings     map[string]float64 // milliseconds spent analysing, searching, reading
}

// qword is one content word of a question, as written and as a term,
// with the other terms that stand for it (retrieval.QueryWord).
type qword struct {
	orig, word, term string
	weight           float64
	alts             map[string]float64 // expansion term → its weight
}

// broadQuestion matches English ways of asking for an overview; they name
// no incident, only the shape of the request.
var broadQuestion = regexp.MustCompile(`(?i)\b(what (happened|went on|is going on|was going on)|tell me (about|more)|what(’|')?s the (deal|story|situation)|what is the (deal|story|situation)|what do (we|you) know about|give me (a|an) (summary|overview|rundown)|summar(y|ise|ize)|overview|rundown|explain)\b`)

var wordRE = regexp.MustCompile(`[\p{L}\d][\p{L}\d'’.-]*`)

// analyseQuestion reads the retrieval analysis rq of a question against
// index ix.
func analyseQuestion(ix *retrieval.Index, rq retrieval.Query, lex Lexicon) question {
	qa := question{lex: lex, text: rq.Original, asked: rq.Text, kind: rq.Kind, terms: map[string]float64{}, years: retrieval.Years(rq.Text)}
	qa.broad = qa.kind == retrieval.KindAny && broadQuestion.MatchString(rq.Text)
	qa.askedTerms, qa.askedDates = termSet(rq.Text), map[string]bool{}
	for _, d := range retrieval.FindDates(rq.Text) {
		qa.askedDates[d.Key()] = true
	}
	framed := map[string]bool{}
	for _, m := range howFrame.FindAllStringSubmatch(rq.Text, -1) {
		framed[strings.ToLower(m[1])] = true
	}
	for i, w := range rq.Words {
		if len(w.Terms) == 0 || vagueTerms[w.Terms[0].Term] || framed[w.Word] {
			continue
		}
		t := w.Terms[0].Term
		if _, dup := qa.terms[t]; dup {
			continue
		}
		idf := ix.TermIDF(t)
		wt := idf
		known := idf > 0
		qw := qword{orig: w.Orig, word: w.Word, term: t, alts: map[string]float64{}}
		var near float64 // the best weight a near word of the corpus carries for it
		for _, x := range w.Terms[1:] {
			qw.alts[x.Term] = x.Weight
			xidf := ix.TermIDF(x.Term)
			if x.Weight == 1 && xidf > 0 && !known {
				// Another name of the same thing, which the corpus uses: it
				// weighs what that name weighs.
				known, wt = true, xidf
			}
			near = max(near, x.Weight*xidf)
		}
		switch {
		case known:
		case near > 0:
			// The corpus says it in other words ("papers" → documents).
			wt = near
		case common(lex, w.Word):
			// A common English word the corpus happens not to use ("get")
			// says little about what is asked.
			wt = commonWeight
		default:
			wt = 3 // unknown to the corpus: a strong sign it is off-topic
			if !ix.KnowsTerm(t) {
				qa.unseen += wt
			}
		}
		qw.weight = wt
		for _, x := range w.Terms {
			if e := ix.EntityOf(x.Term); e != "" && x.Weight == 1 && !slices.Contains(qa.entities, e) {
				qa.entities = append(qa.entities, e)
				break
			}
		}
		qa.terms[t] = wt
		qa.total += wt
		qa.maxIDF = max(qa.maxIDF, wt)
		qa.words = append(qa.words, qw)
		if !isQuestionWord(w.Word) && !frameWords[w.Word] && (qa.focus.term == "" || w.Word == rq.Focus) {
			// The thing asked for: the head of the noun phrase after the
			// question word ("groups" in "how many hacker groups"), else
			// the first content word.
			qa.focus = qw
		}
		if i > 0 && isCapitalised(w.Orig) && !isQuestionWord(w.Word) {
			qa.names = append(qa.names, qw)
			if qa.unknownName == "" && !known && !ix.KnowsTerm(t) {
				qa.unknownName = w.Orig
			}
		} else if qa.unknownName == "" && lex != nil && !known && !ix.KnowsTerm(t) && lex.IsName(w.Word) {
			// In chat, names come in lower case: "wat did serbia say".
			qa.unknownName = w.Orig
		}
	}
	return qa
}

// partBreak separates the parts of a question: "and", "also", "&", "+", a
// comma or semicolon, a question mark before more text.
var partBreak = regexp.MustCompile(`(?i)\s*(?:[,;]|\?\s+|\s&\s|\s\+\s)\s*(?:and\s+|also\s+|plus\s+)?|\s+(?:and|also|plus)\s+`)

// questionParts returns the kinds of answer the parts of question ask
// for when it has more than one part asking for different kinds, kind
// (the whole question's) first.
func questionParts(ix *retrieval.Index, question string, kind retrieval.Kind) []retrieval.Kind {
	if kind == retrieval.KindAny {
		return nil
	}
	kinds := []retrieval.Kind{kind}
	for _, seg := range partBreak.Split(question, -1) {
		k := ix.KindOf(seg)
		if k != retrieval.KindAny && !slices.Contains(kinds, k) {
			kinds = append(kinds, k)
		}
	}
	if len(kinds) < 2 {
		return nil
	}
	return kinds
}

func isCapitalised(w string) bool {
	for _, r := range w {
		return unicode.IsUpper(r)
	}
	return false
}

// commonRank and commonWeight: a word among the commonest commonRank
// English words that the corpus does not use weighs commonWeight.
const (
	commonRank   = 2000
	commonWeight = 0.5
)

func common(lex Lexicon, w string) bool {
	if lex == nil {
		return false
	}
	r := lex.Rank(w)
	return r > 0 && r <= commonRank
}

// frameWords are English words that frame what a question asks ("how
// much ransom", "the name of the malware") rather than name it: the thing
// asked for is the word after them.
var frameWords = map[string]bool{"much": true, "many": true, "long": true, "often": true, "far": true, "kind": true, "kinds": true,
	"type": true, "types": true, "sort": true, "name": true, "names": true, "number": true, "amount": true, "exactly": true, "else": true}

// howFrame matches "how long", "how many", …: the kind of answer asked
// for (a number, a duration), which the question's kind already says; the
// word is no subject to find in the sentences.
var howFrame = regexp.MustCompile(`(?i)\bhow\s+(much|many|long|often|far|soon|big|large|old)\b`)

// isQuestionWord: the words that open English questions carry no subject.
func isQuestionWord(w string) bool {
	switch strings.ToLower(w) {
	case "who", "whom", "whose", "what", "which", "when", "where", "why", "how", "did", "does", "do", "is", "are", "was", "were", "can", "could", "has", "have", "had":
		return true
	}
	return false
}
