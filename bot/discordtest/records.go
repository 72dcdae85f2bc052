package discordtest

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"time"
)

// Message flags, interaction callback types and interaction types, with
// Discord's values, for assertions that should not depend on discordgo.
const (
	FlagSuppressEmbeds        = 1 << 2
	FlagEphemeral             = 1 << 6
	FlagLoading               = 1 << 7 // set on a deferred response until it is edited
	FlagSuppressNotifications = 1 << 12

	CallbackPong                  = 1
	CallbackChannelMessage        = 4
	CallbackDeferredMessage       = 5
	CallbackDeferredUpdateMessage = 6
	CallbackUpdateMessage         = 7
	CallbackAutocompleteResult    = 8
	CallbackModal                 = 9

	InteractionTypeApplicationCommand = 2
	InteractionTypeMessageComponent   = 3
	InteractionTypeAutocomplete       = 4
	InteractionTypeModalSubmit        = 5
)

// Gateway intents the fake looks at.
const (
	IntentGuilds         = 1 << 0
	IntentGuildMembers   = 1 << 1
	IntentGuildMessages  = 1 << 9
	IntentDirectMessages = 1 << 12
	IntentMessageContent = 1 << 15
)

// User is a Discord user.
type User struct {
	ID         string
	Username   string
	GlobalName string
	Bot        bool
}

// Member is a guild member: a user plus guild-specific roles and the
// permissions Discord computed for the channel of the interaction.
type Member struct {
	User        User
	Nick        string
	Roles       []string
	Permissions int64
	JoinedAt    time.Time
}

func (m *Member) clone() *Member {
	if m == nil {
		return nil
	}
	c := *m
	c.Roles = cloneStrings(m.Roles)
	return &c
}

// Embed is a rich embed as sent by the bot.
type Embed struct {
	Type        string       `json:"type,omitempty"`
	Title       string       `json:"title,omitempty"`
	Description string       `json:"description,omitempty"`
	URL         string       `json:"url,omitempty"`
	Timestamp   string       `json:"timestamp,omitempty"`
	Color       int          `json:"color,omitempty"`
	Footer      *EmbedFooter `json:"footer,omitempty"`
	Image       *EmbedMedia  `json:"image,omitempty"`
	Thumbnail   *EmbedMedia  `json:"thumbnail,omitempty"`
	Author      *EmbedAuthor `json:"author,omitempty"`
	Fields      []EmbedField `json:"fields,omitempty"`
}

// EmbedFooter is an embed's footer.
type EmbedFooter struct {
	Text    string `json:"text"`
	IconURL string `json:"icon_url,omitempty"`
}

// EmbedMedia is an embed image or thumbnail.
type EmbedMedia struct {
	URL    string `json:"url"`
	Width  int    `json:"width,omitempty"`
	Height int    `json:"height,omitempty"`
}

// EmbedAuthor is an embed's author line.
type EmbedAuthor struct {
	Name    string `json:"name"`
	URL     string `json:"url,omitempty"`
	IconURL string `json:"icon_url,omitempty"`
}

// EmbedField is one embed field.
type EmbedField struct {
	Name   string `json:"name"`
	Value  string `json:"value"`
	Inline bool   `json:"inline,omitempty"`
}

func (e Embed) clone() Embed {
	c := e
	if e.Footer != nil {
		f := *e.Footer
		c.Footer = &f
	}
	if e.Image != nil {
		i := *e.Image
		c.Image = &i
	}
	if e.Thumbnail != nil {
		i := *e.Thumbnail
		c.Thumbnail = &i
	}
	if e.Author != nil {
		a := *e.Author
		c.Author = &a
	}
	if e.Fields != nil {
		c.Fields = append([]EmbedField{}, e.Fields...)
	}
	return c
}

// Component is a message or modal component. One struct covers action rows
// (type 1, with Components), buttons (2), selects (3, 5-8) and text inputs (4).
type Component struct {
	Type        int            `json:"type"`
	ID          int            `json:"id,omitempty"`
	CustomID    string         `json:"custom_id,omitempty"`
	Style       int            `json:"style,omitempty"`
	Label       string         `json:"label,omitempty"`
	Emoji       *Emoji         `json:"emoji,omitempty"`
	URL         string         `json:"url,omitempty"`
	SKUID       string         `json:"sku_id,omitempty"`
	Disabled    bool           `json:"disabled,omitempty"`
	Placeholder string         `json:"placeholder,omitempty"`
	MinValues   *int           `json:"min_values,omitempty"`
	MaxValues   int            `json:"max_values,omitempty"`
	Options     []SelectOption `json:"options,omitempty"`
	MinLength   int            `json:"min_length,omitempty"`
	MaxLength   int            `json:"max_length,omitempty"`
	Required    *bool          `json:"required,omitempty"`
	Value       string         `json:"value,omitempty"`
	Components  []Component    `json:"components,omitempty"`
}

// Emoji is a component emoji.
type Emoji struct {
	ID       string `json:"id,omitempty"`
	Name     string `json:"name,omitempty"`
	Animated bool   `json:"animated,omitempty"`
}

// SelectOption is one option of a string select.
type SelectOption struct {
	Label       string `json:"label"`
	Value       string `json:"value"`
	Description string `json:"description,omitempty"`
	Emoji       *Emoji `json:"emoji,omitempty"`
	Default     bool   `json:"default,omitempty"`
}

func (c Component) clone() Component {
	d := c
	if c.Emoji != nil {
		e := *c.Emoji
		d.Emoji = &e
	}
	if c.MinValues != nil {
		v := *c.MinValues
		d.MinValues = &v
	}
	if c.Required != nil {
		v := *c.Required
		d.Required = &v
	}
	if c.Options != nil {
		d.Options = make([]SelectOption, len(c.Options))
		for i, o := range c.Options {
			d.Options[i] = o
			if o.Emoji != nil {
				e := *o.Emoji
				d.Options[i].Emoji = &e
			}
		}
	}
	d.Components = cloneComponents(c.Components)
	return d
}

func cloneComponents(cs []Component) []Component {
	if cs == nil {
		return nil
	}
	out := make([]Component, len(cs))
	for i, c := range cs {
		out[i] = c.clone()
	}
	return out
}

func cloneEmbeds(es []Embed) []Embed {
	if es == nil {
		return nil
	}
	out := make([]Embed, len(es))
	for i, e := range es {
		out[i] = e.clone()
	}
	return out
}

// Attachment is a file uploaded with a message (multipart requests).
type Attachment struct {
	ID          string
	Filename    string
	Size        int
	ContentType string
}

// AllowedMentions is the allowed_mentions object of one request, decoded so
// that "absent", "parse: null" and "parse: []" stay distinguishable:
// discordgo's zero MessageAllowedMentions sends "parse": null, which Discord
// treats like an empty list.
type AllowedMentions struct {
	// Parse is the parse list. It is non-nil (possibly empty) when a list was
	// sent, nil when "parse" was null or absent.
	Parse []string
	// ParseNull is true when "parse": null was sent.
	ParseNull   bool
	Users       []string
	Roles       []string
	RepliedUser bool
	// Raw is the object exactly as sent.
	Raw json.RawMessage
}

// ParseIsEmptyList reports whether "parse" was sent as an explicit [].
func (a *AllowedMentions) ParseIsEmptyList() bool {
	return a != nil && a.Parse != nil && len(a.Parse) == 0
}

// SuppressesAll reports whether the object lets nothing ping: no parse
// types (empty list or null), no user or role allow-list, no replied user.
func (a *AllowedMentions) SuppressesAll() bool {
	return a != nil && len(a.Parse) == 0 && len(a.Users) == 0 && len(a.Roles) == 0 && !a.RepliedUser
}

func (a *AllowedMentions) clone() *AllowedMentions {
	if a == nil {
		return nil
	}
	c := *a
	c.Parse = cloneStrings(a.Parse)
	c.Users = cloneStrings(a.Users)
	c.Roles = cloneStrings(a.Roles)
	return &c
}

// Pings is who a message notifies: the mentions in its content that its
// allowed_mentions let through (all of them when allowed_mentions is absent).
type Pings struct {
	Users    []string
	Roles    []string
	Everyone bool // @everyone or @here
}

// None reports whether nobody is pinged.
func (p Pings) None() bool { return len(p.Users) == 0 && len(p.Roles) == 0 && !p.Everyone }

func (p Pings) clone() Pings {
	return Pings{Users: cloneStrings(p.Users), Roles: cloneStrings(p.Roles), Everyone: p.Everyone}
}

// MessageKind says how a message came to exist.
type MessageKind string

// Message kinds.
const (
	KindChannelMessage   MessageKind = "channel"  // bot: POST /channels/{id}/messages
	KindOriginalResponse MessageKind = "original" // bot: interaction callback 4 or 5
	KindFollowup         MessageKind = "followup" // bot: POST /webhooks/{app}/{token}
	KindUserMessage      MessageKind = "user"     // test: SendMessage / AddMessage
	KindComponentHost    MessageKind = "host"     // fake: synthesized to carry a clicked component
)

// Message is the fake's current view of one message, plus every write that
// produced it.
type Message struct {
	ID        string
	ChannelID string
	GuildID   string
	Kind      MessageKind
	Author    User
	Member    *Member // author's member object, for user messages in guilds

	Content     string
	Embeds      []Embed
	Components  []Component
	Attachments []Attachment
	Flags       int
	// AllowedMentions is from the latest write. Discord applies
	// allowed_mentions per request: an edit that omits it parses mentions in
	// the new content with default rules.
	AllowedMentions *AllowedMentions
	// Pings is who the current content notifies given AllowedMentions.
	Pings Pings
	// Mentions and MentionRoles are the mentions of a user message, derived
	// from its content plus any added with the builder.
	Mentions        []User
	MentionRoles    []string
	MentionEveryone bool

	ReferenceID   string // message_reference.message_id (replies)
	InteractionID string // the interaction this message answers
	ThreadID      string // thread started from this message
	CreatedAt     time.Time
	EditedAt      time.Time // zero if never edited
	Deleted       bool
	// Writes are the bot's requests that created or edited this message,
	// oldest first.
	Writes []MessageWrite
}

// Ephemeral reports the ephemeral flag.
func (m *Message) Ephemeral() bool { return m.Flags&FlagEphemeral != 0 }

// Loading reports whether this is a deferred response not yet edited (the
// "Bot is thinking..." message).
func (m *Message) Loading() bool { return m.Flags&FlagLoading != 0 }

// FindComponent returns the first component (at any depth) with customID.
func (m *Message) FindComponent(customID string) *Component {
	var walk func([]Component) *Component
	walk = func(cs []Component) *Component {
		for i := range cs {
			if cs[i].CustomID == customID {
				return &cs[i]
			}
			if c := walk(cs[i].Components); c != nil {
				return c
			}
		}
		return nil
	}
	return walk(m.Components)
}

// Buttons returns all buttons, flattened out of their action rows.
func (m *Message) Buttons() []Component {
	var out []Component
	var walk func([]Component)
	walk = func(cs []Component) {
		for _, c := range cs {
			if c.Type == 2 {
				out = append(out, c)
			}
			walk(c.Components)
		}
	}
	walk(m.Components)
	return out
}

func (m *Message) clone() *Message {
	if m == nil {
		return nil
	}
	c := *m
	c.Member = m.Member.clone()
	c.Embeds = cloneEmbeds(m.Embeds)
	c.Components = cloneComponents(m.Components)
	c.Attachments = append([]Attachment(nil), m.Attachments...)
	c.AllowedMentions = m.AllowedMentions.clone()
	c.Pings = m.Pings.clone()
	c.Mentions = append([]User(nil), m.Mentions...)
	c.MentionRoles = cloneStrings(m.MentionRoles)
	c.Writes = make([]MessageWrite, len(m.Writes))
	for i := range m.Writes {
		c.Writes[i] = m.Writes[i].clone()
	}
	return &c
}

// MessageWrite is one request by the bot that created or edited a message.
// Fields the request did not touch are nil (or false for the *Set flags).
type MessageWrite struct {
	At            time.Time
	Route         string // route template, e.g. RouteEditOriginal
	MessageID     string
	ChannelID     string
	InteractionID string
	Create        bool

	Content       *string
	Embeds        []Embed
	EmbedsSet     bool
	Components    []Component
	ComponentsSet bool
	Flags         *int
	// AllowedMentions is nil when the request did not carry allowed_mentions.
	AllowedMentions *AllowedMentions
	// Pings is who this write's content notifies (empty if it set no content).
	Pings Pings
	// Body is the JSON as sent (payload_json for multipart requests).
	Body json.RawMessage
}

func (w MessageWrite) clone() MessageWrite {
	c := w
	if w.Content != nil {
		s := *w.Content
		c.Content = &s
	}
	if w.Flags != nil {
		f := *w.Flags
		c.Flags = &f
	}
	c.Embeds = cloneEmbeds(w.Embeds)
	c.Components = cloneComponents(w.Components)
	c.AllowedMentions = w.AllowedMentions.clone()
	c.Pings = w.Pings.clone()
	return c
}

// CallbackRecord is one POST to /interactions/{id}/{token}/callback,
// accepted or not.
type CallbackRecord struct {
	At       time.Time
	Type     int
	Data     json.RawMessage
	Accepted bool
	Error    *APIError // nil when accepted
}

// InteractionRecord is a snapshot of one interaction: what was dispatched
// and everything the bot did with it.
type InteractionRecord struct {
	ID        string
	Token     string
	AppID     string
	Type      int
	GuildID   string
	ChannelID string
	UserID    string // invoking user
	// CommandName is set for application commands, CustomID for components
	// and modal submits.
	CommandName string
	CustomID    string
	// Payload is the INTERACTION_CREATE data as sent on the gateway.
	Payload json.RawMessage
	Seq     int64

	SentAt time.Time // SendInteraction was called
	// DispatchedAt is when the event was first written to a gateway
	// connection; the acknowledgement window and token lifetime start here.
	DispatchedAt time.Time
	Callbacks    []CallbackRecord
	// AckedAt and AckLatency are zero until a callback is accepted.
	AckedAt      time.Time
	AckLatency   time.Duration
	ResponseType int // type of the accepted callback
	// Original is the current @original message: the response message for
	// callbacks 4/5, the component's message for 6/7, nil before the
	// acknowledgement, for modals and after deletion.
	Original        *Message
	OriginalDeleted bool
	// Followups are messages created by followup requests. A followup sent
	// while a deferred response is still loading edits @original instead
	// (Discord does this), so it appears in Original, not here.
	Followups []*Message
	// Modal is the modal data of an accepted type 9 callback.
	Modal json.RawMessage
	// Errors are the API errors the fake returned for requests about this
	// interaction (callback, @original, followups), in order.
	Errors []APIError
	// TokenExpired is true once the token can no longer be used.
	TokenExpired bool
}

// Acked reports whether a callback was accepted.
func (r *InteractionRecord) Acked() bool { return !r.AckedAt.IsZero() }

// HasError reports whether the fake answered any request about this
// interaction with the given Discord error code.
func (r *InteractionRecord) HasError(code int) bool {
	for _, e := range r.Errors {
		if e.Code == code {
			return true
		}
	}
	return false
}

// Thread is a thread the bot created.
type Thread struct {
	ID                  string
	GuildID             string
	ParentID            string
	Name                string
	Type                int    // 11 public, 12 private
	StarterMessageID    string // set for threads started from a message
	OwnerID             string
	AutoArchiveDuration int
	CreatedAt           time.Time
}

// Command is a registered application command.
type Command struct {
	ID                       string
	ApplicationID            string
	GuildID                  string // empty for global commands
	Type                     int    // 1 chat input, 2 user, 3 message
	Name                     string
	Description              string
	Options                  []CommandOptionSpec
	DefaultMemberPermissions *string
	DMPermission             *bool
	Contexts                 []int
	Version                  string
	// Raw is the command object as the bot sent it.
	Raw json.RawMessage
}

// CommandOptionSpec is an option in a registered command's schema.
type CommandOptionSpec struct {
	Type         int                 `json:"type"`
	Name         string              `json:"name"`
	Description  string              `json:"description"`
	Required     bool                `json:"required,omitempty"`
	Autocomplete bool                `json:"autocomplete,omitempty"`
	Choices      []CommandChoice     `json:"choices,omitempty"`
	Options      []CommandOptionSpec `json:"options,omitempty"`
	ChannelTypes []int               `json:"channel_types,omitempty"`
	MinValue     *float64            `json:"min_value,omitempty"`
	MaxValue     *float64            `json:"max_value,omitempty"`
	MinLength    *int                `json:"min_length,omitempty"`
	MaxLength    *int                `json:"max_length,omitempty"`
}

func cloneOptionSpecs(in []CommandOptionSpec) []CommandOptionSpec {
	if in == nil {
		return nil
	}
	out := make([]CommandOptionSpec, len(in))
	for i, o := range in {
		out[i] = o
		out[i].Choices = append([]CommandChoice(nil), o.Choices...)
		out[i].ChannelTypes = append([]int(nil), o.ChannelTypes...)
		out[i].Options = cloneOptionSpecs(o.Options)
	}
	return out
}

// CommandChoice is a fixed choice of a command option.
type CommandChoice struct {
	Name  string `json:"name"`
	Value any    `json:"value"`
}

// Call is one HTTP request the fake received.
type Call struct {
	At          time.Time
	Method      string
	Path        string // after /api/vN, e.g. /channels/1/messages
	RawQuery    string
	APIVersion  string
	Route       string            // matched route template; "" when unknown
	Params      map[string]string // route placeholders, e.g. "channel.id"
	ContentType string
	Body        []byte // JSON body (payload_json for multipart)
	Status      int
	Error       *APIError // the error body returned, if any
	RateLimited bool      // answered by an injected 429
	Duration    time.Duration
}

// IdentifyRecord is one IDENTIFY received on the gateway.
type IdentifyRecord struct {
	At         time.Time
	Token      string
	Intents    int
	Shard      *[2]int
	Compress   bool
	Properties map[string]any
	SessionID  string // empty when refused
	CloseCode  int    // close code sent instead of READY, 0 when accepted
}

// ResumeRecord is one RESUME received on the gateway.
type ResumeRecord struct {
	At        time.Time
	SessionID string
	Seq       int64
	Accepted  bool // false: answered with op 9 INVALID_SESSION
	Replayed  int  // dispatches replayed before RESUMED
}

// ConnectionRecord describes one gateway websocket connection.
type ConnectionRecord struct {
	ID        int
	Path      string
	RawQuery  string
	OpenedAt  time.Time
	ClosedAt  time.Time
	SessionID string
	// ClientCloseCode is the close code the client sent (0 if it just
	// dropped the TCP connection or the server closed first).
	ClientCloseCode int
	// ServerCloseCode is the close code the fake sent (0 if none).
	ServerCloseCode int
	Heartbeats      int
	// LastHeartbeatSeq is the sequence number the client sent in its last
	// heartbeat, i.e. the last dispatch it processed.
	LastHeartbeatSeq int64
}

func cloneStrings(s []string) []string {
	if s == nil {
		return nil
	}
	return append([]string{}, s...)
}

// ---- accessors ----

// Interaction returns a snapshot of the interaction, or nil if the fake never
// sent it.
func (s *Server) Interaction(id string) *InteractionRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.interactions[id]
	if st == nil {
		return nil
	}
	return s.snapshotInteractionLocked(st)
}

// Interactions returns snapshots of all interactions in the order sent.
func (s *Server) Interactions() []*InteractionRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*InteractionRecord, 0, len(s.interactionOrder))
	for _, id := range s.interactionOrder {
		out = append(out, s.snapshotInteractionLocked(s.interactions[id]))
	}
	return out
}

// WaitInteraction blocks until cond holds for the interaction (which must
// have been sent) and returns the snapshot that satisfied it. A nil cond
// waits for the acknowledgement.
func (s *Server) WaitInteraction(ctx context.Context, id string, cond func(*InteractionRecord) bool) (*InteractionRecord, error) {
	if cond == nil {
		cond = (*InteractionRecord).Acked
	}
	var last *InteractionRecord
	err := s.Wait(ctx, func() bool {
		last = s.Interaction(id)
		return last != nil && cond(last)
	})
	if err != nil {
		if last == nil {
			return nil, fmt.Errorf("interaction %s was never sent: %w", id, err)
		}
		return last, fmt.Errorf("interaction %s (acked=%v, callbacks=%d, errors=%v): %w", id, last.Acked(), len(last.Callbacks), last.Errors, err)
	}
	return last, nil
}

// AckLatencies returns dispatch-to-acknowledgement latency of every acked
// interaction, in the order the interactions were sent.
func (s *Server) AckLatencies() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []time.Duration
	for _, id := range s.interactionOrder {
		if st := s.interactions[id]; !st.rec.AckedAt.IsZero() {
			out = append(out, st.rec.AckLatency)
		}
	}
	return out
}

// Message returns a snapshot of a message by ID, or nil.
func (s *Server) Message(id string) *Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.messages[id].clone()
}

// ChannelMessages returns snapshots of the messages in a channel (or thread)
// in creation order, including deleted and ephemeral ones (see Deleted and
// Ephemeral) so tests can see everything the bot produced.
func (s *Server) ChannelMessages(channelID string) []*Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := s.channelMsgs[channelID]
	out := make([]*Message, 0, len(ids))
	for _, id := range ids {
		out = append(out, s.messages[id].clone())
	}
	return out
}

// WaitMessage blocks until a message in channelID satisfies cond and returns
// it. A nil cond accepts any message written by the bot.
func (s *Server) WaitMessage(ctx context.Context, channelID string, cond func(*Message) bool) (*Message, error) {
	if cond == nil {
		cond = func(m *Message) bool { return m.Kind != KindUserMessage && m.Kind != KindComponentHost }
	}
	var found *Message
	err := s.Wait(ctx, func() bool {
		for _, m := range s.ChannelMessages(channelID) {
			if cond(m) {
				found = m
				return true
			}
		}
		return false
	})
	return found, err
}

// Writes returns every message create/edit request by the bot, in order.
func (s *Server) Writes() []MessageWrite {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]MessageWrite, len(s.writes))
	for i, w := range s.writes {
		out[i] = w.clone()
	}
	return out
}

// Threads returns the threads the bot created, in order.
func (s *Server) Threads() []Thread {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Thread, len(s.threads))
	for i, t := range s.threads {
		out[i] = *t
	}
	return out
}

// Commands returns the registered commands of a scope: "" for global
// commands, a guild ID for that guild's commands. Sorted by name.
func (s *Server) Commands(guildID string) []Command {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Command
	for _, c := range s.commands[guildID] {
		cmd := c.cmd
		cmd.Options = cloneOptionSpecs(c.cmd.Options)
		cmd.Contexts = append([]int(nil), c.cmd.Contexts...)
		out = append(out, cmd)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Calls returns every HTTP request received, in order.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Call, len(s.calls))
	for i, c := range s.calls {
		out[i] = *c
	}
	return out
}

// CallsTo returns the requests that matched a route template (RouteXxx) or
// "METHOD /concrete/path".
func (s *Server) CallsTo(pattern string) []Call {
	p := parsePattern(pattern)
	var out []Call
	for _, c := range s.Calls() {
		if p.matches(c.Method, c.Path, c.Route) {
			out = append(out, c)
		}
	}
	return out
}

// UnknownCalls returns the requests for routes the fake does not implement
// (answered 404/405). A bot test should usually assert this is empty.
func (s *Server) UnknownCalls() []Call {
	var out []Call
	for _, c := range s.Calls() {
		if c.Route == "" {
			out = append(out, c)
		}
	}
	return out
}

// Identifies counts IDENTIFY payloads received, refused ones included.
func (s *Server) Identifies() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.identifies)
}

// Resumes counts RESUME payloads received, refused ones included.
func (s *Server) Resumes() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.resumes)
}

// IdentifyRecords returns every IDENTIFY received.
func (s *Server) IdentifyRecords() []IdentifyRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]IdentifyRecord(nil), s.identifies...)
}

// ResumeRecords returns every RESUME received.
func (s *Server) ResumeRecords() []ResumeRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]ResumeRecord(nil), s.resumes...)
}

// Heartbeats counts heartbeats received over all connections.
func (s *Server) Heartbeats() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.heartbeats
}

// Connections describes every gateway connection so far.
func (s *Server) Connections() []ConnectionRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]ConnectionRecord, len(s.conns))
	for i, c := range s.conns {
		out[i] = c.rec
	}
	return out
}
