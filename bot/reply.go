package bot

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"net"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/cenkalti/backoff/v5"
)

// replier is how a handler answers, whatever the event came through.
type replier interface {
	// Defer acknowledges the event before slow work (Discord shows
	// "thinking…"; a mention gets its thread and a typing indicator).
	Defer(ctx context.Context, ephemeral bool) error
	// Progress shows the text of an answer still being written. It edits
	// one message; Send later replaces it.
	Progress(ctx context.Context, text string) error
	// Send delivers a reply, in as many messages as its length needs: the
	// first replaces the deferred or partial one, the rest follow.
	Send(ctx context.Context, r Reply) error
}

// Reply is a message to show.
type Reply struct {
	Text string
	// Ephemeral replies are seen only by the user, where Discord allows it
	// (not after a public defer, not for mentions).
	Ephemeral bool
	Buttons   []Button // shown under the last message
}

// Button is a button under a reply.
type Button struct {
	ID    string // custom_id
	Label string
	Emoji string
}

// components lays buttons out in action rows of five.
func components(bs []Button) []discordgo.MessageComponent {
	out := []discordgo.MessageComponent{}
	var row discordgo.ActionsRow
	for _, b := range bs {
		btn := discordgo.Button{CustomID: b.ID, Label: b.Label, Style: discordgo.SecondaryButton}
		if b.Emoji != "" {
			btn.Emoji = &discordgo.ComponentEmoji{Name: b.Emoji}
		}
		row.Components = append(row.Components, btn)
		if len(row.Components) == 5 {
			out = append(out, row)
			row = discordgo.ActionsRow{}
		}
	}
	if len(row.Components) > 0 {
		out = append(out, row)
	}
	return out
}

// noMentions lets nothing in a message ping anyone: answers quote articles
// and echo questions, and either may contain @everyone or <@id>. Discord
// applies allowed_mentions per request, so every create and edit sends it.
func noMentions() *discordgo.MessageAllowedMentions {
	return &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}
}

// Discord error codes the bot handles by name.
const (
	codeUnknownMessage      = 10008 // the message was deleted (e.g. the "thinking…" one)
	codeUnknownWebhook      = 10015
	codeUnknownInteraction  = 10062 // not acknowledged within 3 s, or already gone
	codeAlreadyAcknowledged = 40060
	codeInvalidWebhookToken = 50027 // the 15-minute interaction token expired
)

// discordCode extracts Discord's JSON error code, or 0.
func discordCode(err error) int {
	var re *discordgo.RESTError
	if errors.As(err, &re) && re.Message != nil {
		return re.Message.Code
	}
	return 0
}

// errGone is returned for replies to an event already known to be gone.
var errGone = errors.New("the interaction or its message is gone")

// isGone reports an error after which nothing more can be shown for this
// event: the interaction or its message no longer exists.
func isGone(err error) bool {
	if errors.Is(err, errGone) {
		return true
	}
	switch discordCode(err) {
	case codeUnknownMessage, codeUnknownWebhook, codeUnknownInteraction, codeInvalidWebhookToken, codeAlreadyAcknowledged:
		return true
	}
	return false
}

// countDiscordError counts a failed Discord call by its code ("http" when
// the error carries none).
func (s *service) countDiscordError(err error) {
	code := "other"
	if c := discordCode(err); c != 0 {
		code = strconv.Itoa(c)
	} else {
		var re *discordgo.RESTError
		if errors.As(err, &re) && re.Response != nil {
			code = "http_" + strconv.Itoa(re.Response.StatusCode)
		}
	}
	s.metrics.discordError(code)
}

// restFailed logs and counts a failed REST call for ev and returns it
// wrapped. Errors that mean the event is gone are logged at Info: a
// deleted message or expired token is normal, not a fault.
func (d *discord) restFailed(ev *Event, what string, err error) error {
	d.b.countDiscordError(err)
	log := logFor(d.b.log, ev)
	if isGone(err) {
		log.Info(what+": the interaction or message is gone", "code", discordCode(err))
	} else {
		log.Warn(what+" failed", "err", err)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// ---- delivery ----

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

// interactionReplier answers an interaction: a callback first (deferred or
// not), then edits of @original and followups.
type interactionReplier struct {
	d  *discord
	i  *discordgo.Interaction
	ev *Event

	mu        sync.Mutex
	acked     bool
	ephemeral bool // the acknowledgement was ephemeral
	gone      bool // nothing more can be shown
}

// Defer acknowledges, retrying while Discord still takes the
// acknowledgement.
func (r *interactionReplier) Defer(_ context.Context, ephemeral bool) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.acked {
		return nil
	}
	resp := &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource}
	if ephemeral {
		resp.Data = &discordgo.InteractionResponseData{Flags: discordgo.MessageFlagsEphemeral}
	}
	if err := r.d.callback(r.ev, r.i, "acknowledging", resp); err != nil {
		r.gone = isGone(err)
		return err
	}
	r.acknowledged(ephemeral)
	return nil
}

func (r *interactionReplier) acknowledged(ephemeral bool) {
	r.acked, r.ephemeral = true, ephemeral
	r.d.b.metrics.ackLatency.observe(time.Since(r.ev.Received).Seconds())
}

func (r *interactionReplier) Progress(ctx context.Context, text string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.acked || r.gone {
		return nil
	}
	content := clip(text, maxContent)
	if err := r.d.editOriginal(ctx, r.i, &discordgo.WebhookEdit{Content: &content, AllowedMentions: noMentions()}); err != nil {
		r.gone = isGone(err)
		return r.d.restFailed(r.ev, "editing a partial answer", err)
	}
	return nil
}

// Send delivers rep, retrying each call while it fails in ways that may
// pass (see deliver); it does not end with the handler's context.
func (r *interactionReplier) Send(_ context.Context, rep Reply) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.gone {
		return fmt.Errorf("reply to interaction %s: %w", r.i.ID, errGone)
	}
	parts := splitText(rep.Text, maxContent)
	if len(parts) == 0 {
		return errors.New("reply: empty text")
	}
	buttonsFor := func(i int) []discordgo.MessageComponent {
		if i == len(parts)-1 {
			return components(rep.Buttons)
		}
		return []discordgo.MessageComponent{}
	}
	if !r.acked {
		data := &discordgo.InteractionResponseData{Content: parts[0], Components: buttonsFor(0), AllowedMentions: noMentions()}
		if rep.Ephemeral {
			data.Flags = discordgo.MessageFlagsEphemeral
		}
		err := r.d.callback(r.ev, r.i, "replying", &discordgo.InteractionResponse{Type: discordgo.InteractionResponseChannelMessageWithSource, Data: data})
		if err != nil {
			r.gone = isGone(err)
			return err
		}
		r.acknowledged(rep.Ephemeral)
	} else {
		comps := buttonsFor(0)
		edit := &discordgo.WebhookEdit{Content: &parts[0], Components: &comps, AllowedMentions: noMentions()}
		err := r.d.deliver(r.ev, "editing the response", r.d.tokenDeadline(r.ev), nil, func(ctx context.Context) error {
			return r.d.editOriginal(ctx, r.i, edit)
		})
		if err != nil {
			r.gone = isGone(err)
			return err
		}
	}
	for i := 1; i < len(parts); i++ {
		params := &discordgo.WebhookParams{Content: parts[i], Components: buttonsFor(i), AllowedMentions: noMentions()}
		if rep.Ephemeral || r.ephemeral {
			params.Flags = discordgo.MessageFlagsEphemeral
		}
		err := r.d.deliver(r.ev, fmt.Sprintf("sending part %d of %d", i+1, len(parts)), r.d.tokenDeadline(r.ev), nil, func(ctx context.Context) error {
			return r.d.followup(ctx, r.i, params)
		})
		if err != nil {
			r.gone = isGone(err)
			return markShown(err)
		}
	}
	return nil
}

// callback sends the interaction callback, retrying what may pass while
// Discord still takes it. A retry that finds the interaction already
// acknowledged means the attempt before it landed.
func (d *discord) callback(ev *Event, i *discordgo.Interaction, what string, resp *discordgo.InteractionResponse) error {
	landed := func(err error) bool { return discordCode(err) == codeAlreadyAcknowledged }
	return d.deliver(ev, what, d.ackDeadline(ev), landed, func(ctx context.Context) error {
		return d.respond(ctx, i, resp)
	})
}

// The three interaction calls below go through discordgo's REST client
// (its 429 handling included, its own immediate retry of a 502 turned off:
// deliver retries with backoff) with rate-limit buckets of our choosing.
// discordgo keys these buckets by URL, token included, and never forgets
// a bucket: a long-running bot would keep one per interaction it ever
// answered. It also puts every @original edit of the application in one
// bucket and holds it for the length of each request, so 100 answers would
// wait on each other. Hashing the token into a fixed set of buckets keeps
// memory bounded and calls parallel (a bucket is held for the length of a
// request, so a burst of acknowledgements needs many more buckets than it
// has members); Discord limits these per token, so the rare interactions
// sharing a bucket only ever wait a little longer.
const interactionBuckets = 1024

func bucketFor(kind, token string) string {
	h := fnv.New32a()
	h.Write([]byte(token))
	return kind + "/" + strconv.Itoa(int(h.Sum32()%interactionBuckets))
}

// respond sends the interaction callback (the acknowledgement).
func (d *discord) respond(ctx context.Context, i *discordgo.Interaction, resp *discordgo.InteractionResponse) error {
	uri := discordgo.EndpointInteractionResponse(i.ID, i.Token)
	_, err := d.s.RequestWithBucketID("POST", uri, *resp, bucketFor("callback", i.Token), discordgo.WithContext(ctx), discordgo.WithRestRetries(0))
	return err
}

// editOriginal edits @original.
func (d *discord) editOriginal(ctx context.Context, i *discordgo.Interaction, edit *discordgo.WebhookEdit) error {
	uri := discordgo.EndpointWebhookMessage(i.AppID, i.Token, "@original")
	_, err := d.s.RequestWithBucketID("PATCH", uri, edit, bucketFor("webhook", i.Token), discordgo.WithContext(ctx), discordgo.WithRestRetries(0))
	return err
}

// followup posts a followup message.
func (d *discord) followup(ctx context.Context, i *discordgo.Interaction, params *discordgo.WebhookParams) error {
	uri := discordgo.EndpointWebhookToken(i.AppID, i.Token)
	_, err := d.s.RequestWithBucketID("POST", uri, params, bucketFor("webhook", i.Token), discordgo.WithContext(ctx), discordgo.WithRestRetries(0))
	return err
}
