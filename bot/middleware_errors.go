package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/prometheus/client_golang/prometheus"
)

// msgInternalError is the reply to a handler that failed, or panicked.
const msgInternalError = "Sorry, something went wrong while handling that. Please try again."

// reportErrors logs a handler's error and tells the user, ephemerally where
// Discord allows it: a *userError's text as it is, anything else as
// msgInternalError. Replies Discord did not take are counted in
// undelivered.
func reportErrors(log *slog.Logger, undelivered prometheus.Counter) Middleware {
	return func(next Handler) Handler {
		return func(ctx context.Context, ev *Event) error {
			err := next(ctx, ev)
			if err == nil {
				return nil
			}
			var ue *userError
			if errors.As(err, &ue) {
				replyError(ctx, log, ev, ue.msg)
				return nil
			}
			if isGone(err) {
				// The interaction expired or its message was deleted: there is
				// nobody left to tell. replier already logged and counted it.
				return nil
			}
			var lost *undeliveredError
			if errors.As(err, &lost) {
				undelivered.Inc()
				logFor(log, ev).Error("reply not delivered", "err", err, "attempts", lost.attempts, "part_shown", lost.shown)
				if lost.shown || lost.gaveUp {
					// An error message would replace what was shown, or fail
					// like the reply did.
					return err
				}
			} else {
				logFor(log, ev).Error("handler failed", "err", err)
			}
			replyError(ctx, log, ev, msgInternalError)
			return err
		}
	}
}

// replyError sends msg to the user, ephemerally where possible, and never
// panics: it runs inside recoverPanics' deferred function.
func replyError(ctx context.Context, log *slog.Logger, ev *Event, msg string) {
	defer func() {
		if p := recover(); p != nil {
			logFor(log, ev).Error("error reply panicked", "panic", fmt.Sprint(p))
		}
	}()
	if ev.reply == nil {
		return
	}
	if err := ev.reply.Send(ctx, Reply{Text: msg, Ephemeral: true}); err != nil && !isGone(err) {
		logFor(log, ev).Warn("could not send error reply", "err", err)
	}
}
