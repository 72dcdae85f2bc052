package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/incidentbot/incidentbot/answer"
	"github.com/incidentbot/incidentbot/bot"
	"github.com/incidentbot/incidentbot/corpus"
)

// What the program says about its subject comes from the corpus's profile
// (corpus/profile.yaml for the built-in articles; profile.yaml beside a
// corpus folder's sources.yaml otherwise), never from its code.

// corpusProfile is the profile of the corpus at dir (a folder or a sources
// file): the built-in one when dir is empty.
func corpusProfile(dir string) (*corpus.Profile, error) {
	if dir == "" {
		return corpus.DefaultProfile(), nil
	}
	return corpus.LoadProfile(dir)
}

// aboutFor is what the bot is told of its subject.
func aboutFor(p *corpus.Profile) bot.About {
	a := bot.About{Subject: p.Subject(), Description: p.Description, Example: p.Example}
	for _, t := range p.Topics {
		a.Topics = append(a.Topics, bot.Topic{ID: t.ID, Title: t.Title})
	}
	return a
}

// emptyQuestion is answer.ErrEmptyQuestion in the profile's words, with its
// example question.
type emptyQuestion struct{ p *corpus.Profile }

func (e emptyQuestion) Error() string {
	msg := "the question is empty: ask something about " + e.p.Subject()
	if ex := strings.TrimSpace(e.p.Example); ex != "" {
		msg += ", for example: " + ex
	}
	return msg
}

func (e emptyQuestion) Unwrap() error { return answer.ErrEmptyQuestion }

// explainEmpty turns answer.ErrEmptyQuestion into emptyQuestion; other
// errors pass unchanged.
func explainEmpty(err error, p *corpus.Profile) error {
	var e emptyQuestion
	if errors.Is(err, answer.ErrEmptyQuestion) && !errors.As(err, &e) {
		return emptyQuestion{p}
	}
	return err
}

// aboutCorpus is the part of the usage text that describes the corpus:
// which incident, from which profile, and its summary topics.
func aboutCorpus(p *corpus.Profile) string {
	var b strings.Builder
	where := p.Path
	if p.Derived {
		where = "no profile.yaml; derived from the articles"
	}
	fmt.Fprintf(&b, "This corpus (%s):\n  incidentbot %s.\n", where, p.Description)
	if ids := p.TopicIDs(); len(ids) > 0 {
		fmt.Fprintf(&b, "  Summary topics: %s.\n", strings.Join(ids, ", "))
	} else {
		b.WriteString("  Summary topics: none (the profile lists none); summary covers every article.\n")
	}
	if ex := strings.TrimSpace(p.Example); ex != "" {
		fmt.Fprintf(&b, "  For example: incidentbot ask %q\n", ex)
	}
	return b.String()
}
