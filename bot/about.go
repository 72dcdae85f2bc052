package bot

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// About is what the bot says of its subject. It comes from the corpus's
// profile (corpus/profile.yaml), which cmd/incidentbot reads and passes in:
// the bot itself knows nothing of any incident.
type About struct {
	// Subject is the incident's name as the bot says it: "Ask about
	// <Subject>", "Summary of <Subject>".
	Subject string
	// Description is the one line the bot gives of itself, after its name.
	Description string
	// Example is an example question, shown in help and when a question
	// is empty ("" for none).
	Example string
	// Topics are what /summary offers, in order.
	Topics []Topic
}

// Topic is one /summary topic: the ID a user types (and Discord sends), and
// the title Discord shows for it.
type Topic struct {
	ID    string
	Title string
}

// Discord's limits on a command's description and a choice's name.
const (
	maxCommandDescription = 100
	maxChoiceName         = 100
	maxChoices            = 25
)

// subject is the incident's name, or a stand-in when none was given.
func (a About) subject() string {
	if s := strings.TrimSpace(a.Subject); s != "" {
		return s
	}
	return "the incident the articles report"
}

// askDescription is /ask's description in the command list.
func (a About) askDescription() string {
	return clipRunes("Ask about "+a.subject(), maxCommandDescription)
}

// emptyQuestion is the reply to a question with nothing in it.
func (a About) emptyQuestion(mention bool) string {
	example := strings.TrimSpace(a.Example)
	switch {
	case mention && example != "":
		return "Ask me something after the mention, for example: " + example
	case mention:
		return "Ask me something about " + a.subject() + " after the mention."
	case example != "":
		return "Please ask a question about " + a.subject() + ", for example: " + example
	}
	return "Please ask a question about " + a.subject() + "."
}

// topic returns the topic with id, if the bot offers it.
func (a About) topic(id string) (Topic, bool) {
	i := slices.IndexFunc(a.Topics, func(t Topic) bool { return t.ID == id })
	if i < 0 {
		return Topic{}, false
	}
	return a.Topics[i], true
}

// topicIDs lists the topics' ids for messages: "a, b, c".
func (a About) topicIDs() string {
	ids := make([]string, len(a.Topics))
	for i, t := range a.Topics {
		ids[i] = t.ID
	}
	return strings.Join(ids, ", ")
}

// summaryTitle heads a summary of the corpus or of one topic.
func (a About) summaryTitle(topic string) string {
	if topic == "" {
		return "Summary of " + a.subject()
	}
	if t, ok := a.topic(topic); ok && t.Title != "" {
		return "Summary — " + t.Title
	}
	return "Summary of " + a.subject() + " — " + topic
}

// timelineTitle heads the timeline.
func (a About) timelineTitle() string { return "Timeline of " + a.subject() }

// help is the console's /help.
func (a About) help() string {
	var b strings.Builder
	if d := strings.TrimSpace(a.Description); d != "" {
		b.WriteString("incidentbot " + d + ".\n\n")
	}
	b.WriteString("Ask a question, or use a command:\n")
	b.WriteString("  /ask <question>      answer with cited sources\n")
	b.WriteString("  /sources <query>     the best-matching passages\n")
	if len(a.Topics) > 0 {
		b.WriteString("  /summary [topic]     a cited summary (topics: " + a.topicIDs() + ")\n")
	} else {
		b.WriteString("  /summary             a cited summary of the articles\n")
	}
	b.WriteString("  /timeline            dated events\n")
	b.WriteString("  /refresh             re-read the articles and update the index\n")
	b.WriteString("  /help, /quit\n")
	b.WriteString("Plain questions are a conversation: follow-ups see the earlier turns.")
	if e := strings.TrimSpace(a.Example); e != "" {
		b.WriteString("\nFor example: " + e)
	}
	return b.String()
}

// clipRunes cuts s to at most n characters, ending with "…" when cut.
func clipRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimRight(string(r[:n-1]), " ,;") + "…"
}
