package discordtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Route templates the fake implements, in the form "METHOD /path" with
// Discord's placeholder names. Use them with RateLimitNext, FailNext,
// DisconnectNext and CallsTo.
const (
	RouteGetGateway     = "GET /gateway"
	RouteGetGatewayBot  = "GET /gateway/bot"
	RouteGetCurrentUser = "GET /users/@me"
	RouteCreateDM       = "POST /users/@me/channels"

	RouteInteractionCallback = "POST /interactions/{interaction.id}/{interaction.token}/callback"
	RouteGetOriginal         = "GET /webhooks/{application.id}/{interaction.token}/messages/@original"
	RouteEditOriginal        = "PATCH /webhooks/{application.id}/{interaction.token}/messages/@original"
	RouteDeleteOriginal      = "DELETE /webhooks/{application.id}/{interaction.token}/messages/@original"
	RouteCreateFollowup      = "POST /webhooks/{application.id}/{interaction.token}"
	RouteGetFollowup         = "GET /webhooks/{application.id}/{interaction.token}/messages/{message.id}"
	RouteEditFollowup        = "PATCH /webhooks/{application.id}/{interaction.token}/messages/{message.id}"
	RouteDeleteFollowup      = "DELETE /webhooks/{application.id}/{interaction.token}/messages/{message.id}"

	RouteGetGlobalCommands           = "GET /applications/{application.id}/commands"
	RouteBulkOverwriteGlobalCommands = "PUT /applications/{application.id}/commands"
	RouteCreateGlobalCommand         = "POST /applications/{application.id}/commands"
	RouteDeleteGlobalCommand         = "DELETE /applications/{application.id}/commands/{command.id}"
	RouteGetGuildCommands            = "GET /applications/{application.id}/guilds/{guild.id}/commands"
	RouteBulkOverwriteGuildCommands  = "PUT /applications/{application.id}/guilds/{guild.id}/commands"
	RouteCreateGuildCommand          = "POST /applications/{application.id}/guilds/{guild.id}/commands"
	RouteDeleteGuildCommand          = "DELETE /applications/{application.id}/guilds/{guild.id}/commands/{command.id}"

	RouteGetChannel             = "GET /channels/{channel.id}"
	RouteGetMessages            = "GET /channels/{channel.id}/messages"
	RouteCreateMessage          = "POST /channels/{channel.id}/messages"
	RouteGetMessage             = "GET /channels/{channel.id}/messages/{message.id}"
	RouteEditMessage            = "PATCH /channels/{channel.id}/messages/{message.id}"
	RouteDeleteMessage          = "DELETE /channels/{channel.id}/messages/{message.id}"
	RouteStartThreadFromMessage = "POST /channels/{channel.id}/messages/{message.id}/threads"
	RouteStartThread            = "POST /channels/{channel.id}/threads"
	RouteTriggerTyping          = "POST /channels/{channel.id}/typing"
)

type handler func(s *Server, rc *reqCtx) *resp

type route struct {
	name   string
	method string
	segs   []string
	// auth: the route needs "Authorization: Bot <token>". Interaction
	// callbacks and webhooks are authenticated by the token in the path.
	auth bool
	h    handler
}

// Order matters: literal segments (@original, @me) come before the
// placeholder routes they would also match.
var routes = buildRoutes([]struct {
	name string
	auth bool
	h    handler
}{
	{RouteGetGateway, false, hGateway},
	{RouteGetGatewayBot, true, hGatewayBot},
	{RouteGetCurrentUser, true, hCurrentUser},
	{RouteCreateDM, true, hCreateDM},
	{RouteInteractionCallback, false, hCallback},
	{RouteGetOriginal, false, hGetOriginal},
	{RouteEditOriginal, false, hEditOriginal},
	{RouteDeleteOriginal, false, hDeleteOriginal},
	{RouteCreateFollowup, false, hCreateFollowup},
	{RouteGetFollowup, false, hGetFollowup},
	{RouteEditFollowup, false, hEditFollowup},
	{RouteDeleteFollowup, false, hDeleteFollowup},
	{RouteGetGlobalCommands, true, hGetCommands},
	{RouteBulkOverwriteGlobalCommands, true, hPutCommands},
	{RouteCreateGlobalCommand, true, hCreateCommand},
	{RouteDeleteGlobalCommand, true, hDeleteCommand},
	{RouteGetGuildCommands, true, hGetCommands},
	{RouteBulkOverwriteGuildCommands, true, hPutCommands},
	{RouteCreateGuildCommand, true, hCreateCommand},
	{RouteDeleteGuildCommand, true, hDeleteCommand},
	{RouteGetChannel, true, hGetChannel},
	{RouteGetMessages, true, hGetMessages},
	{RouteCreateMessage, true, hCreateMessage},
	{RouteGetMessage, true, hGetMessage},
	{RouteEditMessage, true, hEditMessage},
	{RouteDeleteMessage, true, hDeleteMessage},
	{RouteStartThreadFromMessage, true, hStartThreadFromMessage},
	{RouteStartThread, true, hStartThread},
	{RouteTriggerTyping, true, hTyping},
})

func buildRoutes(defs []struct {
	name string
	auth bool
	h    handler
}) []route {
	out := make([]route, len(defs))
	for i, d := range defs {
		method, path := splitRoute(d.name)
		out[i] = route{name: d.name, method: method, segs: strings.Split(strings.Trim(path, "/"), "/"), auth: d.auth, h: d.h}
	}
	return out
}

func splitRoute(r string) (method, path string) {
	i := strings.IndexByte(r, ' ')
	return r[:i], r[i+1:]
}

// matchRoute finds the route for method and path. pathKnown reports a
// path that exists under another method (405 rather than 404).
func matchRoute(method, path string) (rt *route, params map[string]string, pathKnown bool) {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	for i := range routes {
		r := &routes[i]
		if len(r.segs) != len(segs) {
			continue
		}
		p := map[string]string{}
		ok := true
		for j, want := range r.segs {
			if strings.HasPrefix(want, "{") {
				if segs[j] == "" {
					ok = false
					break
				}
				p[strings.Trim(want, "{}")] = segs[j]
			} else if want != segs[j] {
				ok = false
				break
			}
		}
		if !ok {
			continue
		}
		if r.method == method {
			return r, p, true
		}
		pathKnown = true
	}
	return nil, nil, pathKnown
}

// splitAPIPath splits /api/v9/channels/1 into ("9", "/channels/1").
func splitAPIPath(p string) (version, rest string, ok bool) {
	if !strings.HasPrefix(p, "/api/v") {
		return "", p, false
	}
	p = strings.TrimPrefix(p, "/api/v")
	i := strings.IndexByte(p, '/')
	if i < 0 {
		return p, "/", true
	}
	return p[:i], p[i:], true
}

// pattern selects requests for injected failures and CallsTo.
type pattern struct {
	any    bool
	method string
	path   string
}

func parsePattern(p string) pattern {
	p = strings.TrimSpace(p)
	if p == "*" {
		return pattern{any: true}
	}
	method, path := "", p
	if i := strings.IndexByte(p, ' '); i > 0 {
		method, path = strings.ToUpper(p[:i]), strings.TrimSpace(p[i+1:])
	}
	if strings.Contains(path, "://") {
		if u, err := url.Parse(path); err == nil {
			path = u.Path
		}
	}
	if _, rest, ok := splitAPIPath(path); ok {
		path = rest
	}
	if !strings.HasPrefix(path, "/") {
		panic(fmt.Sprintf("discordtest: bad route pattern %q: want \"*\", a RouteXxx constant, or \"METHOD /path\"", p))
	}
	return pattern{method: method, path: strings.TrimRight(path, "/")}
}

func (p pattern) matches(method, path, routeName string) bool {
	if p.any {
		return true
	}
	if p.method != "" && p.method != method {
		return false
	}
	if strings.TrimRight(path, "/") == p.path {
		return true
	}
	if routeName != "" {
		_, rp := splitRoute(routeName)
		return rp == p.path
	}
	return false
}

// RateLimit describes injected 429 answers.
type RateLimit struct {
	// Count is how many matching requests get a 429.
	Count int
	// RetryAfter goes into the body's retry_after (seconds, fractional) and
	// X-RateLimit-Reset-After. discordgo sleeps this long, then retries.
	RetryAfter time.Duration
	// Global marks the limit global (X-RateLimit-Global), which makes
	// discordgo pause every route, not just this one.
	Global bool
	// NoJSONBody answers with an HTML page and no X-RateLimit headers, as
	// Cloudflare does when it blocks an IP. discordgo v0.29.0 cannot decode
	// it: the call fails with a JSON syntax error and is not retried.
	NoJSONBody bool
}

type rateRule struct {
	p         pattern
	remaining int
	rl        RateLimit
}

type failRule struct {
	p         pattern
	remaining int
	err       APIError
	drop      bool // close the connection instead of answering
}

// RateLimitNext makes the next n requests matching route answer 429 with
// Discord's body {"message": "You are being rate limited.", "retry_after":
// <seconds>, "global": false} and X-RateLimit-*/Retry-After headers. route
// is a RouteXxx constant, "METHOD /concrete/path", a path for any method,
// or "*" for every request. discordgo retries 429s (indefinitely) when the
// body parses, so a bounded n is survivable.
func (s *Server) RateLimitNext(route string, n int, retryAfter time.Duration) {
	s.RateLimitNextWith(route, RateLimit{Count: n, RetryAfter: retryAfter})
}

// RateLimitNextWith is RateLimitNext with every knob.
func (s *Server) RateLimitNextWith(route string, rl RateLimit) {
	p := parsePattern(route)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rateRules = append(s.rateRules, &rateRule{p: p, remaining: rl.Count, rl: rl})
}

// FailNext makes the next n requests matching route fail with err (Status
// defaults to 500). Use it for 403 Missing Permissions, 502 Bad Gateway
// (discordgo retries those up to MaxRestRetries), and the like.
func (s *Server) FailNext(route string, n int, err APIError) {
	p := parsePattern(route)
	if err.Status == 0 {
		err.Status = 500
	}
	if err.Message == "" {
		err.Message = http.StatusText(err.Status)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failRules = append(s.failRules, &failRule{p: p, remaining: n, err: err})
}

// DisconnectNext makes the next n requests matching route end with the
// connection closed before any response: what a client sees when a proxy
// or the network drops a request. The request has no effect. Calls records
// them with Status 0.
func (s *Server) DisconnectNext(route string, n int) {
	p := parsePattern(route)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failRules = append(s.failRules, &failRule{p: p, remaining: n, drop: true})
}

type reqCtx struct {
	r      *http.Request
	call   *Call
	params map[string]string
	body   []byte
	query  url.Values
	files  []Attachment
	now    time.Time
	ist    *interactionState // set by handlers scoped to an interaction
	after  []func()          // run after the response is written, without s.mu
}

type resp struct {
	status      int
	body        any
	err         *APIError
	header      http.Header
	raw         []byte
	contentType string
	drop        bool // close the connection without answering
}

func ok(status int, body any) *resp { return &resp{status: status, body: body} }
func errResp(e *APIError) *resp     { return &resp{status: e.Status, err: e} }
func noContent() *resp              { return &resp{status: http.StatusNoContent} }

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/gateway" || r.URL.Path == "/gateway/" {
		s.serveGateway(w, r)
		return
	}
	start := time.Now()
	body, _ := io.ReadAll(io.LimitReader(r.Body, 64<<20))
	version, path, apiPath := splitAPIPath(r.URL.Path)
	call := &Call{
		At: start, Method: r.Method, Path: path, RawQuery: r.URL.RawQuery, APIVersion: version,
		ContentType: r.Header.Get("Content-Type"),
	}
	rc := &reqCtx{r: r, call: call, body: body, query: r.URL.Query(), now: start}
	var rsp *resp
	if mt, params, err := mime.ParseMediaType(call.ContentType); err == nil && mt == "multipart/form-data" {
		if e := rc.parseMultipart(params["boundary"]); e != nil {
			rsp = errResp(e)
		}
	}
	call.Body = rc.body

	s.mu.Lock()
	if rsp == nil {
		rsp = s.routeLocked(rc, apiPath)
	}
	call.Status = rsp.status
	call.Error = rsp.err
	if rc.ist != nil && rsp.err != nil {
		rc.ist.rec.Errors = append(rc.ist.rec.Errors, *rsp.err)
	}
	out, contentType := rsp.encode()
	call.Duration = time.Since(start)
	s.calls = append(s.calls, call)
	s.notifyLocked()
	s.mu.Unlock()

	if rsp.drop {
		s.logf("%s %s -> connection closed", r.Method, r.URL.Path)
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				return
			}
		}
		panic(http.ErrAbortHandler) // closes the connection all the same
	}
	s.logf("%s %s -> %d %s", r.Method, r.URL.Path, rsp.status, errSummary(rsp.err))
	for k, v := range rsp.header {
		w.Header()[k] = v
	}
	if rsp.status == http.StatusNoContent {
		w.WriteHeader(rsp.status)
	} else {
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(rsp.status)
		_, _ = w.Write(out)
	}
	for _, f := range rc.after {
		f()
	}
}

func errSummary(e *APIError) string {
	if e == nil {
		return ""
	}
	return fmt.Sprintf("(%d %s)", e.Code, e.Message)
}

func (r *resp) encode() ([]byte, string) {
	if r.raw != nil {
		return r.raw, r.contentType
	}
	var v any = r.body
	if r.err != nil {
		v = r.err
	}
	if v == nil {
		return nil, "application/json"
	}
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("discordtest: encoding response: %v", err))
	}
	return b, "application/json"
}

func (rc *reqCtx) parseMultipart(boundary string) *APIError {
	mr := multipart.NewReader(bytes.NewReader(rc.body), boundary)
	rc.body = nil
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return errInvalidJSON()
		}
		data, _ := io.ReadAll(part)
		switch {
		case part.FormName() == "payload_json":
			rc.body = data
		case part.FileName() != "":
			rc.files = append(rc.files, Attachment{ID: newID(), Filename: part.FileName(), Size: len(data), ContentType: part.Header.Get("Content-Type")})
		}
	}
}

func (s *Server) routeLocked(rc *reqCtx, apiPath bool) *resp {
	call := rc.call
	if !apiPath {
		return errResp(errNotFound())
	}
	rt, params, pathKnown := matchRoute(call.Method, call.Path)
	if rt == nil {
		if pathKnown {
			return errResp(errMethodNotAllowed())
		}
		return errResp(errNotFound())
	}
	call.Route = rt.name
	call.Params = params
	rc.params = params
	for i, rr := range s.rateRules {
		if rr.p.matches(call.Method, call.Path, rt.name) {
			rr.remaining--
			if rr.remaining <= 0 {
				s.rateRules = append(s.rateRules[:i:i], s.rateRules[i+1:]...)
			}
			call.RateLimited = true
			return rateLimitedResp(rt.name, rr.rl)
		}
	}
	for i, fr := range s.failRules {
		if fr.p.matches(call.Method, call.Path, rt.name) {
			fr.remaining--
			if fr.remaining <= 0 {
				s.failRules = append(s.failRules[:i:i], s.failRules[i+1:]...)
			}
			if fr.drop {
				return &resp{drop: true}
			}
			e := fr.err
			return errResp(&e)
		}
	}
	if rt.auth && rc.r.Header.Get("Authorization") != "Bot "+s.cfg.Token {
		return errResp(errUnauthorized())
	}
	return rt.h(s, rc)
}

func rateLimitedResp(routeName string, rl RateLimit) *resp {
	secs := rl.RetryAfter.Seconds()
	h := http.Header{}
	h.Set("Retry-After", strconv.Itoa(int(math.Ceil(secs))))
	if rl.NoJSONBody {
		return &resp{
			status: http.StatusTooManyRequests, header: h, contentType: "text/html; charset=UTF-8",
			err: &APIError{Status: 429, Message: "429 Too Many Requests (HTML)"},
			raw: []byte("<!DOCTYPE html><html><head><title>Error 1015</title></head><body><h1>You are being rate limited</h1><p>The owner of this website (discord.com) has banned you temporarily from accessing this website.</p></body></html>"),
		}
	}
	hash := fnv.New64a()
	hash.Write([]byte(routeName))
	h.Set("X-RateLimit-Limit", "5")
	h.Set("X-RateLimit-Remaining", "0")
	h.Set("X-RateLimit-Reset", strconv.FormatFloat(float64(time.Now().Add(rl.RetryAfter).UnixMilli())/1000, 'f', 3, 64))
	h.Set("X-RateLimit-Reset-After", strconv.FormatFloat(secs, 'f', 3, 64))
	h.Set("X-RateLimit-Bucket", fmt.Sprintf("%016x", hash.Sum64()))
	scope := "user"
	if rl.Global {
		// discordgo treats any non-empty X-RateLimit-Global as global, so the
		// header is only sent for global limits, as Discord does.
		h.Set("X-RateLimit-Global", "true")
		scope = "global"
	}
	h.Set("X-RateLimit-Scope", scope)
	body, _ := json.Marshal(map[string]any{"message": "You are being rate limited.", "retry_after": math.Round(secs*1000) / 1000, "global": rl.Global})
	return &resp{
		status: http.StatusTooManyRequests, header: h, contentType: "application/json", raw: body,
		err: &APIError{Status: 429, Message: "You are being rate limited."},
	}
}

// ---- gateway & user ----

func hGateway(s *Server, rc *reqCtx) *resp {
	return ok(200, map[string]any{"url": s.GatewayURL()})
}

func hGatewayBot(s *Server, rc *reqCtx) *resp {
	return ok(200, map[string]any{
		"url": s.GatewayURL(), "shards": 1,
		"session_start_limit": map[string]any{"total": 1000, "remaining": 999, "reset_after": 86400000, "max_concurrency": 1},
	})
}

func hCurrentUser(s *Server, rc *reqCtx) *resp {
	u := wireUser(s.cfg.BotUser)
	u["verified"] = true
	u["mfa_enabled"] = false
	u["flags"] = 0
	u["locale"] = "en-US"
	u["email"] = nil
	return ok(200, u)
}

func hCreateDM(s *Server, rc *reqCtx) *resp {
	var b struct {
		RecipientID string `json:"recipient_id"`
	}
	if err := json.Unmarshal(rc.body, &b); err != nil || b.RecipientID == "" {
		var fe formErrors
		fe.add("recipient_id", "BASE_TYPE_REQUIRED", "This field is required")
		return errResp(fe.err())
	}
	ch := s.dmChannelLocked(b.RecipientID)
	return ok(200, map[string]any{"id": ch, "type": 1, "last_message_id": nil, "flags": 0,
		"recipients": []any{wireUser(s.userLocked(b.RecipientID))}})
}

// ---- interactions ----

// interactionState is the mutable side of an InteractionRecord.
type interactionState struct {
	rec                InteractionRecord // Original and Followups are resolved at snapshot time
	invoker            User
	originalID         string
	followupIDs        []string
	componentMessageID string
	expired            bool
}

func (s *Server) snapshotInteractionLocked(st *interactionState) *InteractionRecord {
	r := st.rec
	r.Callbacks = make([]CallbackRecord, len(st.rec.Callbacks))
	for i, cb := range st.rec.Callbacks {
		r.Callbacks[i] = cb
		if cb.Error != nil {
			e := *cb.Error
			r.Callbacks[i].Error = &e
		}
	}
	r.Errors = append([]APIError(nil), st.rec.Errors...)
	if m := s.messages[st.originalID]; m != nil && !m.Deleted {
		r.Original = m.clone()
	}
	for _, id := range st.followupIDs {
		r.Followups = append(r.Followups, s.messages[id].clone())
	}
	r.TokenExpired = s.tokenExpiredLocked(st, time.Now())
	return &r
}

func (s *Server) tokenExpiredLocked(st *interactionState, now time.Time) bool {
	return st.expired || (!st.rec.DispatchedAt.IsZero() && now.Sub(st.rec.DispatchedAt) > s.tokenTTL)
}

// callbackTypesFor lists the callback types Discord accepts per interaction
// type: no message updates for slash commands, only choices for
// autocomplete, no modal in answer to a modal.
var callbackTypesFor = map[int][]int{
	InteractionTypeApplicationCommand: {CallbackChannelMessage, CallbackDeferredMessage, CallbackModal},
	InteractionTypeMessageComponent:   {CallbackChannelMessage, CallbackDeferredMessage, CallbackDeferredUpdateMessage, CallbackUpdateMessage, CallbackModal},
	InteractionTypeAutocomplete:       {CallbackAutocompleteResult},
	InteractionTypeModalSubmit:        {CallbackChannelMessage, CallbackDeferredMessage, CallbackDeferredUpdateMessage, CallbackUpdateMessage},
}

func invalidCallbackType(allowed []int) *APIError {
	var fe formErrors
	fe.add("type", "BASE_TYPE_CHOICES", fmt.Sprintf("Value must be one of %v.", allowed))
	return fe.err()
}

func containsInt(list []int, n int) bool {
	for _, x := range list {
		if x == n {
			return true
		}
	}
	return false
}

func hCallback(s *Server, rc *reqCtx) *resp {
	st := s.interactions[rc.params["interaction.id"]]
	if st == nil || st.rec.Token != rc.params["interaction.token"] || st.rec.DispatchedAt.IsZero() {
		return errResp(errUnknownInteraction())
	}
	rc.ist = st
	var body struct {
		Type int             `json:"type"`
		Data json.RawMessage `json:"data"`
	}
	cb := CallbackRecord{At: rc.now}
	fail := func(e *APIError) *resp {
		cb.Error = e
		st.rec.Callbacks = append(st.rec.Callbacks, cb)
		return errResp(e)
	}
	if err := json.Unmarshal(rc.body, &body); err != nil {
		return fail(errInvalidJSON())
	}
	cb.Type, cb.Data = body.Type, body.Data
	if !st.rec.AckedAt.IsZero() {
		return fail(errAlreadyAcked())
	}
	if rc.now.Sub(st.rec.DispatchedAt) > s.ackDeadline || st.expired {
		return fail(errUnknownInteraction())
	}
	allowed := callbackTypesFor[st.rec.Type]
	if !containsInt(allowed, body.Type) {
		return fail(invalidCallbackType(allowed))
	}
	if (body.Type == CallbackDeferredUpdateMessage || body.Type == CallbackUpdateMessage) && st.componentMessageID == "" {
		return fail(invalidCallbackType(allowed)) // modal submitted from a slash command: no message to update
	}
	var p *messagePayload
	switch body.Type {
	case CallbackChannelMessage, CallbackUpdateMessage, CallbackDeferredMessage:
		var e *APIError
		if p, e = parseMessagePayload(body.Data, "data."); e != nil {
			return fail(e)
		}
		p.Attachments = rc.files
		if e := p.validate("data."); e != nil {
			return fail(e)
		}
		if body.Type == CallbackChannelMessage && p.emptyCreate() {
			return fail(errEmptyMessage())
		}
		if body.Type == CallbackUpdateMessage {
			if host := s.messages[st.componentMessageID]; host != nil && wouldBeEmpty(host, p) {
				return fail(errEmptyMessage())
			}
		}
	case CallbackModal:
		if e := validateModal(body.Data); e != nil {
			return fail(e)
		}
	}

	cb.Accepted = true
	st.rec.Callbacks = append(st.rec.Callbacks, cb)
	st.rec.AckedAt = rc.now
	st.rec.AckLatency = rc.now.Sub(st.rec.DispatchedAt)
	st.rec.ResponseType = body.Type
	switch body.Type {
	case CallbackChannelMessage:
		m := s.createBotMessageLocked(rc, KindOriginalResponse, st.rec.ChannelID, p, st, FlagSuppressEmbeds|FlagEphemeral|FlagSuppressNotifications|flagComponentsV2)
		st.originalID = m.ID
	case CallbackDeferredMessage:
		flags := FlagLoading
		if p.Flags != nil {
			flags |= *p.Flags & FlagEphemeral
		}
		empty := &messagePayload{Flags: &flags, Body: p.Body}
		m := s.createBotMessageLocked(rc, KindOriginalResponse, st.rec.ChannelID, empty, st, FlagEphemeral|FlagLoading)
		st.originalID = m.ID
	case CallbackDeferredUpdateMessage:
		st.originalID = st.componentMessageID
	case CallbackUpdateMessage:
		st.originalID = st.componentMessageID
		if m := s.messages[st.originalID]; m != nil {
			s.editMessageLocked(rc, m, p)
		}
	case CallbackModal:
		st.rec.Modal = body.Data
	}
	return noContent()
}

func validateModal(data json.RawMessage) *APIError {
	var m struct {
		CustomID   string      `json:"custom_id"`
		Title      string      `json:"title"`
		Components []Component `json:"components"`
	}
	var fe formErrors
	if err := json.Unmarshal(data, &m); err != nil {
		return errInvalidJSON()
	}
	if n := runes(m.CustomID); n < 1 || n > MaxCustomID {
		fe.add("data.custom_id", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
	}
	if n := runes(m.Title); n < 1 || n > 45 {
		fe.add("data.title", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 45 in length.")
	}
	if n := len(m.Components); n < 1 || n > 5 {
		fe.add("data.components", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 5 in length.")
	}
	return fe.err()
}

// webhookInteractionLocked authenticates a webhook route by its token.
func (s *Server) webhookInteractionLocked(rc *reqCtx) (*interactionState, *APIError) {
	app := rc.params["application.id"]
	st := s.byToken[rc.params["interaction.token"]]
	if st == nil {
		if app != s.cfg.ApplicationID {
			return nil, errUnknownWebhook()
		}
		return nil, errInvalidWebhookToken()
	}
	rc.ist = st
	if app != st.rec.AppID {
		return nil, errUnknownWebhook()
	}
	if st.rec.DispatchedAt.IsZero() || s.tokenExpiredLocked(st, rc.now) {
		return nil, errInvalidWebhookToken()
	}
	return st, nil
}

// originalLocked returns the live @original or 10008.
func (s *Server) originalLocked(rc *reqCtx) (*interactionState, *Message, *APIError) {
	st, e := s.webhookInteractionLocked(rc)
	if e != nil {
		return nil, nil, e
	}
	if st.rec.AckedAt.IsZero() {
		return st, nil, errUnknownMessage()
	}
	m := s.messages[st.originalID]
	if m == nil || m.Deleted {
		return st, nil, errUnknownMessage()
	}
	return st, m, nil
}

func hGetOriginal(s *Server, rc *reqCtx) *resp {
	_, m, e := s.originalLocked(rc)
	if e != nil {
		return errResp(e)
	}
	return ok(200, s.wireMessageLocked(m, false))
}

func hEditOriginal(s *Server, rc *reqCtx) *resp {
	_, m, e := s.originalLocked(rc)
	if e != nil {
		return errResp(e)
	}
	return s.editFromRequestLocked(rc, m)
}

func hDeleteOriginal(s *Server, rc *reqCtx) *resp {
	st, m, e := s.originalLocked(rc)
	if e != nil {
		return errResp(e)
	}
	s.deleteMessageLocked(rc, m)
	st.rec.OriginalDeleted = true
	return noContent()
}

func hCreateFollowup(s *Server, rc *reqCtx) *resp {
	st, e := s.webhookInteractionLocked(rc)
	if e != nil {
		return errResp(e)
	}
	if st.rec.AckedAt.IsZero() {
		return errResp(errUnknownMessage())
	}
	p, e := parseMessagePayload(rc.body, "")
	if e != nil {
		return errResp(e)
	}
	p.Attachments = rc.files
	if e := p.validate(""); e != nil {
		return errResp(e)
	}
	if p.emptyCreate() {
		return errResp(errEmptyMessage())
	}
	wait := rc.query.Get("wait") == "true"
	answer := func(m *Message) *resp {
		if !wait {
			return noContent()
		}
		return ok(200, s.wireMessageLocked(m, false))
	}
	if orig := s.messages[st.originalID]; orig != nil && !orig.Deleted && orig.Loading() {
		// Documented Discord behaviour: right after a deferral, a followup
		// edits the loading message instead of creating one, keeping the
		// ephemeral choice made when deferring.
		q := *p
		q.Flags = nil
		s.editMessageLocked(rc, orig, &q)
		return answer(orig)
	}
	m := s.createBotMessageLocked(rc, KindFollowup, st.rec.ChannelID, p, st, FlagSuppressEmbeds|FlagEphemeral|FlagSuppressNotifications|flagComponentsV2)
	st.followupIDs = append(st.followupIDs, m.ID)
	return answer(m)
}

// followupLocked resolves /webhooks/{app}/{token}/messages/{id}: the
// followups of the interaction and its @original by ID.
func (s *Server) followupLocked(rc *reqCtx) (*interactionState, *Message, *APIError) {
	st, e := s.webhookInteractionLocked(rc)
	if e != nil {
		return nil, nil, e
	}
	id := rc.params["message.id"]
	if st.rec.AckedAt.IsZero() || (id != st.originalID && !contains(st.followupIDs, id)) {
		return st, nil, errUnknownMessage()
	}
	m := s.messages[id]
	if m == nil || m.Deleted {
		return st, nil, errUnknownMessage()
	}
	return st, m, nil
}

func hGetFollowup(s *Server, rc *reqCtx) *resp {
	_, m, e := s.followupLocked(rc)
	if e != nil {
		return errResp(e)
	}
	return ok(200, s.wireMessageLocked(m, false))
}

func hEditFollowup(s *Server, rc *reqCtx) *resp {
	_, m, e := s.followupLocked(rc)
	if e != nil {
		return errResp(e)
	}
	return s.editFromRequestLocked(rc, m)
}

func hDeleteFollowup(s *Server, rc *reqCtx) *resp {
	st, m, e := s.followupLocked(rc)
	if e != nil {
		return errResp(e)
	}
	s.deleteMessageLocked(rc, m)
	if m.ID == st.originalID {
		st.rec.OriginalDeleted = true
	}
	return noContent()
}

// ---- messages ----

func wouldBeEmpty(m *Message, p *messagePayload) bool {
	content := m.Content
	if p.Content != nil {
		content = *p.Content
	}
	embeds, comps := len(m.Embeds), len(m.Components)
	if p.EmbedsSet {
		embeds = len(p.Embeds)
	}
	if p.ComponentsSet {
		comps = len(p.Components)
	}
	return strings.TrimSpace(content) == "" && embeds == 0 && comps == 0 && len(m.Attachments)+len(p.Attachments) == 0
}

func (s *Server) editFromRequestLocked(rc *reqCtx, m *Message) *resp {
	p, e := parseMessagePayload(rc.body, "")
	if e != nil {
		return errResp(e)
	}
	p.Attachments = rc.files
	if e := p.validate(""); e != nil {
		return errResp(e)
	}
	if wouldBeEmpty(m, p) {
		return errResp(errEmptyMessage())
	}
	s.editMessageLocked(rc, m, p)
	return ok(200, s.wireMessageLocked(m, false))
}

// createBotMessageLocked stores a message written by the bot; flagMask is
// the set of flags the route lets the bot set.
func (s *Server) createBotMessageLocked(rc *reqCtx, kind MessageKind, channelID string, p *messagePayload, st *interactionState, flagMask int) *Message {
	m := &Message{ID: newID(), ChannelID: channelID, Kind: kind, Author: s.cfg.BotUser, CreatedAt: rc.now}
	if st != nil {
		m.InteractionID = st.rec.ID
	}
	if p.Content != nil {
		m.Content = *p.Content
	}
	m.Embeds = cloneEmbeds(p.Embeds)
	m.Components = cloneComponents(p.Components)
	m.Attachments = append([]Attachment(nil), p.Attachments...)
	if p.Flags != nil {
		m.Flags = *p.Flags & flagMask
	}
	m.AllowedMentions = p.AllowedMentions.clone()
	m.ReferenceID = p.ReferenceID
	m.Pings = computePings(m.Content, m.AllowedMentions)
	s.storeMessageLocked(m)
	s.recordWriteLocked(rc, m, p, true)
	s.echoLocked(rc, "MESSAGE_CREATE", m)
	return m
}

// editMessageLocked applies the fields present in p. Only SUPPRESS_EMBEDS
// can be changed by an edit; ephemeral stays as created, loading clears.
func (s *Server) editMessageLocked(rc *reqCtx, m *Message, p *messagePayload) {
	if p.Content != nil {
		m.Content = *p.Content
	}
	if p.EmbedsSet {
		m.Embeds = cloneEmbeds(p.Embeds)
	}
	if p.ComponentsSet {
		m.Components = cloneComponents(p.Components)
	}
	if p.Flags != nil {
		m.Flags = m.Flags&^FlagSuppressEmbeds | *p.Flags&FlagSuppressEmbeds
	}
	m.Flags &^= FlagLoading
	m.Attachments = append(m.Attachments, p.Attachments...)
	m.AllowedMentions = p.AllowedMentions.clone()
	m.Pings = computePings(m.Content, m.AllowedMentions)
	m.EditedAt = rc.now
	s.recordWriteLocked(rc, m, p, false)
	s.echoLocked(rc, "MESSAGE_UPDATE", m)
}

func (s *Server) deleteMessageLocked(rc *reqCtx, m *Message) {
	m.Deleted = true
	if s.cfg.DisableEcho || m.Ephemeral() {
		return
	}
	data := map[string]any{"id": m.ID, "channel_id": m.ChannelID}
	if m.GuildID != "" {
		data["guild_id"] = m.GuildID
	}
	s.queueEchoLocked(rc, "MESSAGE_DELETE", m.GuildID, data)
}

func (s *Server) recordWriteLocked(rc *reqCtx, m *Message, p *messagePayload, create bool) {
	w := &MessageWrite{
		At: rc.now, Route: rc.call.Route, MessageID: m.ID, ChannelID: m.ChannelID,
		InteractionID: m.InteractionID, Create: create,
		Embeds: cloneEmbeds(p.Embeds), EmbedsSet: p.EmbedsSet,
		Components: cloneComponents(p.Components), ComponentsSet: p.ComponentsSet,
		AllowedMentions: p.AllowedMentions.clone(), Body: p.Body,
	}
	if p.Content != nil {
		c := *p.Content
		w.Content = &c
		w.Pings = computePings(c, p.AllowedMentions)
	}
	if p.Flags != nil {
		f := *p.Flags
		w.Flags = &f
	}
	m.Writes = append(m.Writes, w.clone())
	s.writes = append(s.writes, w)
}

// echoLocked queues the gateway event Discord sends for the bot's own
// message, to be dispatched once the REST response is out.
func (s *Server) echoLocked(rc *reqCtx, typ string, m *Message) {
	if s.cfg.DisableEcho || m.Ephemeral() {
		return
	}
	s.queueEchoLocked(rc, typ, m.GuildID, s.wireMessageLocked(m, false))
}

func (s *Server) queueEchoLocked(rc *reqCtx, typ, guildID string, data any) {
	need := IntentGuildMessages
	if guildID == "" {
		need = IntentDirectMessages
	}
	if typ == "THREAD_CREATE" {
		need = IntentGuilds
	}
	targets := s.targetsLocked(guildID, need)
	if len(targets) == 0 {
		return
	}
	raw, err := json.Marshal(data)
	if err != nil {
		panic(fmt.Sprintf("discordtest: encoding %s: %v", typ, err))
	}
	rc.after = append(rc.after, func() {
		for _, t := range targets {
			s.dispatch(t, typ, json.RawMessage(raw), "")
		}
	})
}

func hCreateMessage(s *Server, rc *reqCtx) *resp {
	ch := rc.params["channel.id"]
	p, e := parseMessagePayload(rc.body, "")
	if e != nil {
		return errResp(e)
	}
	p.Attachments = rc.files
	if e := p.validate(""); e != nil {
		return errResp(e)
	}
	if p.emptyCreate() {
		return errResp(errEmptyMessage())
	}
	if p.ReferenceID != "" && p.FailIfNotExists {
		if ref := s.messages[p.ReferenceID]; ref == nil || ref.Deleted || ref.ChannelID != ch {
			var fe formErrors
			fe.add("message_reference", "MESSAGE_REFERENCE_UNKNOWN_MESSAGE", "Unknown message")
			return errResp(fe.err())
		}
	}
	m := s.createBotMessageLocked(rc, KindChannelMessage, ch, p, nil, FlagSuppressEmbeds|FlagSuppressNotifications|flagComponentsV2)
	return ok(200, s.wireMessageLocked(m, false))
}

func (s *Server) channelMessageLocked(rc *reqCtx) (*Message, *APIError) {
	m := s.messages[rc.params["message.id"]]
	if m == nil || m.Deleted || m.ChannelID != rc.params["channel.id"] || m.Ephemeral() {
		return nil, errUnknownMessage()
	}
	return m, nil
}

func hGetMessage(s *Server, rc *reqCtx) *resp {
	m, e := s.channelMessageLocked(rc)
	if e != nil {
		return errResp(e)
	}
	return ok(200, s.wireMessageLocked(m, s.restHidesContentLocked(m)))
}

func hEditMessage(s *Server, rc *reqCtx) *resp {
	m, e := s.channelMessageLocked(rc)
	if e != nil {
		return errResp(e)
	}
	if m.Author.ID != s.cfg.BotUser.ID {
		return errResp(errCannotEditOther())
	}
	return s.editFromRequestLocked(rc, m)
}

func hDeleteMessage(s *Server, rc *reqCtx) *resp {
	m, e := s.channelMessageLocked(rc)
	if e != nil {
		return errResp(e)
	}
	s.deleteMessageLocked(rc, m)
	return noContent()
}

// restHidesContentLocked: without the MESSAGE_CONTENT privilege, REST reads
// blank other people's guild messages too, not just gateway events.
func (s *Server) restHidesContentLocked(m *Message) bool {
	return s.cfg.DisallowedIntents&IntentMessageContent != 0 && s.contentRestrictedLocked(m)
}

func hGetMessages(s *Server, rc *reqCtx) *resp {
	ch := rc.params["channel.id"]
	limit := 50
	if v := rc.query.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		var fe formErrors
		switch {
		case err != nil:
			fe.add("limit", "NUMBER_TYPE_COERCE", fmt.Sprintf("Value %q is not int.", v))
		case n < 1:
			fe.add("limit", "NUMBER_TYPE_MIN", "int value should be greater than or equal to 1.")
		case n > 100:
			fe.add("limit", "NUMBER_TYPE_MAX", "int value should be less than or equal to 100.")
		}
		if e := fe.err(); e != nil {
			return errResp(e)
		}
		limit = n
	}
	var visible []*Message
	for _, id := range s.channelMsgs[ch] {
		if m := s.messages[id]; !m.Deleted && !m.Ephemeral() {
			visible = append(visible, m)
		}
	}
	sort.SliceStable(visible, func(i, j int) bool { return snowflakeLess(visible[i].ID, visible[j].ID) })
	// visible is oldest first; Discord answers newest first.
	var window []*Message
	before, after, around := rc.query.Get("before"), rc.query.Get("after"), rc.query.Get("around")
	switch {
	case around != "":
		idx := sort.Search(len(visible), func(i int) bool { return !snowflakeLess(visible[i].ID, around) })
		lo := max(0, idx-limit/2)
		hi := min(len(visible), lo+limit)
		window = visible[lo:hi]
	case after != "":
		for _, m := range visible {
			if snowflakeLess(after, m.ID) && len(window) < limit {
				window = append(window, m)
			}
		}
	default:
		var cand []*Message
		for _, m := range visible {
			if before == "" || snowflakeLess(m.ID, before) {
				cand = append(cand, m)
			}
		}
		window = cand[max(0, len(cand)-limit):]
	}
	out := make([]map[string]any, 0, len(window))
	for i := len(window) - 1; i >= 0; i-- {
		out = append(out, s.wireMessageLocked(window[i], s.restHidesContentLocked(window[i])))
	}
	return ok(200, out)
}

func hTyping(s *Server, rc *reqCtx) *resp { return noContent() }

func hGetChannel(s *Server, rc *reqCtx) *resp {
	id := rc.params["channel.id"]
	if t := s.threadByID[id]; t != nil {
		return ok(200, s.wireThreadLocked(t))
	}
	for _, g := range s.cfg.Guilds {
		for i, c := range g.Channels {
			if c.ID == id {
				w := map[string]any{
					"id": c.ID, "type": c.Type, "guild_id": g.ID, "name": c.Name, "position": i,
					"permission_overwrites": []any{}, "nsfw": false, "rate_limit_per_user": 0, "last_message_id": nil,
				}
				if c.ParentID != "" {
					w["parent_id"] = c.ParentID
				}
				return ok(200, w)
			}
		}
	}
	for uid, ch := range s.dmChannels {
		if ch == id {
			return ok(200, map[string]any{"id": ch, "type": 1, "last_message_id": nil, "recipients": []any{wireUser(s.userLocked(uid))}})
		}
	}
	return errResp(errUnknownChannel())
}

// ---- threads ----

var archiveDurations = map[int]bool{60: true, 1440: true, 4320: true, 10080: true}

type threadBody struct {
	Name                string          `json:"name"`
	AutoArchiveDuration int             `json:"auto_archive_duration"`
	Type                int             `json:"type"`
	Invitable           *bool           `json:"invitable"`
	Message             json.RawMessage `json:"message"`
}

func parseThreadBody(body []byte) (*threadBody, *APIError) {
	var b threadBody
	if err := json.Unmarshal(body, &b); err != nil {
		return nil, errInvalidJSON()
	}
	var fe formErrors
	if n := runes(b.Name); n < 1 || n > MaxThreadName {
		fe.add("name", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
	}
	if b.AutoArchiveDuration == 0 {
		b.AutoArchiveDuration = 4320
	}
	if !archiveDurations[b.AutoArchiveDuration] {
		fe.add("auto_archive_duration", "BASE_TYPE_CHOICES", "Value must be one of {60, 1440, 4320, 10080}.")
	}
	if e := fe.err(); e != nil {
		return nil, e
	}
	return &b, nil
}

func hStartThreadFromMessage(s *Server, rc *reqCtx) *resp {
	m, e := s.channelMessageLocked(rc)
	if e != nil {
		return errResp(e)
	}
	if m.ThreadID != "" {
		return errResp(errThreadExists())
	}
	b, e := parseThreadBody(rc.body)
	if e != nil {
		return errResp(e)
	}
	typ := 11
	if s.channelTypeLocked(m.ChannelID) == 5 {
		typ = 10 // announcement thread
	}
	// Discord gives a thread started from a message the message's ID.
	t := s.addThreadLocked(rc, m.ID, m.ChannelID, b, typ)
	t.StarterMessageID = m.ID
	m.ThreadID = t.ID
	return ok(201, s.wireThreadLocked(t))
}

func hStartThread(s *Server, rc *reqCtx) *resp {
	ch := rc.params["channel.id"]
	b, e := parseThreadBody(rc.body)
	if e != nil {
		return errResp(e)
	}
	typ := b.Type
	if typ == 0 {
		// API v9 defaults to a private thread, which surprises bots that
		// expected a public one.
		typ = 12
	}
	if typ != 10 && typ != 11 && typ != 12 {
		var fe formErrors
		fe.add("type", "BASE_TYPE_CHOICES", "Value must be one of {10, 11, 12}.")
		return errResp(fe.err())
	}
	id := newID()
	var starter *messagePayload
	if len(b.Message) > 0 && string(b.Message) != "null" {
		p, e := parseMessagePayload(b.Message, "message.")
		if e != nil {
			return errResp(e)
		}
		if e := p.validate("message."); e != nil {
			return errResp(e)
		}
		starter = p
		typ = 11 // forum posts are public threads
	}
	t := s.addThreadLocked(rc, id, ch, b, typ)
	if starter != nil {
		m := &Message{ID: id, ChannelID: id, Kind: KindChannelMessage, Author: s.cfg.BotUser, CreatedAt: rc.now}
		if starter.Content != nil {
			m.Content = *starter.Content
		}
		m.Embeds = cloneEmbeds(starter.Embeds)
		m.Components = cloneComponents(starter.Components)
		m.AllowedMentions = starter.AllowedMentions.clone()
		m.Pings = computePings(m.Content, m.AllowedMentions)
		s.storeMessageLocked(m)
		s.recordWriteLocked(rc, m, starter, true)
		t.StarterMessageID = id
	}
	return ok(201, s.wireThreadLocked(t))
}

func (s *Server) addThreadLocked(rc *reqCtx, id, parent string, b *threadBody, typ int) *Thread {
	t := &Thread{
		ID: id, GuildID: s.channelGuild[parent], ParentID: parent, Name: b.Name, Type: typ,
		OwnerID: s.cfg.BotUser.ID, AutoArchiveDuration: b.AutoArchiveDuration, CreatedAt: rc.now,
	}
	s.threads = append(s.threads, t)
	s.threadByID[id] = t
	s.channelGuild[id] = t.GuildID
	if !s.cfg.DisableEcho {
		w := s.wireThreadLocked(t)
		w["newly_created"] = true
		s.queueEchoLocked(rc, "THREAD_CREATE", t.GuildID, w)
	}
	return t
}

func (s *Server) wireThreadLocked(t *Thread) map[string]any {
	created := t.CreatedAt.UTC().Format(discordTime)
	count := 0
	for _, id := range s.channelMsgs[t.ID] {
		if !s.messages[id].Deleted {
			count++
		}
	}
	meta := map[string]any{
		"archived": false, "auto_archive_duration": t.AutoArchiveDuration, "archive_timestamp": created,
		"locked": false, "create_timestamp": created,
	}
	if t.Type == 12 {
		meta["invitable"] = true
	}
	w := map[string]any{
		"id": t.ID, "type": t.Type, "guild_id": t.GuildID, "parent_id": t.ParentID, "name": t.Name,
		"owner_id": t.OwnerID, "last_message_id": nil, "rate_limit_per_user": 0, "flags": 0,
		"message_count": count, "total_message_sent": count, "member_count": 1,
		"thread_metadata": meta,
		"member":          map[string]any{"id": t.ID, "user_id": s.cfg.BotUser.ID, "join_timestamp": created, "flags": 0},
	}
	return w
}

// ---- application commands ----

type commandState struct {
	cmd Command
}

func (s *Server) commandScope(rc *reqCtx) (string, *APIError) {
	if rc.params["application.id"] != s.cfg.ApplicationID {
		return "", errMissingAccess()
	}
	return rc.params["guild.id"], nil
}

func (s *Server) newCommandLocked(scope string, raw json.RawMessage, c commandPayload) *Command {
	typ := c.Type
	if typ == 0 {
		typ = 1
	}
	id := ""
	for _, old := range s.commands[scope] {
		if old.cmd.Name == c.Name && old.cmd.Type == typ {
			id = old.cmd.ID // Discord keeps IDs of commands that survive an overwrite
		}
	}
	if id == "" {
		id = newID()
	}
	return &Command{
		ID: id, ApplicationID: s.cfg.ApplicationID, GuildID: scope, Type: typ, Name: c.Name,
		Description: c.Description, Options: c.Options, DefaultMemberPermissions: c.DefaultMemberPermissions,
		DMPermission: c.DMPermission, Contexts: c.Contexts, Version: newID(), Raw: append(json.RawMessage(nil), raw...),
	}
}

func wireCommand(c *Command) map[string]any {
	w := map[string]any{}
	_ = json.Unmarshal(c.Raw, &w)
	w["id"] = c.ID
	w["application_id"] = c.ApplicationID
	w["version"] = c.Version
	w["type"] = c.Type
	if c.GuildID != "" {
		w["guild_id"] = c.GuildID
	}
	if w["default_member_permissions"] == nil {
		delete(w, "default_member_permissions")
	}
	if _, ok := w["nsfw"]; !ok {
		w["nsfw"] = false
	}
	if _, ok := w["description"]; !ok {
		w["description"] = ""
	}
	return w
}

func (s *Server) wireCommandsLocked(scope string) []map[string]any {
	out := []map[string]any{}
	for _, c := range s.commands[scope] {
		out = append(out, wireCommand(&c.cmd))
	}
	return out
}

func hGetCommands(s *Server, rc *reqCtx) *resp {
	scope, e := s.commandScope(rc)
	if e != nil {
		return errResp(e)
	}
	return ok(200, s.wireCommandsLocked(scope))
}

func hPutCommands(s *Server, rc *reqCtx) *resp {
	scope, e := s.commandScope(rc)
	if e != nil {
		return errResp(e)
	}
	var raws []json.RawMessage
	if err := json.Unmarshal(rc.body, &raws); err != nil {
		if bytes.HasPrefix(bytes.TrimSpace(rc.body), []byte("[")) {
			return errResp(errInvalidJSON())
		}
		var fe formErrors
		fe.add("_root", "BASE_TYPE_ARRAY", "Must be an array.")
		return errResp(fe.err())
	}
	cmds := make([]commandPayload, len(raws))
	for i, r := range raws {
		if err := json.Unmarshal(r, &cmds[i]); err != nil {
			return errResp(errInvalidJSON())
		}
	}
	var fe formErrors
	validateCommands(&fe, cmds, true)
	chat := 0
	for _, c := range cmds {
		if c.Type == 0 || c.Type == 1 {
			chat++
		}
	}
	if chat > 100 {
		fe.add("_root", "BASE_TYPE_MAX_LENGTH", "Must be 100 or fewer in length.")
	}
	if e := fe.err(); e != nil {
		return errResp(e)
	}
	next := make([]*commandState, len(cmds))
	for i, c := range cmds {
		next[i] = &commandState{cmd: *s.newCommandLocked(scope, raws[i], c)}
	}
	s.commands[scope] = next
	return ok(200, s.wireCommandsLocked(scope))
}

func hCreateCommand(s *Server, rc *reqCtx) *resp {
	scope, e := s.commandScope(rc)
	if e != nil {
		return errResp(e)
	}
	var c commandPayload
	if err := json.Unmarshal(rc.body, &c); err != nil {
		return errResp(errInvalidJSON())
	}
	var fe formErrors
	validateCommands(&fe, []commandPayload{c}, false)
	if e := fe.err(); e != nil {
		return errResp(e)
	}
	cmd := s.newCommandLocked(scope, rc.body, c)
	for _, old := range s.commands[scope] {
		if old.cmd.ID == cmd.ID {
			old.cmd = *cmd
			return ok(200, wireCommand(cmd))
		}
	}
	s.commands[scope] = append(s.commands[scope], &commandState{cmd: *cmd})
	return ok(201, wireCommand(cmd))
}

func hDeleteCommand(s *Server, rc *reqCtx) *resp {
	scope, e := s.commandScope(rc)
	if e != nil {
		return errResp(e)
	}
	list := s.commands[scope]
	for i, c := range list {
		if c.cmd.ID == rc.params["command.id"] {
			s.commands[scope] = append(list[:i:i], list[i+1:]...)
			return noContent()
		}
	}
	return errResp(errUnknownCommand())
}

// ---- message encoding ----

// wireMessageLocked encodes a message as Discord's message object. strip
// blanks what the MESSAGE_CONTENT intent guards.
func (s *Server) wireMessageLocked(m *Message, strip bool) map[string]any {
	typ := 0
	if m.ReferenceID != "" {
		typ = 19
	}
	st := s.interactions[m.InteractionID]
	if m.Kind == KindOriginalResponse && st != nil && st.rec.Type == InteractionTypeApplicationCommand {
		typ = 20
	}
	content := m.Content
	embeds := make([]Embed, 0, len(m.Embeds))
	for _, e := range m.Embeds {
		if e.Type == "" {
			e.Type = "rich"
		}
		embeds = append(embeds, e)
	}
	comps := m.Components
	if comps == nil {
		comps = []Component{}
	}
	attachments := []map[string]any{}
	for _, a := range m.Attachments {
		attachments = append(attachments, map[string]any{
			"id": a.ID, "filename": a.Filename, "size": a.Size, "content_type": a.ContentType,
			"url":       "https://cdn.discordapp.com/attachments/" + m.ChannelID + "/" + a.ID + "/" + url.PathEscape(a.Filename),
			"proxy_url": "https://media.discordapp.net/attachments/" + m.ChannelID + "/" + a.ID + "/" + url.PathEscape(a.Filename),
		})
	}
	if strip {
		content, embeds, comps, attachments = "", []Embed{}, []Component{}, []map[string]any{}
	}
	mentions := []map[string]any{}
	var mentionRoles []string
	everyone := m.MentionEveryone
	if m.Kind == KindUserMessage {
		for _, u := range m.Mentions {
			mentions = append(mentions, wireUser(u))
		}
		mentionRoles = cloneStrings(m.MentionRoles)
	} else {
		for _, id := range m.Pings.Users {
			mentions = append(mentions, wireUser(s.userLocked(id)))
		}
		mentionRoles = cloneStrings(m.Pings.Roles)
		everyone = m.Pings.Everyone
	}
	if mentionRoles == nil {
		mentionRoles = []string{}
	}
	w := map[string]any{
		"id": m.ID, "channel_id": m.ChannelID, "type": typ, "author": wireUser(m.Author),
		"content": content, "timestamp": m.CreatedAt.UTC().Format(discordTime), "edited_timestamp": nil,
		"tts": false, "mention_everyone": everyone, "mentions": mentions, "mention_roles": mentionRoles,
		"attachments": attachments, "embeds": embeds, "components": comps, "pinned": false, "flags": m.Flags,
	}
	if !m.EditedAt.IsZero() {
		w["edited_timestamp"] = m.EditedAt.UTC().Format(discordTime)
	}
	if m.GuildID != "" {
		w["guild_id"] = m.GuildID
		if m.Kind == KindUserMessage && m.Member != nil {
			w["member"] = wireMember(m.Member, false)
		}
	}
	if m.ReferenceID != "" {
		ref := map[string]any{"type": 0, "message_id": m.ReferenceID, "channel_id": m.ChannelID}
		if m.GuildID != "" {
			ref["guild_id"] = m.GuildID
		}
		w["message_reference"] = ref
		if r := s.messages[m.ReferenceID]; r != nil && !r.Deleted && r.ID != m.ID {
			rw := s.wireMessageLocked(&Message{
				ID: r.ID, ChannelID: r.ChannelID, GuildID: r.GuildID, Kind: r.Kind, Author: r.Author,
				Content: r.Content, Embeds: r.Embeds, Components: r.Components, Flags: r.Flags,
				CreatedAt: r.CreatedAt, Mentions: r.Mentions, Pings: r.Pings,
			}, strip && s.contentRestrictedLocked(r))
			w["referenced_message"] = rw
		} else {
			w["referenced_message"] = nil
		}
	}
	if (m.Kind == KindOriginalResponse || m.Kind == KindFollowup) && st != nil {
		w["webhook_id"] = s.cfg.ApplicationID
		w["application_id"] = s.cfg.ApplicationID
		meta := map[string]any{"id": st.rec.ID, "type": st.rec.Type, "user": wireUser(st.invoker)}
		if st.rec.GuildID != "" {
			meta["authorizing_integration_owners"] = map[string]string{"0": st.rec.GuildID}
		} else {
			meta["authorizing_integration_owners"] = map[string]string{"1": st.invoker.ID}
		}
		legacy := map[string]any{"id": st.rec.ID, "type": st.rec.Type, "user": wireUser(st.invoker)}
		if st.rec.CommandName != "" {
			meta["name"] = st.rec.CommandName
			legacy["name"] = st.rec.CommandName
		}
		w["interaction_metadata"] = meta
		w["interaction"] = legacy
	}
	if t := s.threadByID[m.ThreadID]; t != nil && m.ThreadID != m.ChannelID {
		w["thread"] = s.wireThreadLocked(t)
	}
	return w
}
