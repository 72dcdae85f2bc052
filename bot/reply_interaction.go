package bot

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"strconv"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"
)

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
	r.d.b.metrics.ackLatency.Observe(time.Since(r.ev.Received).Seconds())
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
