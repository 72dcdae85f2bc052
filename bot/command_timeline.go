package bot

import (
	"context"
	"fmt"
)

// timeline posts the dated events the articles report, in order.
func (s *service) timeline(ctx context.Context, ev *Event) error {
	t, err := s.answerer.Timeline(ctx)
	if err != nil {
		return fmt.Errorf("building the timeline: %w", err)
	}
	text, _ := renderTimeline(t, s.about.timelineTitle())
	return ev.reply.Send(ctx, Reply{Text: text})
}
