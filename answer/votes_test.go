package answer

import (
	"math"
	"testing"

	"github.com/incidentbot/incidentbot"
	"github.com/incidentbot/incidentbot/retrieval"
)

// sentences makes one single-sentence candidate per text, each in its own
// article, covering the question as much as cover says.
func sentences(texts []string, cover []float64) []*candidate {
	var out []*candidate
	for i, t := range texts {
		h := &retrieval.Hit{Result: incidentbot.Result{Article: &incidentbot.Article{ID: string(rune('a' + i))}}}
		c := &candidate{hit: h, text: t, span: incidentbot.Span{Start: 0, End: len(t)}}
		c.f[fSoft] = cover[i]
		out = append(out, c)
	}
	return out
}

// The date most sentences about the question give is the best supported;
// a sentence gets nothing for agreeing with itself, and a date the
// question already names is no answer.
func TestVotesSupportTheAnswerOthersRepeat(t *testing.T) {
	qa := &question{kind: retrieval.KindDate, askedDates: map[string]bool{}}
	for _, d := range retrieval.FindDates("on July 15") {
		qa.askedDates[d.Key()] = true
	}
	cands := sentences([]string{
		"The servers were shut down on May 3 after the breach.",
		"Officials said the breach forced a shutdown on May 3.",
		"The breach was first noticed on June 9, a month later.",
		"The breach of July 15 was the second.",
		"Reporters were told about it on May 3 at a briefing.",
	}, []float64{0.9, 0.8, 0.9, 0.9, 0.1})
	votes(nil, qa, nil, cands)
	may, june, asked, weak := cands[0].f[fVote], cands[2].f[fVote], cands[3].f[fVote], cands[4].f[fVote]
	if !(may > 0 && june == 0 && asked == 0) {
		t.Errorf("support: May 3 %.2f (two others give it), June 9 %.2f (no other), July 15 %.2f (asked): want >0, 0, 0", may, june, asked)
	}
	if weak <= may {
		t.Errorf("a sentence off the question (cover 0.1) repeating May 3 is supported by the two on it (%.2f), more than they are by each other and it (%.2f)", weak, may)
	}
	// The second sentence is supported by the first and the last.
	if want := (0.9 + 0.1) / (0.9 + 0.8 + 0.9 + 0.9 + 0.1); math.Abs(cands[1].f[fVote]-want) > 1e-9 {
		t.Errorf("support is the others' cover over the whole cover: got %.3f, want %.3f", cands[1].f[fVote], want)
	}
}

// Only questions asking for a value are voted on: "what happened" is not.
func TestVotesOnlyForValueQuestions(t *testing.T) {
	cands := sentences([]string{"It began on May 3.", "It was on May 3."}, []float64{1, 1})
	votes(nil, &question{kind: retrieval.KindAny}, nil, cands)
	if cands[0].f[fVote] != 0 {
		t.Errorf("a question asking for no value got vote %.2f", cands[0].f[fVote])
	}
}
