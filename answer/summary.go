package answer

import (
	"context"
	"errors"

	"github.com/incidentbot/incidentbot"
)

// Topics a summary can be limited to.
var Topics = []string{"albania", "montenegro", "kosovo", "diplomatic-break", "iran-response"}

// Summary summarises the corpus, or one topic of it, in a few cited sentences.
func (a *Answerer) Summary(ctx context.Context, topic string) (*incidentbot.Answer, error) {
	return nil, errors.New("summary: not implemented yet")
}

// Timeline lists the dated events the articles report, in order.
func (a *Answerer) Timeline(ctx context.Context) (*incidentbot.Timeline, error) {
	return nil, errors.New("timeline: not implemented yet")
}
