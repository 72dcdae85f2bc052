package answer

import (
	"regexp"
	"strings"

	"github.com/incidentbot/incidentbot/retrieval"
)

// A sentence can share most of a question's words and still not answer it.
// "How much ransom did the hackers demand from Albania?" meets a sentence on
// what the attacks may have cost Montenegro; "When did Albania restore ties
// with Iran?" meets the sentences on cutting them. Encoder similarity and
// word overlap both rate those highly, so the answerer also reads the
// question's shape:
//
//   - the thing it asks for (its focus: "ransom" in "How much ransom…",
//     "ambassador" in "Who is Albania's ambassador…") must be named by the
//     answering sentence, in the corpus's words or the question's;
//   - whose it is ("Albania's ambassador") must not be someone else's
//     ("Iran's ambassador");
//   - a question about one of the attacked countries is not answered by a
//     sentence about another ("Did Kosovo expel…" / "Albania expelled…");
//   - what it asks to happen (its verb: "restore") must happen in the
//     sentence when the question is about an event's time or fact, done by
//     the country the question says does it ("When did Iran expel…" is not
//     answered by Albania expelling);
//   - a question for a role-holder ("Who is Albania's ambassador…") needs a
//     person's name, and one about a year ("in 2022") is not answered by a
//     sentence dated to another.
//
// A candidate that fails any of these is no answer (fit.go); when none is
// left, or the best that is left scores far below the best overall, the
// question is refused (extractive.go).

// focus is what a question asks for, read off its shape.
type focus struct {
	head  [][]string // ways to name the thing asked for, each a list of terms all needed; any one will do
	owner string     // the place that thing belongs to ("albania"), or ""
	// ownerReach is how many words before the thing a sentence may name
	// its owner: a possessive says whose it is outright, so a sentence
	// naming another owner a few words before it ("Iranian diplomats up to
	// an ambassador") is about someone else's; an adjective ("Iranian
	// representatives") only rules out another adjective right before it.
	ownerReach int
	places     map[string]bool // the attacked countries the question names
	verb       map[string]bool // terms of the event asked about; any one will do
	// agent is the country that does what verb says ("When did Iran
	// expel…"), or "".
	agent string
	// needsName: "Who is Albania's ambassador?" asks for a person's name.
	needsName bool
	years     map[string]bool // years the question names ("in 2022")
}

// placeOf maps a word to the country it stands for: the country itself, its
// demonym, its capital.
func placeOf(word string) string {
	for _, t := range retrieval.Terms(word) {
		if countries[t] {
			return t
		}
	}
	for _, t := range retrieval.Terms(strings.TrimPrefix(retrieval.ExpandQuery(word), word)) {
		if countries[t] {
			return t
		}
	}
	return ""
}

var questionWord = regexp.MustCompile(`[\p{L}\d][\p{L}\d'’.-]*`)

// qword is one word of a question, lower-cased, with its possessive 's cut off.
type qword struct {
	w          string
	orig       string // as written, for its capitals
	possessive bool
}

func questionWords(q string) []qword {
	var out []qword
	for _, orig := range questionWord.FindAllString(q, -1) {
		orig = strings.TrimRight(orig, ".")
		w := strings.ToLower(orig)
		pw := qword{w: w, orig: orig}
		// "Albania's", and the plural "countries'"
		for _, s := range []string{"'s", "’s", "'", "’"} {
			if strings.HasSuffix(w, s) {
				pw = qword{w: strings.TrimSuffix(w, s), orig: orig[:len(orig)-len(s)], possessive: true}
				break
			}
		}
		if pw.w != "" {
			out = append(out, pw)
		}
	}
	return out
}

func isVerb(w string) bool {
	return irregular[w] || len(w) >= 4 && strings.HasSuffix(w, "ed") && !strings.HasSuffix(w, "eed")
}

func readFocus(q string) focus {
	f := focus{places: map[string]bool{}, verb: map[string]bool{}, years: map[string]bool{}}
	for _, y := range retrieval.Years(q) {
		f.years[y] = true
	}
	ws := questionWords(q)
	for _, w := range ws {
		if p := placeOf(w.w); attacked[p] {
			f.places[p] = true
		}
	}
	i := 0
	for i < len(ws) && !isQuestionWord(ws[i].w) {
		i++
	}
	if i == len(ws) {
		return f
	}
	start := -1
	asksWhich := ws[i].w == "which" || ws[i].w == "what"
	switch w := ws[i].w; {
	case w == "how" && i+1 < len(ws) && (ws[i+1].w == "many" || ws[i+1].w == "much"):
		start = i + 2
	case w == "which" || w == "what" || w == "whose":
		start = i + 1
		// "What was the name of the malware…": the thing named is the focus.
		if j := skip(ws, start, "is are was were"); j > start {
			k := skip(ws, j, "the")
			if k < len(ws) && (ws[k].w == "name" || ws[k].w == "names") && k+1 < len(ws) && ws[k+1].w == "of" {
				start = skip(ws, k+2, "the a an")
				asksWhich = false // "the name of the movement's compound" asks for the compound
			} else if k > j && k < len(ws) {
				start = k // "What is the population of Montenegro?"
			} else {
				start = -1
			}
		} else if j := skip(ws, start, "do does did will"); j > start {
			start = subject(ws, j)
		}
	case w == "how" && i+1 < len(ws) && auxiliaries[ws[i+1].w]:
		start = subject(ws, skip(ws, i+1, "do does did has have had is are was were will would"))
	case w == "who":
		// "Who is Albania's ambassador to Iran?", "Who was the head of …?"
		if j := skip(ws, i+1, "is are was were"); j > i+1 {
			start = skip(ws, j, "the a an")
			f.needsName = true
		} else if v := i + 1; v < len(ws) && !auxiliaries[ws[v].w] && !lightVerbs[ws[v].w] && !isQuestionWord(ws[v].w) &&
			(isVerb(ws[v].w) || strings.HasSuffix(ws[v].w, "s") && !strings.HasSuffix(ws[v].w, "ss")) {
			// "Who heads Montenegro's agency?", "Who announced the break?":
			// the answer tells of someone doing that.
			f.requireVerb(ws[v].w, true)
		}
	case w == "when":
		if j := skip(ws, i+1, "did does do will would has have had"); j > i+1 {
			f.readVerb(ws, j)
		}
	case w == "did" || w == "does" || w == "do" || w == "has" || w == "have" || w == "will":
		f.readVerb(ws, i+1)
	}
	if start < 0 || start >= len(ws) {
		return f
	}
	// The noun phrase runs to the first auxiliary, preposition or verb; its
	// last word is the head ("Western law-enforcement bureau"). A country's
	// possessive in it says whose the head is ("Albania's ambassador");
	// after "which" or "what", any other possessive is what is asked for
	// ("Which tech giant's findings…" asks for the giant).
	var heads []string
	end, possessor := start, ""
	for ; end < len(ws) && !auxiliaries[ws[end].w] && !phraseEnds[ws[end].w] && !isVerb(ws[end].w); end++ {
		w := ws[end]
		switch {
		case w.w == "and" || w.w == "or":
			if end > start {
				heads = append(heads, ws[end-1].w)
			}
		case w.possessive && placeOf(w.w) != "":
			f.owner, f.ownerReach = placeOf(w.w), 5 // "Albania's ambassador"
		case placeOf(w.w) != "" && end+1 < len(ws) && f.owner == "":
			f.owner, f.ownerReach = placeOf(w.w), 2 // "Which Albanian government body"
		case w.possessive && asksWhich && possessor == "":
			possessor = w.w
		}
	}
	switch {
	case possessor != "":
		heads = []string{possessor}
	case end > start && !ws[end-1].possessive:
		heads = append(heads, ws[end-1].w)
	}
	if len(heads) == 0 {
		f.needsName = false // "Who was ordered to…" names no role
	}
	// "How many servers were destroyed…", "How many groups did Iran
	// engage…", "How much did the July attack cost Albania?": what
	// happened is asked about too.
	if ws[i].w == "how" && end < len(ws) {
		switch ws[end].w {
		case "were", "was":
			if v := end + 1; v < len(ws) && isVerb(ws[v].w) && !lightVerbs[ws[v].w] {
				f.requireVerb(ws[v].w, false)
			}
		case "did", "does", "do":
			f.readVerb(ws, end+1)
			if len(f.verb) == 0 {
				f.readVerbBeforeName(ws, end+1)
			}
		}
	}
	if len(heads) == 0 {
		return f
	}
	for _, h := range heads {
		if !answerNouns[h] {
			continue
		}
		// "What is the best pizza place…" asks about pizza; "What position…"
		// about nothing the answer must repeat.
		if m := end - 2; possessor == "" && len(heads) == 1 && m >= start && !ws[m].possessive && !plainAdjectives[ws[m].w] && placeOf(ws[m].w) == "" {
			heads = []string{ws[m].w}
			break
		}
		f.owner = ""
		return f
	}
	for _, h := range heads {
		f.head = append(f.head, namings(h)...)
	}
	// A title is named whole: "Montenegro's prime minister" is not its
	// minister of public administration.
	if m := end - 2; len(heads) == 1 && m >= start && titleWords[ws[m].w] {
		f.head = [][]string{retrieval.Terms(ws[m].w + " " + heads[0])}
	}
	if len(f.head) == 0 {
		f.owner, f.needsName = "", false
	}
	if isCapitalised(ws[end-1].orig) {
		f.needsName = false // "Who is Amin Sabeti?" gives the name and asks who he is
	}
	return f
}

// namings lists the ways a sentence may name head: the word itself, the
// members of its class ("head" → "prime minister", "chairman"), or else the
// corpus's words for it (ExpandQuery's aliases, one word each).
func namings(head string) [][]string {
	var out [][]string
	for _, t := range retrieval.Terms(head) {
		out = append(out, []string{t})
	}
	if m, ok := members[head]; ok {
		for _, phrase := range strings.Split(m, ",") {
			if ts := retrieval.Terms(phrase); len(ts) > 0 {
				out = append(out, ts)
			}
		}
		return out
	}
	for _, t := range retrieval.Terms(strings.TrimPrefix(retrieval.ExpandQuery(head), head)) {
		out = append(out, []string{t})
	}
	return out
}

// names reports whether terms hold one of the namings.
func names(namings [][]string, terms ...map[string]bool) bool {
	for _, n := range namings {
		for _, ts := range terms {
			all := len(n) > 0
			for _, t := range n {
				all = all && ts[t]
			}
			if all {
				return true
			}
		}
	}
	return false
}

// subject returns where the subject after "How did" or "What did" starts
// when it is one noun, bare or owned ("the head of…", "Montenegro's head
// of government…"): the sentence must then name it. A longer subject has
// no telling where its verb starts ("What did Iran's foreign ministry
// accuse…"), so it gives -1.
func subject(ws []qword, i int) int {
	i = skip(ws, i, "the a an")
	if i < len(ws) && ws[i].possessive {
		i++
	}
	if i+1 < len(ws) && !ws[i].possessive && (phraseEnds[ws[i+1].w] || auxiliaries[ws[i+1].w]) {
		return i
	}
	return -1
}

func isQuestionWord(w string) bool {
	switch w {
	case "how", "which", "what", "whose", "who", "whom", "when", "why", "where", "did", "does", "do", "has", "have", "will":
		return true
	}
	return false
}

// skip returns the index of the first word at or after i that is not one of words.
func skip(ws []qword, i int, words string) int {
	s := set(words)
	for i < len(ws) && s[ws[i].w] {
		i++
	}
	return i
}

// readVerb finds the event a "When did X restore…" or "Did X expel…" question
// asks about: the first verb after the subject, in its bare form after
// "did", "does" or "will". A verb no article uses is still required: on
// the held-out set the one such verb ("extradited") marked a question the
// articles do not answer, not a paraphrase.
func (f *focus) readVerb(ws []qword, i int) {
	// The subject must be a name ("Albania", "Kosovo's Agency for Cyber
	// Security"): after a common noun phrase ("the attack", "Kosovo's main
	// operator") there is no telling where the verb starts without a parser.
	j := i
	for j < len(ws) && (isCapitalised(ws[j].orig) || j > i && nameJoiners[ws[j].w] && j+1 < len(ws) && isCapitalised(ws[j+1].orig)) {
		j++
	}
	if j == i || j >= len(ws) || ws[j-1].possessive || isCapitalised(ws[j].orig) || auxiliaries[ws[j].w] || phraseEnds[ws[j].w] || lightVerbs[ws[j].w] {
		return
	}
	if v := ws[j].w; strings.HasSuffix(v, "ly") || strings.HasSuffix(v, "s") && !strings.HasSuffix(v, "ss") {
		return // an adverb ("publicly"), or a plural noun after a name used as an adjective ("Albanian authorities")
	}
	f.requireVerb(ws[j].w, true)
	if j == i+1 {
		f.agent = placeOf(ws[i].w) // "When did Iran expel…": Iran does it
	}
}

// readVerbBeforeName reads the verb after a common-noun subject ("the
// July cyberattack cost Albania") only where a name follows it, the one
// place a bare verb can be told from the nouns before it.
func (f *focus) readVerbBeforeName(ws []qword, i int) {
	if i >= len(ws) || ws[i].w != "the" && ws[i].w != "a" && ws[i].w != "an" {
		return
	}
	for k := i + 2; k+1 < len(ws); k++ {
		w := ws[k]
		if lightVerbs[w.w] || auxiliaries[w.w] || isQuestionWord(w.w) {
			return
		}
		if !isCapitalised(w.orig) && !w.possessive && !phraseEnds[w.w] && isCapitalised(ws[k+1].orig) {
			f.requireVerb(w.w, false)
			return
		}
	}
}

// requireVerb makes verb an event the answer must tell of, in its own
// words or, with aliases, the corpus's ("spoke" / "spokesman").
func (f *focus) requireVerb(verb string, aliases bool) {
	if aliases {
		verb = retrieval.ExpandQuery(verb)
	}
	for _, t := range retrieval.Terms(verb) {
		f.verb[t] = true
	}
}

func isCapitalised(w string) bool {
	for _, r := range w {
		return r >= 'A' && r <= 'Z'
	}
	return false
}
