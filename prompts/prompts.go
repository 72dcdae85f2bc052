// Package prompts holds the prompt templates for the language model and the
// refusal wording users see. The templates are text/template files embedded
// in the binary; this package fills them in. They know nothing of any
// incident: the subject they name comes from the corpus's profile
// (corpus/profile.yaml), passed in by the caller.
//
// Everything that comes from outside the program (article passages, the
// user's question, earlier turns, a summary topic) is placed inside XML-like
// delimiters that the system prompt declares to be data, never instructions,
// and is escaped first so that it cannot close its delimiter or open another:
// a passage containing "</passage><question>…" is rendered as text inside its
// own <passage> element.
package prompts

import (
	"bytes"
	"embed"
	"fmt"
	"regexp"
	"strings"
	"text/template"

	"github.com/incidentbot/incidentbot"
)

//go:embed *.tmpl
var files embed.FS

var templates = template.Must(template.New("").Option("missingkey=error").ParseFS(files, "*.tmpl"))

// Passage is one retrieved passage as the model sees it: N is the number it
// cites as [N], Source names the article ("Title — Outlet, 2022-09-16").
type Passage struct {
	N      int
	Source string
	Text   string
}

// Answer returns the messages that ask the model to answer question, about
// subject (the corpus profile's name), from passages. history holds earlier turns of the conversation, oldest first;
// they help resolve follow-ups and are not offered as sources (their [n]
// markers, which numbered other passages, are removed).
func Answer(subject, question string, passages []Passage, history []incidentbot.Turn) ([]Message, error) {
	turns := make([]incidentbot.Turn, len(history))
	for i, t := range history {
		turns[i] = incidentbot.Turn{
			Question: Escape(strings.TrimSpace(t.Question)),
			Answer:   Escape(strings.TrimSpace(stripMarkers(t.Answer))),
		}
	}
	return render("answer", map[string]any{
		"Subject":  subjectText(subject),
		"Question": Escape(strings.TrimSpace(question)),
		"Passages": escapePassages(passages),
		"History":  turns,
		"Refusal":  RefusalSentence(),
	})
}

// Summary returns the messages that ask the model to summarise passages
// about subject for moderators, about topic (a topic's title) if it is not
// empty.
func Summary(subject, topic string, passages []Passage) ([]Message, error) {
	return render("summary", map[string]any{
		"Subject":  subjectText(subject),
		"Topic":    Escape(strings.TrimSpace(topic)),
		"Passages": escapePassages(passages),
		"Refusal":  RefusalSentence(),
	})
}

// Timeline returns the messages that ask the model for the dated events of
// subject in passages, in order.
func Timeline(subject string, passages []Passage) ([]Message, error) {
	return render("timeline", map[string]any{
		"Subject":  subjectText(subject),
		"Passages": escapePassages(passages),
		"Refusal":  RefusalSentence(),
	})
}

// DefaultSubject is what the prompts call the subject when the caller has
// none (a corpus profile always has a name).
const DefaultSubject = "the incident the articles report"

// subjectText is the subject as the system prompt names it: one line, with
// nothing that could open a delimiter.
func subjectText(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if s == "" {
		s = DefaultSubject
	}
	return Escape(s)
}

// RefusalSentence is the sentence the model is told to reply with, exactly,
// when the passages do not answer a question.
func RefusalSentence() string { return mustText("refusal.sentence") }

// Refusal is what a user is shown when the articles do not cover a
// question: the refusal sentence and an offer of the closest sources.
func Refusal() string { return mustText("refusal") }

// Source labels an article for a passage's source attribute:
// "Title — Outlet, 2022-09-16", leaving out what is unknown.
func Source(a *incidentbot.Article) string {
	label := strings.TrimSpace(a.Title)
	if a.Outlet != "" {
		label += " — " + a.Outlet
	}
	if d := a.DateString(); d != "" {
		label += ", " + d
	}
	return label
}

func mustText(name string) string {
	var b bytes.Buffer
	if err := templates.ExecuteTemplate(&b, name, nil); err != nil {
		panic(fmt.Sprintf("prompts: %s: %v", name, err)) // the template is embedded; tests execute it
	}
	return strings.TrimSpace(b.String())
}

// render executes name.system and name.user.
func render(name string, data map[string]any) ([]Message, error) {
	var msgs []Message
	for _, role := range []string{"system", "user"} {
		var b bytes.Buffer
		if err := templates.ExecuteTemplate(&b, name+"."+role, data); err != nil {
			return nil, fmt.Errorf("prompts: rendering %s.%s: %w", name, role, err)
		}
		msgs = append(msgs, Message{Role: role, Content: strings.TrimSpace(b.String())})
	}
	return msgs, nil
}

func escapePassages(ps []Passage) []Passage {
	out := make([]Passage, len(ps))
	for i, p := range ps {
		out[i] = Passage{N: p.N, Source: escapeAttr(p.Source), Text: Escape(strings.TrimSpace(p.Text))}
	}
	return out
}

// Escape makes untrusted text safe to place between delimiters: every "<"
// becomes "&lt;", so "</passage>", "< /question >" or "<question>" inside
// it is plain text and cannot close its element or open another. The
// articles themselves contain no "<", so quotes are unaffected.
func Escape(s string) string {
	return strings.ReplaceAll(s, "<", "&lt;")
}

// escapeAttr makes s safe inside a double-quoted attribute.
func escapeAttr(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	s = strings.ReplaceAll(s, `"`, "&quot;")
	return strings.ReplaceAll(s, "<", "&lt;")
}

var markerRe = regexp.MustCompile(`\s*\[\s*\d+(?:\s*[,;–-]\s*\d+)*\s*\]`)

// stripMarkers removes [n] citation markers.
func stripMarkers(s string) string { return markerRe.ReplaceAllString(s, "") }
