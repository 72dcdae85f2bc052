package retrieval

import (
	"testing"

	"github.com/incidentbot/incidentbot/lang"
)

// "Which <noun> …" asks for a person when WordNet's commonest sense of the
// noun phrase's head is one (the real language pack): the diplomats, the
// colonel, the IT expert; not the group, the body or the findings, though
// "Iranian" alone names a person and "thought" ends the phrase as a verb.
func TestWhichNounAsksForAPersonByWordNet(t *testing.T) {
	res, err := lang.Load("")
	if err != nil {
		t.Fatalf("language pack not installed (make model): %v", err)
	}
	for q, want := range map[string]Kind{
		"Which two Iranian diplomats did Albania order expelled in January 2020?":       KindPerson,
		"which retired army colonel who once ran the interior ministry called it right": KindPerson,
		"Which analyst thought Tirana moved too fast?":                                  KindPerson,
		"which IT expert said the decision was not voluntary":                           KindPerson,
		"which spokesman answered when reporters asked why?":                            KindPerson,
		"which Iranian group was blamed":                                                KindAny,
		"Which Albanian government body took the decision?":                             KindAny,
		"Which American tech giant's findings did Tirana rely on?":                      KindAny,
		"what surgeon operated that night":                                              KindPerson,
		"when did the minister resign":                                                  KindDate,
	} {
		if got := KindWith(q, res); got != want {
			t.Errorf("KindWith(%q) = %v, want %v", q, got, want)
		}
		if KindOf(q) == KindPerson && want != KindPerson {
			t.Errorf("KindOf(%q) reads a person without WordNet", q)
		}
	}
}

// The thing a question asks for is the head of the noun phrase after its
// question word, so "how many hacker groups" is answered by a count of
// groups, not of hackers; a verb ends the phrase, and a question word
// followed by no noun phrase names none.
func TestAskedHeadIsTheNounPhrasesLastWord(t *testing.T) {
	res, err := lang.Load("")
	if err != nil {
		t.Fatalf("language pack not installed (make model): %v", err)
	}
	for q, want := range map[string]string{
		"how many hacker groups did the prime minister name?": "groups",
		"How much ransom did they ask for":                    "ransom",
		"which retired army colonel said it":                  "colonel",
		"Which analyst thought the move was hasty?":           "analyst",
		"so what police system went down next":                "system",
		"what did the minister say":                           "",
		"when did the outage end":                             "",
	} {
		if got := AskedHead(q, res); got != want {
			t.Errorf("AskedHead(%q) = %q, want %q", q, got, want)
		}
	}
}
