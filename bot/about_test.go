package bot

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// What the bot says of its subject is what it is told: another incident's
// profile changes the commands, the help and the replies, with no change to
// the bot.
func TestAboutComesFromOptions(t *testing.T) {
	other := About{
		Subject:     "the March 2024 flood-warning outage in Wrenfield",
		Description: "answers questions about the March 2024 flood-warning outage in Wrenfield from local news",
		Example:     "Why did the Wrenfield flood sirens stay silent?",
		Topics:      []Topic{{ID: "sirens", Title: "The silent sirens on March 2"}, {ID: "cause", Title: "What caused the outage"}},
	}
	cmds := commands(Config{}, other)
	if cmds[0].Name != "ask" || cmds[0].Description != "Ask about "+other.Subject {
		t.Errorf("/ask description %q", cmds[0].Description)
	}
	var summary []string
	for _, c := range cmds {
		if c.Name == "summary" {
			for _, ch := range c.Options[0].Choices {
				summary = append(summary, ch.Name+"="+ch.Value.(string))
			}
		}
	}
	if strings.Join(summary, ",") != "The silent sirens on March 2=sirens,What caused the outage=cause" {
		t.Errorf("/summary choices %v", summary)
	}
	help := other.help()
	for _, want := range []string{other.Description, "topics: sirens, cause", other.Example} {
		if !strings.Contains(help, want) {
			t.Errorf("help lacks %q:\n%s", want, help)
		}
	}
	if got := other.emptyQuestion(false); got != "Please ask a question about "+other.Subject+", for example: "+other.Example {
		t.Errorf("empty question: %q", got)
	}
	if got := other.emptyQuestion(true); !strings.HasSuffix(got, other.Example) {
		t.Errorf("empty mention: %q", got)
	}
	if got := other.summaryTitle("cause"); got != "Summary — What caused the outage" {
		t.Errorf("summary title %q", got)
	}
	if got := other.summaryTitle(""); got != "Summary of "+other.Subject {
		t.Errorf("summary title %q", got)
	}
	if got := other.timelineTitle(); got != "Timeline of "+other.Subject {
		t.Errorf("timeline title %q", got)
	}
}

// Told nothing, the bot still says something true, and stays within
// Discord's limits whatever it is told.
func TestAboutDefaultsAndLimits(t *testing.T) {
	var none About
	cmds := commands(Config{}, none)
	for _, c := range cmds {
		if c.Name == "summary" && len(c.Options[0].Choices) != 0 {
			t.Errorf("no topics, no choices: %+v", c.Options[0].Choices)
		}
	}
	if !strings.Contains(none.emptyQuestion(false), "the incident the articles report") || strings.Contains(none.help(), "topics:") {
		t.Errorf("defaults: %q\n%s", none.emptyQuestion(false), none.help())
	}
	long := About{Subject: strings.Repeat("a very long name ", 10)}
	for i := 0; i < 30; i++ {
		long.Topics = append(long.Topics, Topic{ID: "t" + string(rune('a'+i)), Title: strings.Repeat("é", 120)})
	}
	cmds = commands(Config{}, long)
	if n := utf8.RuneCountInString(cmds[0].Description); n > maxCommandDescription {
		t.Errorf("/ask description of %d characters", n)
	}
	for _, c := range cmds {
		if c.Name != "summary" {
			continue
		}
		if len(c.Options[0].Choices) != maxChoices {
			t.Errorf("%d choices, Discord takes %d", len(c.Options[0].Choices), maxChoices)
		}
		for _, ch := range c.Options[0].Choices {
			if utf8.RuneCountInString(ch.Name) > maxChoiceName {
				t.Errorf("choice name of %d characters", utf8.RuneCountInString(ch.Name))
			}
		}
	}
}
