package discordtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Discord's JSON error codes the fake answers with.
const (
	CodeUnknownChannel          = 10003
	CodeUnknownMessage          = 10008
	CodeUnknownWebhook          = 10015
	CodeUnknownInteraction      = 10062
	CodeUnknownCommand          = 10063
	CodeAlreadyAcknowledged     = 40060
	CodeMissingAccess           = 50001
	CodeCannotEditOthersMessage = 50005
	CodeEmptyMessage            = 50006
	CodeInvalidWebhookToken     = 50027
	CodeInvalidFormBody         = 50035
	CodeInvalidJSON             = 50109
	CodeThreadAlreadyCreated    = 160004
)

// Limits Discord enforces on what the bot sends. Lengths are counted in
// Unicode code points.
const (
	MaxContentLength       = 2000
	MaxEmbeds              = 10
	MaxEmbedTitle          = 256
	MaxEmbedDescription    = 4096
	MaxEmbedFields         = 25
	MaxEmbedFieldName      = 256
	MaxEmbedFieldValue     = 1024
	MaxEmbedFooterText     = 2048
	MaxEmbedAuthorName     = 256
	MaxEmbedTotal          = 6000 // title+description+field names/values+footer+author, all embeds together
	MaxActionRows          = 5
	MaxRowComponents       = 5
	MaxCustomID            = 100
	MaxButtonLabel         = 80
	MaxSelectOptions       = 25
	MaxThreadName          = 100
	MaxCommandName         = 32
	MaxCommandDescription  = 100
	MaxCommandOptions      = 25
	MaxAllowedMentionsList = 100
)

// APIError is an error body as Discord sends it, plus the HTTP status.
type APIError struct {
	Status  int             `json:"-"`
	Code    int             `json:"code"`
	Message string          `json:"message"`
	Errors  json.RawMessage `json:"errors,omitempty"`
}

func (e APIError) Error() string {
	if len(e.Errors) > 0 {
		return fmt.Sprintf("HTTP %d: %d %s %s", e.Status, e.Code, e.Message, e.Errors)
	}
	return fmt.Sprintf("HTTP %d: %d %s", e.Status, e.Code, e.Message)
}

func apiErr(status, code int, msg string) *APIError {
	return &APIError{Status: status, Code: code, Message: msg}
}

// Real Discord answers 10062 with 404 and 50027 with 401; tests should
// assert the JSON code, which is what bots can act on.
func errUnknownInteraction() *APIError {
	return apiErr(404, CodeUnknownInteraction, "Unknown interaction")
}
func errAlreadyAcked() *APIError {
	return apiErr(400, CodeAlreadyAcknowledged, "Interaction has already been acknowledged.")
}
func errUnknownMessage() *APIError { return apiErr(404, CodeUnknownMessage, "Unknown Message") }
func errInvalidWebhookToken() *APIError {
	return apiErr(401, CodeInvalidWebhookToken, "Invalid Webhook Token")
}
func errUnknownWebhook() *APIError { return apiErr(404, CodeUnknownWebhook, "Unknown Webhook") }
func errEmptyMessage() *APIError {
	return apiErr(400, CodeEmptyMessage, "Cannot send an empty message")
}
func errInvalidJSON() *APIError {
	return apiErr(400, CodeInvalidJSON, "The request body contains invalid JSON.")
}
func errNotFound() *APIError         { return apiErr(404, 0, "404: Not Found") }
func errMethodNotAllowed() *APIError { return apiErr(405, 0, "405: Method Not Allowed") }
func errUnauthorized() *APIError     { return apiErr(401, 0, "401: Unauthorized") }
func errCannotEditOther() *APIError {
	return apiErr(403, CodeCannotEditOthersMessage, "Cannot edit a message authored by another user")
}
func errUnknownChannel() *APIError { return apiErr(404, CodeUnknownChannel, "Unknown Channel") }
func errThreadExists() *APIError {
	return apiErr(400, CodeThreadAlreadyCreated, "A thread has already been created for this message")
}
func errUnknownCommand() *APIError {
	return apiErr(404, CodeUnknownCommand, "Unknown application command")
}
func errMissingAccess() *APIError { return apiErr(403, CodeMissingAccess, "Missing Access") }

// formErrors collects 50035 field errors and renders Discord's nested
// {"field": {"0": {"sub": {"_errors": [...]}}}} shape.
type formErrors struct {
	items []formErr
}

type formErr struct {
	path, code, message string
}

func (f *formErrors) add(path, code, message string) {
	f.items = append(f.items, formErr{path, code, message})
}

func (f *formErrors) maxLen(path string, got, limit int) {
	if got > limit {
		f.add(path, "BASE_TYPE_MAX_LENGTH", fmt.Sprintf("Must be %d or fewer in length.", limit))
	}
}

func (f *formErrors) err() *APIError {
	if len(f.items) == 0 {
		return nil
	}
	root := map[string]any{}
	for _, it := range f.items {
		node := root
		for _, seg := range strings.Split(it.path, ".") {
			next, ok := node[seg].(map[string]any)
			if !ok {
				next = map[string]any{}
				node[seg] = next
			}
			node = next
		}
		list, _ := node["_errors"].([]any)
		node["_errors"] = append(list, map[string]string{"code": it.code, "message": it.message})
	}
	raw, _ := json.Marshal(root)
	return &APIError{Status: 400, Code: CodeInvalidFormBody, Message: "Invalid Form Body", Errors: raw}
}

func runes(s string) int { return utf8.RuneCountInString(s) }

// messagePayload is a message create/edit body, keeping track of which keys
// were present so edits only touch what was sent.
type messagePayload struct {
	Content         *string // nil: absent; "" for null (cleared)
	Embeds          []Embed
	EmbedsSet       bool
	Components      []Component
	ComponentsSet   bool
	Flags           *int
	AllowedMentions *AllowedMentions
	ReferenceID     string
	FailIfNotExists bool
	HasStickers     bool
	HasPoll         bool
	Attachments     []Attachment
	Body            json.RawMessage
}

// parseMessagePayload decodes a message body. prefix is prepended to error
// paths ("data." for interaction callbacks, as Discord nests them).
func parseMessagePayload(body []byte, prefix string) (*messagePayload, *APIError) {
	p := &messagePayload{Body: json.RawMessage(body)}
	if len(bytes.TrimSpace(body)) == 0 {
		return p, nil
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil {
		return nil, errInvalidJSON()
	}
	var fe formErrors
	isNull := func(r json.RawMessage) bool { return string(bytes.TrimSpace(r)) == "null" }
	if r, ok := raw["content"]; ok {
		var s string
		if !isNull(r) {
			if err := json.Unmarshal(r, &s); err != nil {
				fe.add(prefix+"content", "BASE_TYPE_STRING", "Must be a string.")
			}
		}
		p.Content = &s
	}
	if r, ok := raw["embeds"]; ok {
		p.EmbedsSet = true
		if !isNull(r) {
			if err := json.Unmarshal(r, &p.Embeds); err != nil {
				fe.add(prefix+"embeds", "BASE_TYPE_ARRAY", "Must be an array of embed objects.")
			}
		}
		if p.Embeds == nil {
			p.Embeds = []Embed{}
		}
	}
	if r, ok := raw["components"]; ok {
		p.ComponentsSet = true
		if !isNull(r) {
			if err := json.Unmarshal(r, &p.Components); err != nil {
				fe.add(prefix+"components", "BASE_TYPE_ARRAY", "Must be an array of component objects.")
			}
		}
		if p.Components == nil {
			p.Components = []Component{}
		}
	}
	if r, ok := raw["flags"]; ok && !isNull(r) {
		var f int
		if err := json.Unmarshal(r, &f); err != nil {
			fe.add(prefix+"flags", "NUMBER_TYPE_COERCE", "Value is not int.")
		}
		p.Flags = &f
	}
	if r, ok := raw["allowed_mentions"]; ok && !isNull(r) {
		am, err := decodeAllowedMentions(r)
		if err != nil {
			fe.add(prefix+"allowed_mentions", "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
		}
		p.AllowedMentions = am
	}
	if r, ok := raw["message_reference"]; ok && !isNull(r) {
		var ref struct {
			MessageID       string `json:"message_id"`
			FailIfNotExists *bool  `json:"fail_if_not_exists"`
		}
		_ = json.Unmarshal(r, &ref)
		p.ReferenceID = ref.MessageID
		p.FailIfNotExists = ref.FailIfNotExists == nil || *ref.FailIfNotExists
	}
	if r, ok := raw["sticker_ids"]; ok && !isNull(r) && string(bytes.TrimSpace(r)) != "[]" {
		p.HasStickers = true
	}
	if r, ok := raw["poll"]; ok && !isNull(r) {
		p.HasPoll = true
	}
	if e := fe.err(); e != nil {
		return nil, e
	}
	return p, nil
}

func decodeAllowedMentions(r json.RawMessage) (*AllowedMentions, error) {
	var v struct {
		Parse       json.RawMessage `json:"parse"`
		Users       []string        `json:"users"`
		Roles       []string        `json:"roles"`
		RepliedUser bool            `json:"replied_user"`
	}
	if err := json.Unmarshal(r, &v); err != nil {
		return nil, err
	}
	am := &AllowedMentions{Users: v.Users, Roles: v.Roles, RepliedUser: v.RepliedUser, Raw: append(json.RawMessage(nil), r...)}
	switch t := string(bytes.TrimSpace(v.Parse)); t {
	case "":
	case "null":
		am.ParseNull = true
	default:
		if err := json.Unmarshal(v.Parse, &am.Parse); err != nil {
			return nil, err
		}
		if am.Parse == nil {
			am.Parse = []string{}
		}
	}
	return am, nil
}

// empty reports whether a message would have nothing to show.
func (p *messagePayload) emptyCreate() bool {
	return (p.Content == nil || strings.TrimSpace(*p.Content) == "") && len(p.Embeds) == 0 &&
		len(p.Components) == 0 && len(p.Attachments) == 0 && !p.HasStickers && !p.HasPoll
}

// validate applies Discord's limits. The error paths mirror Discord's so a
// failing test shows exactly which field the bot got wrong.
func (p *messagePayload) validate(prefix string) *APIError {
	var fe formErrors
	if p.Content != nil {
		fe.maxLen(prefix+"content", runes(*p.Content), MaxContentLength)
	}
	if p.EmbedsSet {
		validateEmbeds(&fe, prefix+"embeds", p.Embeds)
	}
	if p.ComponentsSet {
		flags := 0
		if p.Flags != nil {
			flags = *p.Flags
		}
		validateComponents(&fe, prefix+"components", p.Components, flags)
	}
	if am := p.AllowedMentions; am != nil {
		path := prefix + "allowed_mentions"
		for i, t := range am.Parse {
			if t != "users" && t != "roles" && t != "everyone" {
				fe.add(fmt.Sprintf("%s.parse.%d", path, i), "BASE_TYPE_CHOICES", "Value must be one of ('roles', 'users', 'everyone').")
			}
		}
		if contains(am.Parse, "users") && len(am.Users) > 0 {
			fe.add(path, "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE", `parse:["users"] and users: [ids...] are mutually exclusive.`)
		}
		if contains(am.Parse, "roles") && len(am.Roles) > 0 {
			fe.add(path, "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE", `parse:["roles"] and roles: [ids...] are mutually exclusive.`)
		}
		fe.maxLen(path+".users", len(am.Users), MaxAllowedMentionsList)
		fe.maxLen(path+".roles", len(am.Roles), MaxAllowedMentionsList)
	}
	return fe.err()
}

func validateEmbeds(fe *formErrors, path string, embeds []Embed) {
	fe.maxLen(path, len(embeds), MaxEmbeds)
	total := 0
	for i, e := range embeds {
		ep := fmt.Sprintf("%s.%d", path, i)
		fe.maxLen(ep+".title", runes(e.Title), MaxEmbedTitle)
		fe.maxLen(ep+".description", runes(e.Description), MaxEmbedDescription)
		fe.maxLen(ep+".fields", len(e.Fields), MaxEmbedFields)
		total += runes(e.Title) + runes(e.Description)
		for j, f := range e.Fields {
			fp := fmt.Sprintf("%s.fields.%d", ep, j)
			if strings.TrimSpace(f.Name) == "" {
				fe.add(fp+".name", "BASE_TYPE_REQUIRED", "This field is required")
			}
			if strings.TrimSpace(f.Value) == "" {
				fe.add(fp+".value", "BASE_TYPE_REQUIRED", "This field is required")
			}
			fe.maxLen(fp+".name", runes(f.Name), MaxEmbedFieldName)
			fe.maxLen(fp+".value", runes(f.Value), MaxEmbedFieldValue)
			total += runes(f.Name) + runes(f.Value)
		}
		if e.Footer != nil {
			fe.maxLen(ep+".footer.text", runes(e.Footer.Text), MaxEmbedFooterText)
			total += runes(e.Footer.Text)
		}
		if e.Author != nil {
			fe.maxLen(ep+".author.name", runes(e.Author.Name), MaxEmbedAuthorName)
			total += runes(e.Author.Name)
		}
	}
	if total > MaxEmbedTotal {
		fe.add(path, "MAX_EMBED_SIZE_EXCEEDED", fmt.Sprintf("Embed size exceeds maximum size of %d", MaxEmbedTotal))
	}
}

const flagComponentsV2 = 1 << 15

func validateComponents(fe *formErrors, path string, comps []Component, flags int) {
	if flags&flagComponentsV2 != 0 {
		return // the v2 layout system has different rules; not modelled
	}
	fe.maxLen(path, len(comps), MaxActionRows)
	seen := map[string]bool{}
	for i, row := range comps {
		rp := fmt.Sprintf("%s.%d", path, i)
		if row.Type != 1 {
			fe.add(rp+".type", "UNION_TYPE_CHOICES", "Value of field \"type\" must be one of (1,).")
			continue
		}
		if len(row.Components) == 0 {
			fe.add(rp+".components", "BASE_TYPE_MIN_LENGTH", "Must be 1 or more in length.")
		}
		fe.maxLen(rp+".components", len(row.Components), MaxRowComponents)
		for j, c := range row.Components {
			cp := fmt.Sprintf("%s.components.%d", rp, j)
			if c.CustomID != "" {
				if seen[c.CustomID] {
					fe.add(cp+".custom_id", "COMPONENT_CUSTOM_ID_DUPLICATED", "Component custom id cannot be duplicated")
				}
				seen[c.CustomID] = true
			}
			fe.maxLen(cp+".custom_id", runes(c.CustomID), MaxCustomID)
			switch c.Type {
			case 2:
				fe.maxLen(cp+".label", runes(c.Label), MaxButtonLabel)
				switch c.Style {
				case 5:
					if c.URL == "" {
						fe.add(cp+".url", "BASE_TYPE_REQUIRED", "This field is required")
					}
					if c.CustomID != "" {
						fe.add(cp+".custom_id", "BUTTON_COMPONENT_CUSTOM_ID_URL_EXCLUSIVE", "A custom id and url cannot both be specified")
					}
				case 6:
				default:
					if c.CustomID == "" {
						fe.add(cp+".custom_id", "BASE_TYPE_REQUIRED", "This field is required")
					}
				}
				if c.Label == "" && c.Emoji == nil && c.Style != 6 {
					fe.add(cp, "BUTTON_COMPONENT_LABEL_OR_EMOJI_REQUIRED", "A label or emoji is required")
				}
			case 3, 5, 6, 7, 8:
				if c.CustomID == "" {
					fe.add(cp+".custom_id", "BASE_TYPE_REQUIRED", "This field is required")
				}
				if len(row.Components) > 1 {
					fe.add(rp+".components", "COMPONENT_LAYOUT_WIDTH_EXCEEDED", "The specified component exceeds the maximum width")
				}
				if c.Type == 3 {
					if len(c.Options) == 0 {
						fe.add(cp+".options", "BASE_TYPE_MIN_LENGTH", "Must be 1 or more in length.")
					}
					fe.maxLen(cp+".options", len(c.Options), MaxSelectOptions)
				}
			case 4:
				fe.add(cp+".type", "COMPONENT_TYPE_INVALID", "Text inputs can only be used in modals")
			default:
				fe.add(cp+".type", "UNION_TYPE_CHOICES", "Value of field \"type\" must be one of (2, 3, 5, 6, 7, 8).")
			}
		}
	}
}

var (
	userMentionRe = regexp.MustCompile(`<@!?(\d+)>`)
	roleMentionRe = regexp.MustCompile(`<@&(\d+)>`)
)

// mentionsIn returns the user IDs, role IDs and @everyone/@here found in
// content, in order of appearance without duplicates.
func mentionsIn(content string) (users, roles []string, everyone bool) {
	for _, m := range userMentionRe.FindAllStringSubmatch(content, -1) {
		if !contains(users, m[1]) {
			users = append(users, m[1])
		}
	}
	for _, m := range roleMentionRe.FindAllStringSubmatch(content, -1) {
		if !contains(roles, m[1]) {
			roles = append(roles, m[1])
		}
	}
	everyone = strings.Contains(content, "@everyone") || strings.Contains(content, "@here")
	return users, roles, everyone
}

// computePings applies allowed_mentions to the mentions in content: absent
// allowed_mentions lets everything through, otherwise only what "parse" or
// the allow-lists name.
func computePings(content string, am *AllowedMentions) Pings {
	users, roles, everyone := mentionsIn(content)
	if am == nil {
		return Pings{Users: users, Roles: roles, Everyone: everyone}
	}
	var p Pings
	for _, u := range users {
		if contains(am.Parse, "users") || contains(am.Users, u) {
			p.Users = append(p.Users, u)
		}
	}
	for _, r := range roles {
		if contains(am.Parse, "roles") || contains(am.Roles, r) {
			p.Roles = append(p.Roles, r)
		}
	}
	p.Everyone = everyone && contains(am.Parse, "everyone")
	return p
}

// commandPayload is one command in a bulk overwrite or create body.
type commandPayload struct {
	Name                     string              `json:"name"`
	Type                     int                 `json:"type"`
	Description              string              `json:"description"`
	Options                  []CommandOptionSpec `json:"options"`
	DefaultMemberPermissions *string             `json:"default_member_permissions"`
	DMPermission             *bool               `json:"dm_permission"`
	Contexts                 []int               `json:"contexts"`
}

var commandNameRe = regexp.MustCompile(`^[-_\p{L}\p{N}]{1,32}$`)

func validateCommands(fe *formErrors, cmds []commandPayload, prefixIndex bool) {
	seen := map[string]bool{}
	for i, c := range cmds {
		path := ""
		if prefixIndex {
			path = strconv.Itoa(i) + "."
		}
		typ := c.Type
		if typ == 0 {
			typ = 1
		}
		key := fmt.Sprintf("%d/%s", typ, c.Name)
		if seen[key] {
			fe.add(path+"name", "APPLICATION_COMMANDS_DUPLICATE_NAME", "Application command names must be unique")
		}
		seen[key] = true
		if typ == 1 {
			validateName(fe, path+"name", c.Name)
			validateDescription(fe, path+"description", c.Description)
		} else if c.Name == "" || runes(c.Name) > MaxCommandName {
			fe.add(path+"name", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 32 in length.")
		}
		validateOptionSpecs(fe, path+"options", c.Options)
	}
}

func validateName(fe *formErrors, path, name string) {
	if !commandNameRe.MatchString(name) {
		fe.add(path, "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid")
		return
	}
	for _, r := range name {
		if unicode.IsUpper(r) {
			fe.add(path, "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid")
			return
		}
	}
}

func validateDescription(fe *formErrors, path, d string) {
	if n := runes(d); n < 1 || n > MaxCommandDescription {
		fe.add(path, "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
	}
}

func validateOptionSpecs(fe *formErrors, path string, opts []CommandOptionSpec) {
	fe.maxLen(path, len(opts), MaxCommandOptions)
	seen := map[string]bool{}
	optional := false
	for i, o := range opts {
		op := fmt.Sprintf("%s.%d", path, i)
		validateName(fe, op+".name", o.Name)
		validateDescription(fe, op+".description", o.Description)
		if seen[o.Name] {
			fe.add(op+".name", "APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS", "Option names must be unique")
		}
		seen[o.Name] = true
		if o.Type == OptionSubcommand || o.Type == OptionSubcommandGroup {
			validateOptionSpecs(fe, op+".options", o.Options)
			continue
		}
		if o.Required && optional {
			fe.add(op+".required", "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID", "Required options must be placed before non-required options")
		}
		if !o.Required {
			optional = true
		}
		fe.maxLen(op+".choices", len(o.Choices), 25)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func formatInt(n int64) string { return strconv.FormatInt(n, 10) }

// snowflakeLess orders IDs numerically, falling back to string order for
// non-numeric IDs a test may have chosen.
func snowflakeLess(a, b string) bool {
	x, err1 := strconv.ParseUint(a, 10, 64)
	y, err2 := strconv.ParseUint(b, 10, 64)
	if err1 == nil && err2 == nil {
		return x < y
	}
	return a < b
}
