package bot

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"syscall"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/cenkalti/backoff/v5"
)

// Discord expects an interaction to be acknowledged within 3 seconds and
// keeps its token, which every later edit and followup needs, for 15
// minutes.
const (
	ackWindow       = 3 * time.Second
	defaultTokenTTL = 15 * time.Minute
)

// undeliveredError is a reply Discord did not take: it failed for good, or
// kept failing in ways that may pass until there was no time left to try.
type undeliveredError struct {
	attempts int
	// shown: an earlier part of the same reply was delivered.
	shown bool
	// gaveUp: the last failure was one that may pass (a 5xx, the
	// network); trying again now, with an error message, would fail too.
	gaveUp bool
	err    error
}

func (e *undeliveredError) Error() string {
	if e.attempts == 1 {
		return e.err.Error()
	}
	return fmt.Sprintf("%v (after %d attempts)", e.err, e.attempts)
}

func (e *undeliveredError) Unwrap() error { return e.err }

// markShown records on err, an undelivered reply, that part of the reply
// had been delivered before it.
func markShown(err error) error {
	var ue *undeliveredError
	if errors.As(err, &ue) {
		ue.shown = true
	}
	return err
}

// transient reports a failure that may pass if the call is made again: a
// 500, 502, 503 or 504 from Discord, or the network (a refused or reset
// connection, a timeout, a response cut short).
func transient(err error) bool {
	if err == nil {
		return false
	}
	var re *discordgo.RESTError
	if errors.As(err, &re) {
		if re.Response == nil {
			return false
		}
		switch re.Response.StatusCode {
		case 500, 502, 503, 504:
			return true
		}
		return false
	}
	// discordgo reports a 502 it has stopped retrying itself as a plain
	// error, with no type to test.
	if strings.HasPrefix(err.Error(), "Exceeded Max retries HTTP 5") {
		return true
	}
	var ne net.Error
	var ue *url.Error
	return errors.As(err, &ne) || errors.As(err, &ue) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED)
}

// replyBackoff spaces the attempts at one call: about 0.25 s, 0.5 s, 1 s,
// … up to 30 s apart, each spread by ±50% so that replies failed by the
// same outage do not come back all at once.
func replyBackoff() backoff.BackOff {
	b := backoff.NewExponentialBackOff()
	b.InitialInterval = 250 * time.Millisecond
	b.RandomizationFactor = 0.5
	b.Multiplier = 2
	b.MaxInterval = 30 * time.Second
	return b
}

// tokenDeadline is when ev's interaction token stops working (for other
// events: when an answer is no longer worth retrying), less a margin for
// the last request to arrive.
func (d *discord) tokenDeadline(ev *Event) time.Time {
	ttl := d.b.opts.InteractionTokenTTL
	if ttl <= 0 {
		ttl = defaultTokenTTL
	}
	return ev.Received.Add(ttl - min(ttl/10, 10*time.Second))
}

// ackDeadline is when Discord stops taking ev's acknowledgement.
func (d *discord) ackDeadline(ev *Event) time.Time {
	return ev.Received.Add(ackWindow)
}

// deliver makes one REST call of a reply, retrying with backoff and jitter
// while it fails in ways that may pass, until it succeeds, fails for good,
// or the next attempt would start after deadline (the first is always
// made). The calls run on the bot's work context, not the handler's: an
// answer that took most of its time limit is still delivered, and a
// shutdown that gives up waiting stops the retries.
// Failed attempts are logged and counted; so is the end, by restFailed.
// already, when set, reports an error on a later attempt that means an
// earlier one had landed after all (its response was lost).
func (d *discord) deliver(ev *Event, what string, deadline time.Time, already func(error) bool, call func(ctx context.Context) error) error {
	ctx := d.b.work
	limit := backoff.WithMaxElapsedTime(time.Until(deadline))
	if time.Until(deadline) <= 0 {
		limit = backoff.WithMaxTries(1)
	}
	attempts := 0
	var last error
	_, err := backoff.Retry(ctx, func() (struct{}, error) {
		attempts++
		err := call(ctx)
		if err != nil && attempts > 1 && already != nil && already(err) {
			err = nil
		}
		last = err
		if err == nil || (transient(err) && ctx.Err() == nil) {
			return struct{}{}, err
		}
		return struct{}{}, backoff.Permanent(err)
	}, backoff.WithBackOff(replyBackoff()), limit,
		backoff.WithNotify(func(err error, next time.Duration) {
			d.b.countDiscordError(err)
			logFor(d.b.log, ev).Warn(what+" failed; retrying", "err", err, "attempt", attempts, "retry_in", next.Round(time.Millisecond))
		}))
	if err == nil {
		return nil
	}
	if last != nil {
		err = last // the call's own error, not the context's
	}
	if isGone(err) {
		return d.restFailed(ev, what, err)
	}
	return d.restFailed(ev, what, &undeliveredError{attempts: attempts, gaveUp: transient(err) || ctx.Err() != nil, err: err})
}
