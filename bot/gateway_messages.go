package bot

import (
	"context"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/incidentbot/incidentbot"
)

// onMessage handles MESSAGE_CREATE: a mention of the bot in a channel opens
// a thread on the message and answers there; any message in a thread the
// bot opened is a follow-up, answered with the thread's recent turns; a DM,
// when allowed, is answered in the DM.
func (d *discord) onMessage(_ *discordgo.Session, m *discordgo.MessageCreate) {
	defer d.recoverEvent("MESSAGE_CREATE", m.ID)
	if m.Author == nil || m.Author.Bot || m.Author.ID == d.botID() {
		return // never answer a bot, least of all ourselves
	}
	if m.Type != discordgo.MessageTypeDefault && m.Type != discordgo.MessageTypeReply {
		return
	}
	ev := d.messageEvent(d.b.work, m.Message)
	if ev == nil {
		return
	}
	d.b.dispatch(ev)
}

// messageEvent turns a message into an Event, or nil if it is not for us.
func (d *discord) messageEvent(ctx context.Context, m *discordgo.Message) *Event {
	bot := d.botID()
	mentioned := mentions(m, bot)
	ev := &Event{
		Kind: KindMention, ID: m.ID, GuildID: m.GuildID, ChannelID: m.ChannelID, UserID: m.Author.ID,
		Options: map[string]string{"question": stripMention(m.Content, bot)}, Received: time.Now(),
	}
	if m.Member != nil {
		ev.Roles = m.Member.Roles
	}
	rep := &channelReplier{d: d, msg: m, target: m.ChannelID, ev: ev}
	ev.reply = rep
	switch {
	case m.GuildID == "":
		if !d.b.cfg.AllowDMs {
			return nil // without the intent they do not arrive; be sure anyway
		}
		ev.DM = true
		rep.conv = m.ChannelID
		ev.Conv = rep
	case d.ownThread(ctx, m.ChannelID):
		rep.conv = m.ChannelID
		ev.Conv = rep
	case mentioned:
		ch := d.channel(ctx, m.ChannelID)
		if ch == nil || ch.Type == discordgo.ChannelTypeGuildText || ch.Type == discordgo.ChannelTypeGuildNews {
			rep.openThread = true
			ev.Conv = rep // the conversation key is the thread, once opened
		}
		// Elsewhere (someone else's thread, a voice channel's chat) the
		// answer is a plain reply, without memory.
	default:
		return nil
	}
	return ev
}

// mentions reports whether m mentions the user bot (not @everyone).
func mentions(m *discordgo.Message, bot string) bool {
	if bot == "" {
		return false
	}
	for _, u := range m.Mentions {
		if u != nil && u.ID == bot {
			return true
		}
	}
	return strings.Contains(m.Content, "<@"+bot+">") || strings.Contains(m.Content, "<@!"+bot+">")
}

// stripMention removes the bot's mention from a message's text.
func stripMention(content, bot string) string {
	if bot != "" {
		content = strings.NewReplacer("<@"+bot+">", " ", "<@!"+bot+">", " ").Replace(content)
	}
	return strings.TrimSpace(oneLine(content))
}

// ownThread reports whether channelID is a thread the bot opened: known
// from memory, or from Discord (after a restart) by its owner.
func (d *discord) ownThread(ctx context.Context, channelID string) bool {
	if d.b.convs.known(channelID) {
		return true
	}
	ch := d.channel(ctx, channelID)
	return ch != nil && ch.IsThread() && ch.OwnerID != "" && ch.OwnerID == d.botID()
}

// channel returns what is known about a channel: from discordgo's state
// (filled by GUILD_CREATE and THREAD_CREATE), else from REST, cached.
func (d *discord) channel(ctx context.Context, id string) *discordgo.Channel {
	if st := d.s.State; st != nil {
		if ch, err := st.Channel(id); err == nil {
			return ch
		}
	}
	d.chMu.Lock()
	ch, ok := d.chCache[id]
	d.chMu.Unlock()
	if ok {
		return ch
	}
	ch, err := d.s.Channel(id, discordgo.WithContext(ctx))
	if err != nil {
		d.b.log.Warn("looking up channel", "channel_id", id, "err", err)
		d.b.countDiscordError(err)
		ch = nil
	}
	d.chMu.Lock()
	if len(d.chCache) > 5000 {
		clear(d.chCache)
	}
	d.chCache[id] = ch
	d.chMu.Unlock()
	return ch
}

// threadHistory rebuilds a thread's turns from Discord when memory has
// none (the bot restarted or forgot): the starter message in the parent
// channel, then each user message paired with the bot's next reply.
func (d *discord) threadHistory(ctx context.Context, threadID, exclude string) []incidentbot.Turn {
	bot := d.botID()
	ch := d.channel(ctx, threadID)
	if ch == nil || !ch.IsThread() {
		return nil
	}
	var msgs []*discordgo.Message
	if ch.ParentID != "" {
		// A thread opened on a message has that message's ID.
		if starter, err := d.s.ChannelMessage(ch.ParentID, threadID, discordgo.WithContext(ctx)); err == nil {
			msgs = append(msgs, starter)
		}
	}
	recent, err := d.s.ChannelMessages(threadID, 50, "", "", "", discordgo.WithContext(ctx))
	if err != nil {
		d.b.log.Warn("reading thread history", "thread_id", threadID, "err", err)
		d.b.countDiscordError(err)
	}
	for i := len(recent) - 1; i >= 0; i-- { // Discord lists newest first
		msgs = append(msgs, recent[i])
	}
	var turns []incidentbot.Turn
	pending := ""
	for _, m := range msgs {
		if m == nil || m.Author == nil || m.ID == exclude {
			continue
		}
		if m.Author.ID == bot {
			if pending != "" {
				_, a := parseRendered(m.Content)
				turns = append(turns, incidentbot.Turn{Question: pending, Answer: a})
				pending = ""
			}
			continue
		}
		if !m.Author.Bot {
			pending = stripMention(m.Content, bot)
		}
	}
	return turns
}

// threadName names a new thread after the question.
func threadName(q string) string {
	if q = userText(q, asName, 90); q == "" {
		return "Question"
	}
	return q
}
