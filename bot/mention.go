package bot

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/incidentbot/incidentbot"
)

// ---- conversation memory ----

// conversations keeps the recent turns of each thread (and DM channel, and
// the console), bounded in both the number of conversations and the turns
// kept per conversation. A conversation the bot has an entry for is one it
// answers in without being mentioned.
type conversations struct {
	mu       sync.Mutex
	maxConvs int
	maxTurns int
	m        map[string]*convEntry
}

type convEntry struct {
	turns []incidentbot.Turn
	used  time.Time
}

func newConversations(maxConvs, maxTurns int) *conversations {
	return &conversations{maxConvs: maxConvs, maxTurns: maxTurns, m: map[string]*convEntry{}}
}

// known reports whether key has an entry.
func (c *conversations) known(key string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.m[key]
	return ok
}

// open creates an empty entry for key if it has none.
func (c *conversations) open(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.entryLocked(key)
}

// history returns a copy of key's turns, oldest first.
func (c *conversations) history(key string) []incidentbot.Turn {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[key]
	if !ok {
		return nil
	}
	e.used = time.Now()
	return slices.Clone(e.turns)
}

// add appends turns to key's conversation, keeping the last maxTurns.
func (c *conversations) add(key string, turns ...incidentbot.Turn) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.entryLocked(key)
	e.turns = append(e.turns, turns...)
	if n := len(e.turns) - max(c.maxTurns, 0); n > 0 {
		e.turns = slices.Clone(e.turns[n:])
	}
}

func (c *conversations) entryLocked(key string) *convEntry {
	e, ok := c.m[key]
	if !ok {
		if len(c.m) >= c.maxConvs {
			c.evictLocked()
		}
		e = &convEntry{}
		c.m[key] = e
	}
	e.used = time.Now()
	return e
}

// evictLocked forgets the least recently used conversation. A linear scan:
// it runs once per new conversation over at most maxConvs entries.
func (c *conversations) evictLocked() {
	var oldest string
	var at time.Time
	for k, e := range c.m {
		if oldest == "" || e.used.Before(at) {
			oldest, at = k, e.used
		}
	}
	delete(c.m, oldest)
}

// memory is a Conversation backed by the conversations store.
type memory struct {
	c   *conversations
	key string
}

func (m memory) History(context.Context) []incidentbot.Turn { return m.c.history(m.key) }
func (m memory) Remember(t incidentbot.Turn)                { m.c.add(m.key, t) }

// ---- messages ----

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
