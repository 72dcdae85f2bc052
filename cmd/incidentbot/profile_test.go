package main

import (
	"errors"
	"strings"
	"testing"

	"github.com/incidentbot/incidentbot/answer"
	"github.com/incidentbot/incidentbot/corpus"
)

// otherIncident is a small corpus about an invented incident, with its own
// sources.yaml and profile.yaml.
const otherIncident = "../../corpus/testdata/otherincident"

// builtInWords are words of the built-in incident that must not show when
// the corpus is about another one.
var builtInWords = []string{"Albania", "Montenegro", "Kosovo", "Iran", "cyberattack"}

func noBuiltInWords(t *testing.T, what, text string) {
	t.Helper()
	for _, w := range builtInWords {
		if strings.Contains(text, w) {
			t.Errorf("%s names %q, from the built-in corpus:\n%s", what, w, text)
		}
	}
}

// Pointed at another incident's corpus folder, the program describes and
// summarises that incident, from its profile.yaml: no Go change needed.
func TestAnotherIncidentFromItsProfile(t *testing.T) {
	p, err := corpus.LoadProfile(otherIncident)
	if err != nil {
		t.Fatal(err)
	}
	data := t.TempDir()

	// help: the corpus's description, topics and example.
	out, _, err := runCmd(t, data, "", "help", "--corpus", otherIncident)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{p.Description, "Summary topics: sirens, cause.", p.Example, "answers questions about an incident from news articles"} {
		if !strings.Contains(out, want) {
			t.Errorf("help lacks %q:\n%s", want, out)
		}
	}
	noBuiltInWords(t, "help", out)

	// summary: the profile's topics, found by their queries and match words.
	out, _, err = runCmd(t, data, "", "summary", "--corpus", otherIncident, "--topic", "sirens")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "Summary: The silent sirens on March 2") || !strings.Contains(strings.ToLower(out), "siren") || !strings.Contains(out, "[1]") {
		t.Errorf("summary of the sirens topic:\n%s", out)
	}
	noBuiltInWords(t, "summary", out)
	_, _, err = runCmd(t, data, "", "summary", "--corpus", otherIncident, "--topic", "kosovo")
	if !errors.Is(err, answer.ErrUnknownTopic) || !strings.Contains(err.Error(), "sirens, cause") {
		t.Errorf("a topic the profile does not have should list its topics: %v", err)
	}

	// An empty question is answered with the corpus's example.
	_, _, err = runCmd(t, data, "", "ask", "--corpus", otherIncident, "  ")
	if !errors.Is(err, answer.ErrEmptyQuestion) || !strings.Contains(err.Error(), p.Example) || !strings.Contains(err.Error(), p.Subject()) {
		t.Errorf("empty question: %v", err)
	}

	// chat: the bot's help and replies, from the same profile.
	out, _, err = runCmd(t, data, "/help\n/ask\n/summary cause\n", "chat", "--corpus", otherIncident)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"topics: sirens, cause", "Please ask a question about " + p.Subject() + ", for example: " + p.Example, "**Summary — What caused the outage**"} {
		if !strings.Contains(out, want) {
			t.Errorf("chat lacks %q:\n%s", want, out)
		}
	}
	noBuiltInWords(t, "chat", out)
}

// Without --corpus, the usage describes the built-in corpus from its
// embedded profile.
func TestUsageDescribesTheBuiltInCorpus(t *testing.T) {
	out, _, err := runCmd(t, sharedData, "", "help")
	if err != nil {
		t.Fatal(err)
	}
	p := corpus.DefaultProfile()
	if !strings.Contains(out, p.Description) || !strings.Contains(out, "Summary topics: "+strings.Join(p.TopicIDs(), ", ")+".") {
		t.Errorf("usage should describe the built-in corpus:\n%s", out)
	}
	if !strings.HasPrefix(usage, "incidentbot answers questions about an incident from news articles") {
		t.Errorf("the usage text itself is about no incident in particular:\n%s", usage)
	}
}
