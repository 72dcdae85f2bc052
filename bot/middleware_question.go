package bot

import (
	"context"
	"errors"
	"strings"

	"github.com/incidentbot/incidentbot"
)

// validQuestion rejects, with check, an empty or too long question in the
// event's option before anything is acknowledged, so the reply can still
// be ephemeral.
func validQuestion(option string, check func(string) error, about About) Middleware {
	return func(next Handler) Handler {
		return func(ctx context.Context, ev *Event) error {
			err := check(ev.Options[option])
			if err == nil {
				return next(ctx, ev)
			}
			var text string
			switch {
			case errors.Is(err, incidentbot.ErrEmptyQuestion):
				text = about.emptyQuestion(ev.Kind == KindMention)
			case errors.Is(err, incidentbot.ErrTooLong):
				text = "That question is too long (" + strings.TrimPrefix(err.Error(), incidentbot.ErrTooLong.Error()+": ") + "). Please shorten it."
			default:
				text = "I can't take that question: " + err.Error()
			}
			return ev.reply.Send(ctx, Reply{Text: text, Ephemeral: true})
		}
	}
}
