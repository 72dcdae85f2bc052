package bot_test

import (
	"context"
	"slices"
	"sync"
	"testing"

	"github.com/incidentbot/incidentbot/internal/wiring"

	"github.com/incidentbot/incidentbot"
	"github.com/incidentbot/incidentbot/answer"
)

// hooked is the real extractive answerer with hooks: it records every
// request, can replace Ask, and has canned Summary and Timeline built from
// real citations (the answer package's own are still being written).
type hooked struct {
	real *answer.Answerer
	ask  func(ctx context.Context, req answer.Request) (*incidentbot.Answer, error)

	mu   sync.Mutex
	seen []answer.Request
}

func newHooked(tb testing.TB) *hooked {
	return &hooked{real: answer.New(sharedStore(tb), wiring.AnswerOptions(answer.Options{}, wiring.MustLanguage()))}
}

func (h *hooked) Ask(ctx context.Context, req answer.Request) (*incidentbot.Answer, error) {
	h.mu.Lock()
	h.seen = append(h.seen, req)
	f := h.ask
	h.mu.Unlock()
	if f != nil {
		return f(ctx, req)
	}
	return h.real.Ask(ctx, req)
}

func (h *hooked) requests() []answer.Request {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.seen)
}

func (h *hooked) CheckQuestion(q string) error { return h.real.CheckQuestion(q) }

func (h *hooked) Summary(ctx context.Context, topic string) (*incidentbot.Answer, error) {
	a, err := h.real.Ask(ctx, answer.Request{Question: "What happened in " + topic + " in 2022?"})
	if err != nil {
		return nil, err
	}
	s := *a
	s.Question = "summary " + topic
	return &s, nil
}

func (h *hooked) Timeline(ctx context.Context) (*incidentbot.Timeline, error) {
	a, err := h.real.Ask(ctx, answer.Request{Question: "When did Albania cut diplomatic ties with Iran?"})
	if err != nil {
		return nil, err
	}
	return &incidentbot.Timeline{
		Events: []incidentbot.TimelineEvent{
			{Date: "2022-07-15", Text: "A cyberattack hits Albanian government services. [1]"},
			{Date: "2022-09-07", Text: "Albania cuts diplomatic ties with Iran. [1]"},
		},
		Citations: a.Citations,
	}, nil
}
