package bot

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/incidentbot/incidentbot"
)

// Kind says what started an Event.
type Kind int

const (
	KindCommand   Kind = iota // a slash command
	KindComponent             // a button click
	KindMention               // a message that mentions the bot, a DM, or a follow-up in its thread
)

func (k Kind) String() string {
	return [...]string{"command", "component", "mention"}[k]
}

// Event is one thing a user did, stripped of Discord: handlers read it and
// reply through it, so the console can feed them the same way.
type Event struct {
	Kind Kind
	// ID is the interaction ID, or the message ID for mentions. It names
	// the answer for the feedback buttons and appears in every log line.
	ID string
	// Name is the command name, or the custom_id of a clicked component.
	Name string
	// Options are the command's options by name; a mention's question is
	// under "question".
	Options   map[string]string
	GuildID   string
	ChannelID string
	UserID    string
	Roles     []string
	// Permissions are the invoking member's permissions in the channel, as
	// Discord computed them.
	Permissions int64
	DM          bool
	// Trusted events (the console) pass permission checks and rate limits:
	// whoever has the terminal already has the data folder.
	Trusted bool
	// MessageContent is the text of the message a clicked button is on.
	MessageContent string
	// Received is when the event reached the bot; ack and answer latencies
	// are measured from it.
	Received time.Time
	// Conv, when set, holds the earlier turns of the conversation (a
	// thread, a DM, the console) and keeps the new one.
	Conv Conversation

	reply replier
	// params are what a component's custom_id holds in its route's
	// {placeholders}; action is the route's description.
	params map[string]string
	action string
}

// Param is the part of a clicked component's custom_id that its route's
// pattern names {name}.
func (ev *Event) Param(name string) string { return ev.params[name] }

// Conversation is the memory of one thread, DM channel or console session.
type Conversation interface {
	History(ctx context.Context) []incidentbot.Turn
	Remember(t incidentbot.Turn)
}

// Handler handles one event. An error is logged and the user told that
// something went wrong; a *userError's text is shown as it is.
type Handler func(ctx context.Context, ev *Event) error

// Middleware wraps a Handler, like net/http middleware.
type Middleware func(Handler) Handler

// chain wraps h so that mw[0] runs first.
func chain(h Handler, mw ...Middleware) Handler {
	for i := len(mw) - 1; i >= 0; i-- {
		h = mw[i](h)
	}
	return h
}

// router maps command names and custom_id prefixes to handlers, in the
// manner of disgo's handler package.
type router struct {
	global     []Middleware
	commands   map[string]Handler
	components []componentRoute
	mention    Handler
	log        *slog.Logger
}

type componentRoute struct {
	pattern customID
	action  string
	h       Handler
}

func newRouter(log *slog.Logger, global ...Middleware) *router {
	return &router{global: global, commands: map[string]Handler{}, log: log}
}

// Command routes the slash command name to h behind mw.
func (r *router) Command(name string, h Handler, mw ...Middleware) {
	r.commands[name] = chain(h, mw...)
}

// Component routes clicks on components whose custom_id matches pattern
// (see customID), such as "refresh:apply:{id}"; action says what the
// button does, in a refusal.
func (r *router) Component(pattern, action string, h Handler, mw ...Middleware) {
	r.components = append(r.components, componentRoute{parseCustomID(pattern), action, chain(h, mw...)})
}

// Mention routes messages addressed to the bot.
func (r *router) Mention(h Handler, mw ...Middleware) {
	r.mention = chain(h, mw...)
}

// route finds the handler for ev, or nil; a component's route fills in
// ev's params and action.
func (r *router) route(ev *Event) Handler {
	switch ev.Kind {
	case KindCommand:
		return r.commands[ev.Name]
	case KindComponent:
		for _, c := range r.components {
			if params, ok := c.pattern.match(ev.Name); ok {
				ev.params, ev.action = params, c.action
				return c.h
			}
		}
	case KindMention:
		return r.mention
	}
	return nil
}

// Dispatch runs ev through the global middleware and its route. It returns
// once the handler has finished.
func (r *router) Dispatch(ctx context.Context, ev *Event) {
	h := r.route(ev)
	if h == nil {
		h = func(ctx context.Context, ev *Event) error {
			if ev.Kind == KindComponent {
				return userErrorf(msgButtonExpired)
			}
			return userErrorf("I don't know the command \"%s\". Try /ask.", userText(ev.Name, asMarkdown, 80))
		}
	}
	_ = chain(h, r.global...)(ctx, ev)
}

// actionName names what an event asks for, for a refusal: the slash
// command, or what a button does (never its custom_id, which means
// nothing to a person).
func actionName(ev *Event) string {
	switch {
	case ev.Kind != KindComponent:
		return "/" + ev.Name
	case ev.action != "":
		return ev.action
	}
	return "That button"
}

// userError is an error whose text is meant for the user.
type userError struct{ msg string }

func (e *userError) Error() string { return e.msg }

func userErrorf(format string, args ...any) error {
	return &userError{fmt.Sprintf(format, args...)}
}

// logger returns a logger carrying what identifies ev, never the user's ID.
func logFor(log *slog.Logger, ev *Event) *slog.Logger {
	attrs := []any{"interaction_id", ev.ID, "kind", ev.Kind.String()}
	if ev.Name != "" {
		attrs = append(attrs, "name", ev.Name)
	}
	if ev.GuildID != "" {
		attrs = append(attrs, "guild_id", ev.GuildID)
	}
	if ev.UserID != "" {
		attrs = append(attrs, "user", shortHash(ev.UserID))
	}
	return log.With(attrs...)
}
