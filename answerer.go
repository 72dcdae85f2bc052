package incidentbot

import (
	"context"
	"errors"
)

// Request is one question to answer.
type Request struct {
	Question string
	// History holds earlier turns of the conversation, oldest first, so a
	// follow-up ("and who did they blame?") can be understood.
	History []Turn
	// OnPartial, if set, receives the answer text so far while a language
	// model writes it (for streaming into a Discord message).
	OnPartial func(text string)
}

// Answerer answers questions from the corpus, and writes its summaries and
// timeline; *answer.Answerer satisfies it.
type Answerer interface {
	Ask(ctx context.Context, req Request) (*Answer, error)
	// CheckQuestion refuses, before any work, a question that cannot be
	// asked: ErrEmptyQuestion, or ErrTooLong wrapped with the lengths.
	CheckQuestion(q string) error
	// Summary summarises the corpus, or one of its profile's topics
	// (ErrUnknownTopic, wrapped, for another).
	Summary(ctx context.Context, topic string) (*Answer, error)
	Timeline(ctx context.Context) (*Timeline, error)
}

// Errors for questions that cannot be asked; their text is fit to show a user.
var (
	ErrEmptyQuestion = errors.New("the question is empty")
	ErrTooLong       = errors.New("the question is too long")
	ErrUnknownTopic  = errors.New("unknown topic")
)
