package bot

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime/debug"
	"strings"
	"time"

	"github.com/incidentbot/incidentbot/answer"
)

// Messages for replies the middleware sends. They are ephemeral where
// Discord allows it: only the asker needs to see them.
const (
	msgInternalError = "Sorry, something went wrong while handling that. Please try again."
	msgBusy          = "I'm busy answering other questions right now. Please try again in a moment."
	msgRestarting    = "I'm restarting. Please try again in a minute."
	msgNoDMs         = "I only answer in servers: direct messages are turned off for this bot."
)

// recoverer turns a panic in anything it wraps into a logged error and an
// error reply. discordgo runs handlers in bare goroutines, where a panic
// would end the process.
func (s *service) recoverer(next Handler) Handler {
	return func(ctx context.Context, ev *Event) (err error) {
		defer func() {
			if p := recover(); p != nil {
				s.metrics.panics.Add(1)
				logFor(s.log, ev).Error("handler panicked", "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
				s.replyError(ctx, ev, msgInternalError)
				err = fmt.Errorf("panic: %v", p)
			}
		}()
		return next(ctx, ev)
	}
}

// reportErrors logs a handler's error and tells the user.
func (s *service) reportErrors(next Handler) Handler {
	return func(ctx context.Context, ev *Event) error {
		err := next(ctx, ev)
		if err == nil {
			return nil
		}
		var ue *userError
		if errors.As(err, &ue) {
			s.replyError(ctx, ev, ue.msg)
			return nil
		}
		if isGone(err) {
			// The interaction expired or its message was deleted: there is
			// nobody left to tell. replier already logged and counted it.
			return nil
		}
		var undelivered *undeliveredError
		if errors.As(err, &undelivered) {
			s.metrics.undelivered.Add(1)
			logFor(s.log, ev).Error("reply not delivered", "err", err, "attempts", undelivered.attempts, "part_shown", undelivered.shown)
			if undelivered.shown || undelivered.gaveUp {
				// An error message would replace what was shown, or fail
				// like the reply did.
				return err
			}
		} else {
			logFor(s.log, ev).Error("handler failed", "err", err)
		}
		s.replyError(ctx, ev, msgInternalError)
		return err
	}
}

// replyError sends msg to the user, ephemerally where possible, and never
// panics: it runs inside the recoverer's deferred function.
func (s *service) replyError(ctx context.Context, ev *Event, msg string) {
	defer func() {
		if p := recover(); p != nil {
			logFor(s.log, ev).Error("error reply panicked", "panic", fmt.Sprint(p))
		}
	}()
	if ev.reply == nil {
		return
	}
	if err := ev.reply.Send(ctx, Reply{Text: msg, Ephemeral: true}); err != nil && !isGone(err) {
		logFor(s.log, ev).Warn("could not send error reply", "err", err)
	}
}

// tracked counts the event as in flight so a shutdown waits for it, and
// turns new events away once the shutdown has begun.
func (s *service) tracked(next Handler) Handler {
	return func(ctx context.Context, ev *Event) error {
		if !s.inflight.enter() {
			return ev.reply.Send(ctx, Reply{Text: msgRestarting, Ephemeral: true})
		}
		defer s.inflight.leave()
		return next(ctx, ev)
	}
}

// dmGuard answers DMs with an explanation when they are turned off.
func (s *service) dmGuard(next Handler) Handler {
	return func(ctx context.Context, ev *Event) error {
		if ev.DM && !s.cfg.AllowDMs && !ev.Trusted {
			return ev.reply.Send(ctx, Reply{Text: msgNoDMs, Ephemeral: true})
		}
		return next(ctx, ev)
	}
}

// validQuestion rejects an empty or too long question before anything is
// acknowledged, so the reply can still be ephemeral.
func (s *service) validQuestion(option string) Middleware {
	return func(next Handler) Handler {
		return func(ctx context.Context, ev *Event) error {
			q := ev.Options[option]
			if err := s.answerer.CheckQuestion(q); err != nil {
				var text string
				switch {
				case errors.Is(err, answer.ErrEmptyQuestion):
					text = s.about.emptyQuestion(ev.Kind == KindMention)
				case errors.Is(err, answer.ErrTooLong):
					text = "That question is too long (" + strings.TrimPrefix(err.Error(), answer.ErrTooLong.Error()+": ") + "). Please shorten it."
				default:
					text = "I can't take that question: " + err.Error()
				}
				return ev.reply.Send(ctx, Reply{Text: text, Ephemeral: true})
			}
			return next(ctx, ev)
		}
	}
}

// rateLimited applies the per-user and per-channel limits.
func (s *service) rateLimited(next Handler) Handler {
	return func(ctx context.Context, ev *Event) error {
		if s.limits == nil || ev.Trusted {
			return next(ctx, ev)
		}
		ok, wait, scope := s.limits.allow(ev.UserID, ev.ChannelID, time.Now())
		if ok {
			return next(ctx, ev)
		}
		s.metrics.rateLimited.Add(1)
		secs := int(math.Ceil(wait.Seconds()))
		var text string
		if scope == scopeChannel {
			text = fmt.Sprintf("This channel has asked me a lot in the last little while. Please wait %s and try again.", plural(secs, "second"))
		} else {
			text = fmt.Sprintf("You're asking faster than I can keep up with. Please wait %s and try again.", plural(secs, "second"))
		}
		logFor(s.log, ev).Info("rate limited", "scope", scope, "wait", wait)
		return ev.reply.Send(ctx, Reply{Text: text, Ephemeral: true})
	}
}

// admitted takes a place in the answer queue, or says the bot is busy. The
// place is released when the handler returns.
func (s *service) admitted(next Handler) Handler {
	return func(ctx context.Context, ev *Event) error {
		t, ok := s.queue.admit()
		if !ok {
			s.metrics.busy.Add(1)
			pending, wait := s.queue.load()
			logFor(s.log, ev).Warn("expected wait over budget; turned away", "pending", pending, "expected_wait", wait.Round(time.Millisecond))
			return ev.reply.Send(ctx, Reply{Text: msgBusy, Ephemeral: true})
		}
		defer t.done()
		return next(withTicket(ctx, t), ev)
	}
}

// slotted waits for one of the concurrent answer slots. It sits after
// deferred, so the wait happens behind a "thinking…" message rather than
// against Discord's 3-second acknowledgement deadline.
func (s *service) slotted(next Handler) Handler {
	return func(ctx context.Context, ev *Event) error {
		if t := ticketFrom(ctx); t != nil {
			if err := t.wait(ctx); err != nil {
				return fmt.Errorf("waiting for an answer slot: %w", err)
			}
		}
		return next(ctx, ev)
	}
}

// deferred acknowledges the event before any slow work: Discord fails an
// interaction that is not acknowledged within 3 seconds.
func (s *service) deferred(ephemeral bool) Middleware {
	return func(next Handler) Handler {
		return func(ctx context.Context, ev *Event) error {
			if err := ev.reply.Defer(ctx, ephemeral); err != nil {
				if isGone(err) {
					logFor(s.log, ev).Warn("could not acknowledge in time; dropping", "err", err)
					return nil
				}
				return fmt.Errorf("acknowledging: %w", err)
			}
			return next(ctx, ev)
		}
	}
}

// timeout bounds the work for one event.
func timeout(d time.Duration) Middleware {
	return func(next Handler) Handler {
		return func(ctx context.Context, ev *Event) error {
			ctx, cancel := context.WithTimeout(ctx, d)
			defer cancel()
			return next(ctx, ev)
		}
	}
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}
