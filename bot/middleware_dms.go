package bot

import "context"

// msgNoDMs is the reply to a direct message when they are turned off.
const msgNoDMs = "I only answer in servers: direct messages are turned off for this bot."

// dmGuard answers DMs with an explanation unless allowed (the console's
// trusted events always are).
func dmGuard(allowed bool) Middleware {
	return func(next Handler) Handler {
		return func(ctx context.Context, ev *Event) error {
			if ev.DM && !allowed && !ev.Trusted {
				return ev.reply.Send(ctx, Reply{Text: msgNoDMs, Ephemeral: true})
			}
			return next(ctx, ev)
		}
	}
}
