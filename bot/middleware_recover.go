package bot

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"

	"github.com/prometheus/client_golang/prometheus"
)

// recoverPanics turns a panic in anything it wraps into a logged error, an
// error reply and a count in panics. discordgo runs handlers in bare
// goroutines, where a panic would end the process.
func recoverPanics(log *slog.Logger, panics prometheus.Counter) Middleware {
	return func(next Handler) Handler {
		return func(ctx context.Context, ev *Event) (err error) {
			defer func() {
				if p := recover(); p != nil {
					panics.Inc()
					logFor(log, ev).Error("handler panicked", "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
					replyError(ctx, log, ev, msgInternalError)
					err = fmt.Errorf("panic: %v", p)
				}
			}()
			return next(ctx, ev)
		}
	}
}
