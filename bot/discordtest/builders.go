package discordtest

import (
	"sort"
	"time"
)

// DefaultMemberPermissions is what a member gets when a test does not say:
// view channels, send messages, read history, use application commands,
// create/send in threads — an ordinary member, not an admin.
const DefaultMemberPermissions int64 = 1<<10 | 1<<11 | 1<<16 | 1<<31 | 1<<35 | 1<<38

// DefaultUser is the user who invokes interactions and writes messages when a
// test does not say otherwise.
var DefaultUser = User{ID: DefaultUserID, Username: "tester", GlobalName: "Tester"}

// NewUser returns a (non-bot) user.
func NewUser(id, username string) User { return User{ID: id, Username: username} }

// NewMember returns a guild member with DefaultMemberPermissions and no roles.
func NewMember(u User) *Member {
	return &Member{User: u, Permissions: DefaultMemberPermissions, JoinedAt: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)}
}

// WithRoles sets the member's role IDs.
func (m *Member) WithRoles(roleIDs ...string) *Member { m.Roles = roleIDs; return m }

// WithPermissions sets the member's computed permissions (sent as
// member.permissions, the field bots check for access control).
func (m *Member) WithPermissions(p int64) *Member { m.Permissions = p; return m }

// WithNick sets the member's guild nickname.
func (m *Member) WithNick(nick string) *Member { m.Nick = nick; return m }

// Interaction is an INTERACTION_CREATE to send with Server.SendInteraction.
// Build one with SlashCommand, ButtonClick, SelectMenu, ModalSubmit or
// Autocomplete and adjust it with the With/In/By methods. Fields left empty
// are filled by SendInteraction (so after sending, Token and friends are
// set). ID is assigned at build time so the test knows it before sending.
type Interaction struct {
	ID        string
	Token     string
	AppID     string
	Type      int
	GuildID   string
	ChannelID string
	// Member invokes in a guild; User invokes in a DM (see InDM). When both
	// are nil the fake uses NewMember(DefaultUser).
	Member         *Member
	User           *User
	Locale         string
	AppPermissions int64

	// Application commands and autocomplete.
	CommandID   string // defaults to the registered command's ID with that name
	CommandName string
	CommandType int // 1 chat input (default), 2 user, 3 message
	Options     []CommandOption
	TargetID    string

	// Message components and modal submits.
	CustomID      string
	ComponentType int
	Values        []string
	ModalFields   map[string]string // text input custom_id -> value
	// Message is the message the clicked component is on. When nil the
	// fake looks for a message it knows with a component of that custom_id,
	// and failing that synthesizes one in the channel.
	Message *Message

	dm bool
}

// CommandOption is one option value of an invoked command. Build with
// StringOption, IntegerOption, ..., Subcommand.
type CommandOption struct {
	Name    string
	Type    int
	Value   any
	Options []CommandOption
	Focused bool
}

// Option types, as Discord numbers them.
const (
	OptionSubcommand      = 1
	OptionSubcommandGroup = 2
	OptionString          = 3
	OptionInteger         = 4
	OptionBoolean         = 5
	OptionUser            = 6
	OptionChannel         = 7
	OptionRole            = 8
	OptionMentionable     = 9
	OptionNumber          = 10
)

// StringOption is a string option.
func StringOption(name, value string) CommandOption {
	return CommandOption{Name: name, Type: OptionString, Value: value}
}

// IntegerOption is an integer option.
func IntegerOption(name string, value int64) CommandOption {
	return CommandOption{Name: name, Type: OptionInteger, Value: value}
}

// NumberOption is a floating point option.
func NumberOption(name string, value float64) CommandOption {
	return CommandOption{Name: name, Type: OptionNumber, Value: value}
}

// BooleanOption is a boolean option.
func BooleanOption(name string, value bool) CommandOption {
	return CommandOption{Name: name, Type: OptionBoolean, Value: value}
}

// UserOption is a user option; the user is added to data.resolved.
func UserOption(name, userID string) CommandOption {
	return CommandOption{Name: name, Type: OptionUser, Value: userID}
}

// ChannelOption is a channel option.
func ChannelOption(name, channelID string) CommandOption {
	return CommandOption{Name: name, Type: OptionChannel, Value: channelID}
}

// RoleOption is a role option.
func RoleOption(name, roleID string) CommandOption {
	return CommandOption{Name: name, Type: OptionRole, Value: roleID}
}

// Subcommand is a subcommand with its options.
func Subcommand(name string, opts ...CommandOption) CommandOption {
	return CommandOption{Name: name, Type: OptionSubcommand, Options: opts}
}

// SubcommandGroup is a subcommand group with its subcommands.
func SubcommandGroup(name string, subs ...CommandOption) CommandOption {
	return CommandOption{Name: name, Type: OptionSubcommandGroup, Options: subs}
}

// Focus marks the option as the one being typed (autocomplete).
func (o CommandOption) Focus() CommandOption { o.Focused = true; return o }

// SlashCommand is a chat input command invocation.
func SlashCommand(name string, opts ...CommandOption) *Interaction {
	return &Interaction{ID: newID(), Type: InteractionTypeApplicationCommand, CommandName: name, CommandType: 1, Options: opts}
}

// Autocomplete is an autocomplete request for a command; mark the option
// being typed with Focus.
func Autocomplete(name string, opts ...CommandOption) *Interaction {
	i := SlashCommand(name, opts...)
	i.Type = InteractionTypeAutocomplete
	return i
}

// ButtonClick is a click on the button with customID.
func ButtonClick(customID string) *Interaction {
	return &Interaction{ID: newID(), Type: InteractionTypeMessageComponent, CustomID: customID, ComponentType: 2}
}

// SelectMenu is a string-select choice.
func SelectMenu(customID string, values ...string) *Interaction {
	return &Interaction{ID: newID(), Type: InteractionTypeMessageComponent, CustomID: customID, ComponentType: 3, Values: values}
}

// ModalSubmit is the submission of a modal with text inputs.
func ModalSubmit(customID string, fields map[string]string) *Interaction {
	return &Interaction{ID: newID(), Type: InteractionTypeModalSubmit, CustomID: customID, ModalFields: fields}
}

// WithID replaces the generated interaction ID.
func (i *Interaction) WithID(id string) *Interaction { i.ID = id; return i }

// InChannel sets the channel (in the default or already chosen guild).
func (i *Interaction) InChannel(channelID string) *Interaction { i.ChannelID = channelID; return i }

// InGuild sets guild and channel.
func (i *Interaction) InGuild(guildID, channelID string) *Interaction {
	i.GuildID, i.ChannelID, i.dm = guildID, channelID, false
	return i
}

// ByMember sets the invoking guild member.
func (i *Interaction) ByMember(m *Member) *Interaction {
	i.Member, i.User, i.dm = m, nil, false
	return i
}

// InDM makes this a DM invocation by u: no guild, no member, "user" set.
func (i *Interaction) InDM(u User) *Interaction {
	i.dm, i.User, i.Member, i.GuildID = true, &u, nil, ""
	return i
}

// OnMessage sets the message a component interaction was triggered on
// (typically a snapshot from Server.Interaction(...).Original).
func (i *Interaction) OnMessage(m *Message) *Interaction { i.Message = m; return i }

// WithLocale sets the user's locale (default en-US).
func (i *Interaction) WithLocale(locale string) *Interaction { i.Locale = locale; return i }

// IncomingMessage is a MESSAGE_CREATE from a user, built with UserMessage.
type IncomingMessage struct {
	ID           string
	ChannelID    string
	GuildID      string
	Author       User
	Member       *Member // defaults to NewMember(Author) in guilds
	Content      string
	Embeds       []Embed
	Mentions     []User
	MentionRoles []string
	ReferenceID  string
	// MentionBot prefixes the content with the bot's mention unless it
	// already contains it.
	MentionBot bool
	CreatedAt  time.Time

	dm bool
}

// UserMessage is a message by DefaultUser in the default channel. Mentions
// written in the content as <@id>, <@&role> or @everyone are turned into the
// mentions fields automatically, as Discord does.
func UserMessage(content string) *IncomingMessage {
	return &IncomingMessage{ID: newID(), Author: DefaultUser, Content: content}
}

// From sets the author.
func (m *IncomingMessage) From(u User) *IncomingMessage { m.Author = u; return m }

// FromMember sets the author and their member object.
func (m *IncomingMessage) FromMember(mem *Member) *IncomingMessage {
	m.Author, m.Member = mem.User, mem
	return m
}

// InChannel sets the channel (or thread).
func (m *IncomingMessage) InChannel(channelID string) *IncomingMessage {
	m.ChannelID = channelID
	return m
}

// InGuild sets guild and channel.
func (m *IncomingMessage) InGuild(guildID, channelID string) *IncomingMessage {
	m.GuildID, m.ChannelID, m.dm = guildID, channelID, false
	return m
}

// InDM makes this a direct message from the author to the bot.
func (m *IncomingMessage) InDM() *IncomingMessage { m.dm, m.GuildID = true, ""; return m }

// Mentioning adds users to the mentions (without touching the content).
func (m *IncomingMessage) Mentioning(users ...User) *IncomingMessage {
	m.Mentions = append(m.Mentions, users...)
	return m
}

// MentioningRoles adds roles to mention_roles.
func (m *IncomingMessage) MentioningRoles(roleIDs ...string) *IncomingMessage {
	m.MentionRoles = append(m.MentionRoles, roleIDs...)
	return m
}

// MentioningBot prefixes the content with the bot's mention.
func (m *IncomingMessage) MentioningBot() *IncomingMessage { m.MentionBot = true; return m }

// ReplyTo makes the message a reply to messageID.
func (m *IncomingMessage) ReplyTo(messageID string) *IncomingMessage {
	m.ReferenceID = messageID
	return m
}

// WithEmbeds attaches embeds.
func (m *IncomingMessage) WithEmbeds(e ...Embed) *IncomingMessage {
	m.Embeds = append(m.Embeds, e...)
	return m
}

// WithID replaces the generated message ID.
func (m *IncomingMessage) WithID(id string) *IncomingMessage { m.ID = id; return m }

// ---- wire encoding (JSON as Discord sends it) ----

const discordTime = "2006-01-02T15:04:05.000000-07:00"

func wireUser(u User) map[string]any {
	w := map[string]any{
		"id":            u.ID,
		"username":      u.Username,
		"discriminator": "0",
		"global_name":   nil,
		"avatar":        nil,
		"public_flags":  0,
	}
	if u.GlobalName != "" {
		w["global_name"] = u.GlobalName
	}
	if u.Bot {
		w["bot"] = true
	}
	return w
}

// wireMember encodes a member; withUser is false inside MESSAGE_CREATE, where
// Discord sends the user separately as author.
func wireMember(m *Member, withUser bool) map[string]any {
	joined := m.JoinedAt
	if joined.IsZero() {
		joined = time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	}
	roles := m.Roles
	if roles == nil {
		roles = []string{}
	}
	w := map[string]any{
		"roles":     roles,
		"joined_at": joined.UTC().Format(discordTime),
		"nick":      nil,
		"avatar":    nil,
		"deaf":      false,
		"mute":      false,
		"flags":     0,
		"pending":   false,
	}
	if m.Nick != "" {
		w["nick"] = m.Nick
	}
	if withUser {
		w["user"] = wireUser(m.User)
		w["permissions"] = formatInt(m.Permissions)
	}
	return w
}

func wireOptions(opts []CommandOption, resolvedUsers map[string]any) []map[string]any {
	out := make([]map[string]any, 0, len(opts))
	for _, o := range opts {
		w := map[string]any{"name": o.Name, "type": o.Type}
		if o.Type == OptionSubcommand || o.Type == OptionSubcommandGroup {
			w["options"] = wireOptions(o.Options, resolvedUsers)
		} else {
			w["value"] = o.Value
		}
		if o.Focused {
			w["focused"] = true
		}
		if o.Type == OptionUser {
			if id, ok := o.Value.(string); ok {
				resolvedUsers[id] = wireUser(User{ID: id, Username: "user-" + id})
			}
		}
		out = append(out, w)
	}
	return out
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
