package bot

import (
	"context"
	"fmt"
	"sync"

	"github.com/bwmarrin/discordgo"
	"github.com/incidentbot/incidentbot"
)

// channelReplier answers a message in its channel, in a thread it opens on
// the message, or in the thread the message is in.
type channelReplier struct {
	d          *discord
	msg        *discordgo.Message
	ev         *Event
	openThread bool

	mu          sync.Mutex
	target      string // where answers go
	conv        string // conversation key; set when the target is a thread or DM
	placeholder string // message being edited while an answer streams in
	deferred    bool
}

// Defer opens the thread (when this is a new mention) and shows typing.
func (r *channelReplier) Defer(ctx context.Context, _ bool) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.deferred = true
	if r.openThread {
		th, err := r.d.s.MessageThreadStartComplex(r.msg.ChannelID, r.msg.ID, &discordgo.ThreadStart{
			Name: threadName(r.ev.Options["question"]), AutoArchiveDuration: 1440, Type: discordgo.ChannelTypeGuildPublicThread,
		}, discordgo.WithContext(ctx))
		if err != nil {
			// No thread (missing permission, or one exists): answer in
			// the channel as a reply instead.
			r.d.b.countDiscordError(err)
			logFor(r.d.b.log, r.ev).Warn("could not open a thread; replying in the channel", "err", err)
		} else {
			r.target, r.conv = th.ID, th.ID
			r.d.b.convs.open(th.ID)
		}
	}
	if err := r.d.s.ChannelTyping(r.target, discordgo.WithContext(ctx)); err != nil {
		logFor(r.d.b.log, r.ev).Debug("typing indicator failed", "err", err)
	}
	return nil
}

// History returns the turns of the thread or DM, from memory or Discord.
func (r *channelReplier) History(ctx context.Context) []incidentbot.Turn {
	r.mu.Lock()
	key := r.conv
	r.mu.Unlock()
	if key == "" {
		return nil
	}
	if r.d.b.convs.known(key) {
		return lastTurns(r.d.b.convs.history(key), r.d.b.cfg.ThreadContextTurns)
	}
	var turns []incidentbot.Turn
	if r.msg.GuildID != "" {
		turns = r.d.threadHistory(ctx, key, r.msg.ID)
	}
	r.d.b.convs.add(key, turns...)
	return lastTurns(turns, r.d.b.cfg.ThreadContextTurns)
}

func (r *channelReplier) Remember(t incidentbot.Turn) {
	r.mu.Lock()
	key := r.conv
	r.mu.Unlock()
	if key != "" {
		r.d.b.convs.add(key, t)
	}
}

func lastTurns(t []incidentbot.Turn, n int) []incidentbot.Turn {
	if len(t) > n {
		return t[len(t)-n:]
	}
	return t
}

// Progress shows a partial answer in a placeholder message.
func (r *channelReplier) Progress(ctx context.Context, text string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	content := clip(text, maxContent)
	if r.placeholder == "" {
		m, err := r.d.s.ChannelMessageSendComplex(r.target, r.send(content, nil, true), discordgo.WithContext(ctx))
		if err != nil {
			return r.d.restFailed(r.ev, "posting a partial answer", err)
		}
		r.placeholder = m.ID
		return nil
	}
	_, err := r.d.s.ChannelMessageEditComplex(&discordgo.MessageEdit{
		ID: r.placeholder, Channel: r.target, Content: &content, AllowedMentions: noMentions(),
	}, discordgo.WithContext(ctx))
	if err != nil {
		return r.d.restFailed(r.ev, "editing a partial answer", err)
	}
	return nil
}

// Send posts the answer, split into as many messages as it takes, the
// buttons under the last, retrying what may pass (see deliver).
func (r *channelReplier) Send(_ context.Context, rep Reply) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	parts := splitText(rep.Text, maxContent)
	if len(parts) == 0 {
		return fmt.Errorf("empty reply")
	}
	for i, p := range parts {
		var buttons []Button
		if i == len(parts)-1 {
			buttons = rep.Buttons
		}
		if i == 0 && r.placeholder != "" {
			comps := components(buttons)
			edit := &discordgo.MessageEdit{ID: r.placeholder, Channel: r.target, Content: &p, Components: &comps, AllowedMentions: noMentions()}
			err := r.d.deliver(r.ev, "editing the answer", r.d.tokenDeadline(r.ev), nil, func(ctx context.Context) error {
				_, err := r.d.s.ChannelMessageEditComplex(edit, discordgo.WithContext(ctx), discordgo.WithRestRetries(0))
				return err
			})
			if err != nil {
				return err
			}
			continue
		}
		// Outside a thread the first message replies to the question, so
		// it is clear what it answers.
		reply := i == 0 && r.target == r.msg.ChannelID
		msg := r.send(p, buttons, !reply)
		err := r.d.deliver(r.ev, "posting the answer", r.d.tokenDeadline(r.ev), nil, func(ctx context.Context) error {
			_, err := r.d.s.ChannelMessageSendComplex(r.target, msg, discordgo.WithContext(ctx), discordgo.WithRestRetries(0))
			return err
		})
		if err != nil {
			if i > 0 {
				return markShown(err)
			}
			return err
		}
	}
	return nil
}

// send builds a message; plain messages carry no reference.
func (r *channelReplier) send(content string, buttons []Button, plain bool) *discordgo.MessageSend {
	ms := &discordgo.MessageSend{Content: content, Components: components(buttons), AllowedMentions: noMentions()}
	if !plain {
		ms.Reference = &discordgo.MessageReference{MessageID: r.msg.ID, ChannelID: r.msg.ChannelID, GuildID: r.msg.GuildID, FailIfNotExists: new(false)}
	}
	return ms
}
