package bot

import (
	"context"
	"log/slog"
)

// signedButton lets through only clicks on buttons this process sent (see
// buttonSigner); any other gets msgButtonExpired and changes nothing.
func signedButton(b *buttonSigner, log *slog.Logger) Middleware {
	return func(next Handler) Handler {
		return func(ctx context.Context, ev *Event) error {
			if _, ok := b.verify(ev.Name); !ok {
				logFor(log, ev).Info("refused a button this process did not send")
				return ev.reply.Send(ctx, Reply{Text: msgButtonExpired, Ephemeral: true})
			}
			return next(ctx, ev)
		}
	}
}
