package answer_test

import (
	"strings"
	"testing"

	"github.com/incidentbot/incidentbot/answer"
	"github.com/incidentbot/incidentbot/internal/wiring"
)

// Questions that sound on-topic, share most of their words with some
// sentence of the articles, and ask for something no article says; and
// beside them, the same shapes asked about what the articles do say. The
// learned reader does not get every one right (README: how near misses
// are refused), so these are floors at today's behaviour: a change that
// refuses fewer near misses, or more of their answerable neighbours,
// fails here. Every refusal shows closest sources and cites nothing.
func TestNearMissesAndTheirNeighbours(t *testing.T) {
	t.Parallel()
	a := answer.New(testStore(t), wiring.AnswerOptions(answer.Options{}, wiring.MustLanguage()))
	nearMisses := []string{
		"How much ransom did the hackers demand from Albania?",                             // nothing on a ransom from Albania
		"What was the name of the malware used against the e-Albania portal?",              // no malware is named
		"When did Albania restore diplomatic relations with Iran?",                         // cut, never restored
		"When did Montenegro cut diplomatic ties with Iran?",                               // Albania did
		"Did Kosovo expel Iranian diplomats after the cyberattacks?",                       // Albania did
		"Who is Albania's ambassador to Iran?",                                             // only Iran's ambassador in Tirana
		"Who was Iran's ambassador in Tirana when relations were cut in 2022?",             // the one named is from 2018
		"How many servers were destroyed in the July attack on Albania?",                   // data destroyed, no servers counted
		"Which Iranian officials did the US Treasury sanction over the attack on Albania?", // no article mentions the Treasury
		"When did Iran expel Albania's diplomats in retaliation?",                          // Albania expelled Iran's
		"Who heads Montenegro's National Security Agency?",                                 // the agency is quoted, its head never named
		"wat did portugal say abt albania cutting ties",                                    // a name in lower case the articles never mention
	}
	refused := 0
	for _, q := range nearMisses {
		ans := ask(t, a, q)
		if !ans.Refused {
			t.Logf("near miss answered: %q → %q", q, ans.Text)
			continue
		}
		refused++
		if len(ans.Citations) != 0 || len(ans.Closest) == 0 {
			t.Errorf("%q: a refusal shows closest sources, not citations: %d citations, %d closest", q, len(ans.Citations), len(ans.Closest))
		}
	}
	neighbours := []struct{ q, want string }{
		{"When did Albania cut diplomatic ties with Iran?", "September"},
		{"Who was Iran's ambassador in Tirana in 2018?", "Mohammadnia"},
		{"How many groups did Iran engage in the cyberattack on Albania?", "four"},
		{"How many Iranian representatives left Albania?", "72"},
		{"Which Albanian government body took the decision to sever relations?", "Council of Ministers"},
		{"Which Western law-enforcement bureau dispatched specialists to help Podgorica?", "FBI"}, // the FBI, never called a bureau
		{"What is the name of the MEK's camp in Albania?", "Ashraf"},
		{"How did Montenegro's head of government characterise the hacking?", "political attack"},
		{"Who spoke for Iran's Foreign Ministry in rejecting the accusations?", "Ka’nani"},
		{"When did Albania expel Dabiel Kassrae?", "July 23, 2020"},
		{"Who is Amin Sabeti?", "London-based"},
		{"Who was ordered to take the TIMS system offline after the breach?", "police departments"},
		{"In which year were the men behind the attack on the Bektashi seat caught?", "2019"}, // "Bektashian" in the article
	}
	answered := 0
	for _, c := range neighbours {
		ans := ask(t, a, c.q)
		if ans.Refused || !strings.Contains(ans.Text, c.want) {
			t.Logf("neighbour not answered with %q: %q → refused=%v %q", c.want, c.q, ans.Refused, ans.Text)
			continue
		}
		answered++
	}
	t.Logf("near misses refused %d of %d; neighbours answered %d of %d", refused, len(nearMisses), answered, len(neighbours))
	if refused < minNearMissesRefused || answered < minNeighboursAnswered {
		t.Errorf("near misses refused %d of %d (floor %d); neighbours answered %d of %d (floor %d)",
			refused, len(nearMisses), minNearMissesRefused, answered, len(neighbours), minNeighboursAnswered)
	}
}

// Today's figures (go test -run NearMisses -v ./answer).
const (
	minNearMissesRefused  = 6
	minNeighboursAnswered = 9
)
