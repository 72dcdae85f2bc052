package bot

import (
	"context"
	"fmt"
	"log/slog"
)

// deferReply acknowledges the event before any slow work: Discord fails an
// interaction that is not acknowledged within 3 seconds.
func deferReply(ephemeral bool, log *slog.Logger) Middleware {
	return func(next Handler) Handler {
		return func(ctx context.Context, ev *Event) error {
			if err := ev.reply.Defer(ctx, ephemeral); err != nil {
				if isGone(err) {
					logFor(log, ev).Warn("could not acknowledge in time; dropping", "err", err)
					return nil
				}
				return fmt.Errorf("acknowledging: %w", err)
			}
			return next(ctx, ev)
		}
	}
}
