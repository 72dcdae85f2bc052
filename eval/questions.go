// Package eval holds the bot's evaluation set: questions written from the five
// shipped articles, each with the articles that answer it and the short facts
// an answer must contain, plus questions the bot must refuse.
package eval

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// DefaultPath names the main training set in error messages.
const DefaultPath = "eval/train/questions.yaml"

// Kinds are the allowed values of Question.Kind.
var Kinds = []string{"when", "who", "what", "how-many", "where", "why", "how", "yes-no"}

// Question is one entry of the evaluation set.
type Question struct {
	ID       string `yaml:"id"`
	Question string `yaml:"question"`
	// Docs are the ids (file names without .md) of every article whose text
	// states the answer.
	Docs []string `yaml:"docs"`
	// Must are requirements an answer must all meet; each is one or more
	// alternatives separated by "|", matched case-insensitively.
	Must []string `yaml:"must"`
	Kind string   `yaml:"kind"`
	// Unanswerable questions are not answered by the articles: the bot must refuse.
	Unanswerable bool `yaml:"unanswerable"`
	// Conflict marks questions on which the sources disagree.
	Conflict bool `yaml:"conflict"`
	// Style is how the question is asked (Styles), so the evaluation can
	// report by kind of question; empty in the older sets.
	Style string `yaml:"style"`
	// Context holds the earlier questions of the conversation a follow-up
	// belongs to, oldest first.
	Context []string `yaml:"context"`
}

// Styles are the allowed values of Question.Style.
var Styles = []string{"plain", "casual", "why-how", "multi-part", "paraphrase", "broad", "follow-up", "other-language", "near-miss", "off-topic"}

// Load reads and validates an evaluation file. Errors name the file and,
// where known, the YAML line.
func Load(path string) ([]Question, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, data)
}

// Default returns the evaluation set embedded in the binary.
func Default() ([]Question, error) {
	data, err := files.ReadFile("train/questions.yaml")
	if err != nil {
		return nil, err
	}
	return Parse(DefaultPath, data)
}

// Parse decodes and validates evaluation YAML; name is used in error messages.
func Parse(name string, data []byte) ([]Question, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var qs []Question
	if err := dec.Decode(&qs); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s: empty file", name)
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	// Decode again as a node tree, only to know each entry's line.
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	lines := make([]int, len(qs))
	if len(doc.Content) == 1 && doc.Content[0].Kind == yaml.SequenceNode {
		for i, n := range doc.Content[0].Content {
			if i < len(lines) {
				lines[i] = n.Line
			}
		}
	}
	seen := map[string]int{}
	for i, q := range qs {
		at := fmt.Sprintf("%s:%d", name, lines[i])
		if err := q.validate(); err != nil {
			return nil, fmt.Errorf("%s: %s: %w", at, q.ID, err)
		}
		if prev, dup := seen[q.ID]; dup {
			return nil, fmt.Errorf("%s: duplicate id %q (first at line %d)", at, q.ID, prev)
		}
		seen[q.ID] = lines[i]
	}
	return qs, nil
}

func (q Question) validate() error {
	if strings.TrimSpace(q.ID) == "" {
		return errors.New("missing id")
	}
	if strings.TrimSpace(q.Question) == "" {
		return errors.New("missing question")
	}
	if q.Style != "" && !slices.Contains(Styles, q.Style) {
		return fmt.Errorf("style %q is not one of %s", q.Style, strings.Join(Styles, ", "))
	}
	if q.Unanswerable {
		if len(q.Docs) > 0 || len(q.Must) > 0 || q.Conflict {
			return errors.New("unanswerable question has docs, must or conflict")
		}
		return nil
	}
	if len(q.Docs) == 0 {
		return errors.New("answerable question without docs")
	}
	if len(q.Must) == 0 {
		return errors.New("answerable question without must")
	}
	for _, m := range q.Must {
		for _, alt := range strings.Split(m, "|") {
			if strings.TrimSpace(alt) == "" {
				return fmt.Errorf("empty alternative in must %q", m)
			}
		}
	}
	if slices.Contains(Kinds, q.Kind) {
		return nil
	}
	return fmt.Errorf("kind %q is not one of %s", q.Kind, strings.Join(Kinds, ", "))
}

// Alternatives splits one Must requirement into its accepted spellings.
func Alternatives(requirement string) []string {
	var out []string
	for _, alt := range strings.Split(requirement, "|") {
		if alt = strings.TrimSpace(alt); alt != "" {
			out = append(out, alt)
		}
	}
	return out
}

// Satisfied reports whether every Must requirement has an alternative
// contained in text, case-insensitively, with typographic quotes read as
// straight ones and runs of white space as one space. A question without
// requirements is trivially satisfied.
func (q Question) Satisfied(text string) bool {
	t := Normalize(text)
	for _, m := range q.Must {
		ok := false
		for _, alt := range Alternatives(m) {
			if strings.Contains(t, Normalize(alt)) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

var quotes = strings.NewReplacer("’", "'", "‘", "'", "“", `"`, "”", `"`)

// Normalize lower-cases s, turns ’‘ into ' and “” into ", and collapses
// white space, so that matching ignores typography.
func Normalize(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(quotes.Replace(s)), " "))
}
