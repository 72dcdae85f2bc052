package discordtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// Gateway close codes, with the reasons Discord sends.
var closeReasons = map[int]string{
	4000: "Unknown error.",
	4001: "Unknown opcode.",
	4002: "Decode error.",
	4003: "Not authenticated.",
	4004: "Authentication failed.",
	4005: "Already authenticated.",
	4007: "Invalid seq.",
	4008: "Rate limited.",
	4009: "Session timed out.",
	4010: "Invalid shard.",
	4011: "Sharding required.",
	4012: "Invalid API version.",
	4013: "Invalid intent(s).",
	4014: "Disallowed intent(s).",
}

// nonResumable are the close codes after which Discord will not accept a
// RESUME of the session.
var nonResumable = map[int]bool{4004: true, 4007: true, 4009: true, 4010: true, 4011: true, 4012: true, 4013: true, 4014: true}

// gwSession is a gateway session: it outlives connections so that a RESUME
// on a new connection can replay what the old one missed.
type gwSession struct {
	id      string
	intents int
	shard   *[2]int

	// sendMu serialises "assign seq + write" so frames leave in sequence
	// order and nothing interleaves with READY or a resume replay. Lock
	// order: sendMu, then Server.mu, then gwConn.writeMu.
	sendMu sync.Mutex

	// Guarded by Server.mu.
	seq   int64
	log   []gwEvent
	conn  *gwConn // live connection, nil while disconnected
	valid bool    // false once the session can no longer be resumed
}

type gwEvent struct {
	seq           int64
	typ           string
	data          json.RawMessage
	interactionID string
}

type gwConn struct {
	s       *Server
	ws      *websocket.Conn
	writeMu sync.Mutex

	// Guarded by Server.mu.
	rec  ConnectionRecord
	sess *gwSession
}

type outFrame struct {
	Op int     `json:"op"`
	D  any     `json:"d"`
	S  *int64  `json:"s"`
	T  *string `json:"t"`
}

func (c *gwConn) write(v any) error {
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	// A client that stops reading must not wedge the fake.
	_ = c.ws.SetWriteDeadline(time.Now().Add(5 * time.Second))
	return c.ws.WriteJSON(v)
}

func (c *gwConn) writeEvent(ev gwEvent) error {
	seq, typ := ev.seq, ev.typ
	c.s.logf("gateway -> %s seq=%d", typ, seq)
	return c.write(outFrame{Op: 0, D: ev.data, S: &seq, T: &typ})
}

// closeWith sends a close frame and drops the connection. It must not be
// called with Server.mu held.
func (c *gwConn) closeWith(code int, reason string) {
	c.s.mu.Lock()
	if c.rec.ServerCloseCode == 0 && c.rec.ClosedAt.IsZero() {
		c.rec.ServerCloseCode = code
	}
	c.s.mu.Unlock()
	c.s.logf("gateway -> close %d %s", code, reason)
	c.writeMu.Lock()
	_ = c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), time.Now().Add(time.Second))
	c.writeMu.Unlock()
	_ = c.ws.Close()
}

func (s *Server) serveGateway(w http.ResponseWriter, r *http.Request) {
	up := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	ws, err := up.Upgrade(w, r, nil)
	if err != nil {
		return // Upgrade has answered with an HTTP error
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		_ = ws.Close()
		return
	}
	c := &gwConn{s: s, ws: ws}
	c.rec = ConnectionRecord{ID: len(s.conns) + 1, Path: r.URL.Path, RawQuery: r.URL.RawQuery, OpenedAt: time.Now()}
	s.conns = append(s.conns, c)
	s.wg.Add(1)
	s.notifyLocked()
	s.mu.Unlock()
	defer s.wg.Done()
	c.run()
}

func (c *gwConn) run() {
	s := c.s
	defer c.finish()
	c.ws.SetReadLimit(4 << 20)
	hello := map[string]any{"heartbeat_interval": s.cfg.HeartbeatInterval.Milliseconds(), "_trace": []string{"discordtest"}}
	if err := c.write(outFrame{Op: 10, D: hello}); err != nil {
		return
	}
	for {
		_, data, err := c.ws.ReadMessage()
		if err != nil {
			var ce *websocket.CloseError
			if errors.As(err, &ce) {
				s.mu.Lock()
				c.rec.ClientCloseCode = ce.Code
				s.mu.Unlock()
				s.logf("gateway <- close %d", ce.Code)
			}
			return
		}
		var p struct {
			Op int             `json:"op"`
			D  json.RawMessage `json:"d"`
		}
		if err := json.Unmarshal(data, &p); err != nil {
			c.closeWith(4002, closeReasons[4002])
			return
		}
		s.logf("gateway <- op %d", p.Op)
		s.mu.Lock()
		authed := c.sess != nil && c.sess.conn == c
		s.mu.Unlock()
		switch p.Op {
		case 1:
			c.onHeartbeat(p.D)
		case 2:
			if !c.onIdentify(p.D) {
				return
			}
		case 6:
			if !c.onResume(p.D) {
				return
			}
		case 3, 4, 8: // presence update, voice state, request guild members: accepted, not modelled
			if !authed {
				c.closeWith(4003, closeReasons[4003])
				return
			}
		default:
			c.closeWith(4001, closeReasons[4001])
			return
		}
	}
}

func (c *gwConn) finish() {
	_ = c.ws.Close()
	s := c.s
	s.mu.Lock()
	defer s.mu.Unlock()
	c.rec.ClosedAt = time.Now()
	if sess := c.sess; sess != nil && sess.conn == c {
		sess.conn = nil
		// A client closing with 1000/1001 ends its session; any other
		// disconnect leaves it resumable, as on Discord.
		if cc := c.rec.ClientCloseCode; cc == websocket.CloseNormalClosure || cc == websocket.CloseGoingAway {
			sess.valid = false
		}
	}
	s.notifyLocked()
}

func (c *gwConn) onHeartbeat(d json.RawMessage) {
	var seq int64
	_ = json.Unmarshal(d, &seq) // null before the first dispatch
	s := c.s
	s.mu.Lock()
	s.heartbeats++
	c.rec.Heartbeats++
	c.rec.LastHeartbeatSeq = seq
	drop := s.dropHeartbeatAcks
	s.notifyLocked()
	s.mu.Unlock()
	if !drop {
		_ = c.write(outFrame{Op: 11})
	}
}

func (c *gwConn) onIdentify(d json.RawMessage) bool {
	s := c.s
	var id struct {
		Token      string         `json:"token"`
		Intents    *int           `json:"intents"`
		Shard      *[2]int        `json:"shard"`
		Compress   bool           `json:"compress"`
		Properties map[string]any `json:"properties"`
	}
	if err := json.Unmarshal(d, &id); err != nil {
		c.closeWith(4002, closeReasons[4002])
		return false
	}
	rec := IdentifyRecord{At: time.Now(), Token: id.Token, Shard: id.Shard, Compress: id.Compress, Properties: id.Properties}
	if id.Intents != nil {
		rec.Intents = *id.Intents
	}
	s.mu.Lock()
	already := c.sess != nil && c.sess.valid && c.sess.conn == c
	s.mu.Unlock()
	code := 0
	switch {
	case already:
		code = 4005
	case strings.TrimPrefix(id.Token, "Bot ") != s.cfg.Token:
		code = 4004
	case id.Intents == nil:
		code = 4013
	case *id.Intents&s.cfg.DisallowedIntents != 0:
		code = 4014
	case id.Shard != nil && (id.Shard[1] < 1 || id.Shard[0] < 0 || id.Shard[0] >= id.Shard[1]):
		code = 4010
	}
	if code != 0 {
		rec.CloseCode = code
		s.mu.Lock()
		s.identifies = append(s.identifies, rec)
		s.notifyLocked()
		s.mu.Unlock()
		c.closeWith(code, closeReasons[code])
		return false
	}

	sess := &gwSession{id: newSessionID(), intents: *id.Intents, shard: id.Shard, valid: true}
	sess.sendMu.Lock()
	defer sess.sendMu.Unlock()
	s.mu.Lock()
	if old := c.sess; old != nil && old.conn == c {
		old.conn = nil // re-identify after INVALID_SESSION on the same connection
	}
	// A disconnected session for the same shard would otherwise keep
	// collecting events forever; Discord times such sessions out.
	for _, other := range s.sessions {
		if other.valid && other.conn == nil && sameShard(other.shard, sess.shard) {
			other.valid = false
		}
	}
	sess.conn = c
	c.sess = sess
	c.rec.SessionID = sess.id
	s.sessions[sess.id] = sess
	rec.SessionID = sess.id
	s.identifies = append(s.identifies, rec)
	ready := s.readyPayloadLocked(sess)
	var guilds []map[string]any
	if sess.intents&IntentGuilds != 0 {
		for _, g := range s.cfg.Guilds {
			if shardOwns(sess.shard, g.ID) {
				guilds = append(guilds, s.guildPayloadLocked(g))
			}
		}
	}
	s.notifyLocked()
	s.mu.Unlock()

	s.sendHeld(sess, "READY", ready, "")
	for _, g := range guilds {
		s.sendHeld(sess, "GUILD_CREATE", g, "")
	}
	return true
}

func (c *gwConn) onResume(d json.RawMessage) bool {
	s := c.s
	var r struct {
		Token     string `json:"token"`
		SessionID string `json:"session_id"`
		Seq       int64  `json:"seq"`
	}
	if err := json.Unmarshal(d, &r); err != nil {
		c.closeWith(4002, closeReasons[4002])
		return false
	}
	rec := ResumeRecord{At: time.Now(), SessionID: r.SessionID, Seq: r.Seq}
	if strings.TrimPrefix(r.Token, "Bot ") != s.cfg.Token {
		s.mu.Lock()
		s.resumes = append(s.resumes, rec)
		s.notifyLocked()
		s.mu.Unlock()
		c.closeWith(4004, closeReasons[4004])
		return false
	}
	s.mu.Lock()
	sess := s.sessions[r.SessionID]
	s.mu.Unlock()
	if sess != nil {
		sess.sendMu.Lock()
		defer sess.sendMu.Unlock()
	}
	s.mu.Lock()
	if sess == nil || !sess.valid || r.Seq > sess.seq || r.Seq < 0 {
		s.resumes = append(s.resumes, rec)
		s.notifyLocked()
		s.mu.Unlock()
		// The client may IDENTIFY on this same connection (discordgo does).
		_ = c.write(outFrame{Op: 9, D: false})
		return true
	}
	old := sess.conn
	sess.conn = c
	c.sess = sess
	c.rec.SessionID = sess.id
	var missed []gwEvent
	for _, ev := range sess.log {
		if ev.seq > r.Seq {
			missed = append(missed, ev)
			if ev.interactionID != "" {
				s.markDispatchedLocked(ev.interactionID, ev.seq)
			}
		}
	}
	rec.Accepted = true
	rec.Replayed = len(missed)
	s.resumes = append(s.resumes, rec)
	s.notifyLocked()
	s.mu.Unlock()

	if old != nil && old != c {
		_ = old.ws.Close()
	}
	for _, ev := range missed {
		if err := c.writeEvent(ev); err != nil {
			_ = c.ws.Close()
			return false
		}
	}
	// RESUMED carries a sequence number: discordgo stores the seq of every
	// dispatch, and a null one would reset its counter to 0.
	s.sendHeld(sess, "RESUMED", map[string]any{"_trace": []string{"discordtest"}}, "")
	return true
}

// dispatch sends one event on a session, queueing it for replay if the
// session is between connections.
func (s *Server) dispatch(sess *gwSession, typ string, data any, interactionID string) {
	sess.sendMu.Lock()
	defer sess.sendMu.Unlock()
	s.sendHeld(sess, typ, data, interactionID)
}

// sendHeld is dispatch for callers already holding sess.sendMu.
func (s *Server) sendHeld(sess *gwSession, typ string, data any, interactionID string) {
	raw, ok := data.(json.RawMessage)
	if !ok {
		var err error
		if raw, err = json.Marshal(data); err != nil {
			panic(fmt.Sprintf("discordtest: encoding %s: %v", typ, err))
		}
	}
	s.mu.Lock()
	sess.seq++
	ev := gwEvent{seq: sess.seq, typ: typ, data: raw, interactionID: interactionID}
	sess.log = append(sess.log, ev)
	conn := sess.conn
	if conn != nil && interactionID != "" {
		// Marked before writing: the client may answer before WriteJSON
		// returns, and a callback must never see an undispatched interaction.
		s.markDispatchedLocked(interactionID, ev.seq)
	}
	s.notifyLocked()
	s.mu.Unlock()
	if conn != nil {
		if err := conn.writeEvent(ev); err != nil {
			_ = conn.ws.Close() // stays in the log; a RESUME replays it
		}
	}
}

func (s *Server) markDispatchedLocked(id string, seq int64) {
	st := s.interactions[id]
	if st != nil && st.rec.DispatchedAt.IsZero() {
		st.rec.DispatchedAt = time.Now()
		st.rec.Seq = seq
	}
}

// targetsLocked returns the sessions that should receive an event for
// guildID (or a DM when empty) given the intent it needs (0 for none).
func (s *Server) targetsLocked(guildID string, need int) []*gwSession {
	var out []*gwSession
	for _, sess := range s.sessions {
		if !sess.valid || (need != 0 && sess.intents&need == 0) || !shardOwns(sess.shard, guildID) {
			continue
		}
		out = append(out, sess)
	}
	return out
}

func (s *Server) validSessionsLocked() int {
	n := 0
	for _, sess := range s.sessions {
		if sess.valid {
			n++
		}
	}
	return n
}

// shardOwns applies Discord's shard formula, (guild_id >> 22) % num_shards;
// DMs go to shard 0.
func shardOwns(shard *[2]int, guildID string) bool {
	if shard == nil || shard[1] <= 1 {
		return true
	}
	id, err := strconv.ParseUint(guildID, 10, 64)
	if guildID == "" || err != nil {
		return shard[0] == 0
	}
	return int((id>>22)%uint64(shard[1])) == shard[0]
}

func sameShard(a, b *[2]int) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

func newSessionID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func (s *Server) readyPayloadLocked(sess *gwSession) map[string]any {
	user := wireUser(s.cfg.BotUser)
	user["verified"] = true
	user["mfa_enabled"] = false
	user["flags"] = 0
	user["email"] = nil
	guilds := []map[string]any{}
	for _, g := range s.cfg.Guilds {
		if shardOwns(sess.shard, g.ID) {
			guilds = append(guilds, map[string]any{"id": g.ID, "unavailable": true})
		}
	}
	r := map[string]any{
		"v":                  9,
		"user":               user,
		"guilds":             guilds,
		"session_id":         sess.id,
		"session_type":       "normal",
		"resume_gateway_url": s.GatewayURL(),
		"application":        map[string]any{"id": s.cfg.ApplicationID, "flags": 0},
		"private_channels":   []any{},
		"relationships":      []any{},
		"presences":          []any{},
		"_trace":             []string{"discordtest"},
	}
	if sess.shard != nil {
		r["shard"] = []int{sess.shard[0], sess.shard[1]}
	}
	return r
}

func (s *Server) guildPayloadLocked(g Guild) map[string]any {
	channels := []map[string]any{}
	for i, c := range g.Channels {
		ch := map[string]any{
			"id": c.ID, "name": c.Name, "type": c.Type, "position": i,
			"permission_overwrites": []any{}, "nsfw": false, "rate_limit_per_user": 0,
		}
		if c.ParentID != "" {
			ch["parent_id"] = c.ParentID
		}
		channels = append(channels, ch)
	}
	roles := []map[string]any{}
	for i, r := range g.Roles {
		pos := r.Position
		if pos == 0 {
			pos = i
		}
		roles = append(roles, map[string]any{
			"id": r.ID, "name": r.Name, "permissions": formatInt(r.Permissions), "position": pos,
			"color": 0, "hoist": false, "managed": false, "mentionable": false, "flags": 0,
		})
	}
	botMember := wireMember(&Member{User: s.cfg.BotUser}, true)
	delete(botMember, "permissions") // only interaction members carry permissions
	threads := []map[string]any{}
	for _, t := range s.threads {
		if t.GuildID == g.ID {
			threads = append(threads, s.wireThreadLocked(t))
		}
	}
	joinedAt := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Format(discordTime)
	return map[string]any{
		"id": g.ID, "name": g.Name, "icon": nil, "owner_id": g.OwnerID, "large": false, "unavailable": false,
		"joined_at": joinedAt, "member_count": 2,
		"channels": channels, "roles": roles, "members": []any{botMember}, "threads": threads,
		"presences": []any{}, "voice_states": []any{}, "emojis": []any{}, "stickers": []any{},
		"features": []any{}, "stage_instances": []any{}, "guild_scheduled_events": []any{},
		"preferred_locale": "en-US", "verification_level": 0, "premium_tier": 0, "nsfw_level": 0,
		"afk_timeout": 300, "default_message_notifications": 0, "explicit_content_filter": 0, "mfa_level": 0,
		"system_channel_id": nil, "afk_channel_id": nil, "application_id": nil,
	}
}

// ---- test controls ----

// liveConnsLocked returns connections that are still open.
func (s *Server) liveConnsLocked() []*gwConn {
	var out []*gwConn
	for _, c := range s.conns {
		if c.rec.ClosedAt.IsZero() {
			out = append(out, c)
		}
	}
	return out
}

// awaitFirstHeartbeat waits (bounded) until every identified connection has
// sent a heartbeat. discordgo v0.29.0 starts its heartbeat goroutine at the
// end of Open and that goroutine does not look at the connection's state
// before its first write: if the connection is torn down before then, the
// stale goroutine closes the *next* connection with 1000, ending the
// session. Discord never disrupts a connection milliseconds after READY, so
// the controls below wait for that first heartbeat instead of tripping it.
func (s *Server) awaitFirstHeartbeat(conns []*gwConn) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*s.cfg.HeartbeatInterval+time.Second)
	defer cancel()
	_ = s.Wait(ctx, func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		for _, c := range conns {
			if c.sess != nil && c.rec.ClosedAt.IsZero() && c.rec.Heartbeats == 0 {
				return false
			}
		}
		return true
	})
}

// Reconnect sends op 7 RECONNECT on every open connection, as Discord does
// before moving a session. A well-behaved client reconnects and RESUMEs.
func (s *Server) Reconnect() error {
	s.mu.Lock()
	conns := s.liveConnsLocked()
	s.mu.Unlock()
	if len(conns) == 0 {
		return ErrNotConnected
	}
	s.awaitFirstHeartbeat(conns)
	for _, c := range conns {
		_ = c.write(outFrame{Op: 7})
	}
	return nil
}

// CloseGateway closes every open connection with the given close code (for
// example 4014 "Disallowed intent(s)" or 4000 "Unknown error"). After a
// non-resumable code (4004, 4007, 4009-4014) the sessions are invalidated, so
// a RESUME gets op 9 INVALID_SESSION.
func (s *Server) CloseGateway(code int) error {
	s.mu.Lock()
	conns := s.liveConnsLocked()
	if nonResumable[code] {
		for _, c := range conns {
			if c.sess != nil {
				c.sess.valid = false
			}
		}
	}
	s.notifyLocked()
	s.mu.Unlock()
	if len(conns) == 0 {
		return ErrNotConnected
	}
	s.awaitFirstHeartbeat(conns)
	reason := closeReasons[code]
	if reason == "" {
		reason = "discordtest close"
	}
	for _, c := range conns {
		c.closeWith(code, reason)
	}
	return nil
}

// InvalidateSession sends op 9 INVALID_SESSION (not resumable) on every open
// connection; the client is expected to IDENTIFY again.
func (s *Server) InvalidateSession() error {
	s.mu.Lock()
	conns := s.liveConnsLocked()
	for _, c := range conns {
		if c.sess != nil {
			c.sess.valid = false
		}
	}
	s.notifyLocked()
	s.mu.Unlock()
	if len(conns) == 0 {
		return ErrNotConnected
	}
	for _, c := range conns {
		_ = c.write(outFrame{Op: 9, D: false})
	}
	return nil
}

// ErrFilteredByIntents is returned by SendMessage when sessions are
// connected but none identified with the intent the event needs
// (GUILD_MESSAGES or DIRECT_MESSAGES). The message is still stored.
var ErrFilteredByIntents = errors.New("discordtest: no session has the intent for this event")

// SendInteraction dispatches INTERACTION_CREATE. Empty fields of in are
// filled (token, application, guild, channel, invoking member, command ID)
// and written back into in. It returns once the event is written to the
// session's connection (or queued for replay if the session is between
// connections), which starts the acknowledgement clock.
func (s *Server) SendInteraction(in *Interaction) error {
	if in == nil {
		return errors.New("discordtest: nil interaction")
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return errors.New("discordtest: server closed")
	}
	if in.ID == "" {
		in.ID = newID()
	}
	if _, dup := s.interactions[in.ID]; dup {
		s.mu.Unlock()
		return fmt.Errorf("discordtest: interaction %s already sent", in.ID)
	}
	s.fillInteractionLocked(in)
	targets := s.targetsLocked(in.GuildID, 0)
	if len(targets) == 0 {
		s.mu.Unlock()
		return ErrNotConnected
	}
	st := &interactionState{rec: InteractionRecord{
		ID: in.ID, Token: in.Token, AppID: in.AppID, Type: in.Type, GuildID: in.GuildID,
		ChannelID: in.ChannelID, CommandName: in.CommandName, CustomID: in.CustomID, SentAt: time.Now(),
	}}
	if in.Member != nil {
		st.invoker = in.Member.User
	} else if in.User != nil {
		st.invoker = *in.User
	}
	st.rec.UserID = st.invoker.ID
	if in.Type == InteractionTypeMessageComponent {
		st.componentMessageID = s.componentHostLocked(in).ID
	}
	raw, err := json.Marshal(s.interactionPayloadLocked(in, st))
	if err != nil {
		s.mu.Unlock()
		return fmt.Errorf("discordtest: encoding interaction: %w", err)
	}
	st.rec.Payload = raw
	s.interactions[in.ID] = st
	s.interactionOrder = append(s.interactionOrder, in.ID)
	s.byToken[in.Token] = st
	s.notifyLocked()
	s.mu.Unlock()

	for _, sess := range targets {
		s.dispatch(sess, "INTERACTION_CREATE", json.RawMessage(raw), in.ID)
	}
	return nil
}

func (s *Server) defaultGuildLocked() (guildID, channelID string) {
	if len(s.cfg.Guilds) == 0 {
		return "", ""
	}
	g := s.cfg.Guilds[0]
	for _, c := range g.Channels {
		if c.Type == 0 || c.Type == 5 {
			return g.ID, c.ID
		}
	}
	return g.ID, DefaultChannelID
}

func (s *Server) defaultChannelOfLocked(guildID string) string {
	for _, g := range s.cfg.Guilds {
		if g.ID == guildID {
			for _, c := range g.Channels {
				if c.Type == 0 || c.Type == 5 {
					return c.ID
				}
			}
		}
	}
	return newID()
}

func (s *Server) dmChannelLocked(userID string) string {
	ch, ok := s.dmChannels[userID]
	if !ok {
		ch = newID()
		s.dmChannels[userID] = ch
	}
	return ch
}

func (s *Server) fillInteractionLocked(in *Interaction) {
	if in.AppID == "" {
		in.AppID = s.cfg.ApplicationID
	}
	if in.Token == "" {
		in.Token = newInteractionToken(in.ID)
	}
	if in.Locale == "" {
		in.Locale = "en-US"
	}
	if in.AppPermissions == 0 {
		in.AppPermissions = botPermissions
	}
	if in.dm {
		if in.User == nil {
			u := DefaultUser
			in.User = &u
		}
		in.GuildID, in.Member = "", nil
		if in.ChannelID == "" {
			in.ChannelID = s.dmChannelLocked(in.User.ID)
		}
	} else {
		if in.GuildID == "" {
			if g := s.channelGuild[in.ChannelID]; in.ChannelID != "" && g != "" {
				in.GuildID = g
			} else {
				in.GuildID, _ = s.defaultGuildLocked()
			}
		}
		if in.ChannelID == "" {
			in.ChannelID = s.defaultChannelOfLocked(in.GuildID)
		}
		if in.Member == nil {
			u := DefaultUser
			if in.User != nil {
				u = *in.User
			}
			in.Member = NewMember(u)
		}
		in.User = nil
	}
	if in.Type == InteractionTypeApplicationCommand || in.Type == InteractionTypeAutocomplete {
		if in.CommandType == 0 {
			in.CommandType = 1
		}
		if in.CommandID == "" {
			in.CommandID = s.commandIDLocked(in.GuildID, in.CommandName, in.CommandType)
		}
	}
	if in.Type == InteractionTypeMessageComponent && in.ComponentType == 0 {
		in.ComponentType = 2
	}
}

// botPermissions is what the bot may do in the interaction's channel:
// enough for replies, embeds, files, history and threads.
const botPermissions int64 = 1<<6 | 1<<10 | 1<<11 | 1<<14 | 1<<15 | 1<<16 | 1<<18 | 1<<31 | 1<<34 | 1<<35 | 1<<36 | 1<<38

func (s *Server) commandIDLocked(guildID, name string, typ int) string {
	for _, scope := range []string{guildID, ""} {
		for _, c := range s.commands[scope] {
			if c.cmd.Name == name && c.cmd.Type == typ {
				return c.cmd.ID
			}
		}
	}
	return newID()
}

// componentHostLocked finds (or creates) the message a clicked component
// lives on, so that deferred updates and type 7 callbacks have a target.
func (s *Server) componentHostLocked(in *Interaction) *Message {
	if in.Message != nil {
		if m := s.messages[in.Message.ID]; m != nil {
			return m
		}
		m := in.Message.clone()
		if m.ID == "" {
			m.ID = newID()
		}
		if m.ChannelID == "" {
			m.ChannelID = in.ChannelID
		}
		if m.Author.ID == "" {
			m.Author = s.cfg.BotUser
		}
		if m.CreatedAt.IsZero() {
			m.CreatedAt = time.Now()
		}
		m.Kind = KindComponentHost
		s.storeMessageLocked(m)
		return m
	}
	ids := s.channelMsgs[in.ChannelID]
	for i := len(ids) - 1; i >= 0; i-- {
		if m := s.messages[ids[i]]; !m.Deleted && m.FindComponent(in.CustomID) != nil {
			return m
		}
	}
	comp := Component{Type: 2, Style: 1, Label: in.CustomID, CustomID: in.CustomID}
	if in.ComponentType == 3 {
		var opts []SelectOption
		for _, v := range in.Values {
			opts = append(opts, SelectOption{Label: v, Value: v})
		}
		comp = Component{Type: 3, CustomID: in.CustomID, Options: opts}
	}
	m := &Message{
		ID: newID(), ChannelID: in.ChannelID, GuildID: in.GuildID, Kind: KindComponentHost,
		Author: s.cfg.BotUser, Content: "", CreatedAt: time.Now(),
		Components: []Component{{Type: 1, Components: []Component{comp}}},
	}
	s.storeMessageLocked(m)
	return m
}

func (s *Server) storeMessageLocked(m *Message) {
	if m.GuildID == "" {
		m.GuildID = s.channelGuild[m.ChannelID]
	}
	s.messages[m.ID] = m
	s.channelMsgs[m.ChannelID] = append(s.channelMsgs[m.ChannelID], m.ID)
}

func (s *Server) channelTypeLocked(channelID string) int {
	if t := s.threadByID[channelID]; t != nil {
		return t.Type
	}
	for _, g := range s.cfg.Guilds {
		for _, c := range g.Channels {
			if c.ID == channelID {
				return c.Type
			}
		}
	}
	for _, ch := range s.dmChannels {
		if ch == channelID {
			return 1
		}
	}
	return 0
}

func (s *Server) interactionPayloadLocked(in *Interaction, st *interactionState) map[string]any {
	channel := map[string]any{"id": in.ChannelID, "type": s.channelTypeLocked(in.ChannelID)}
	p := map[string]any{
		"id": in.ID, "application_id": in.AppID, "type": in.Type, "token": in.Token, "version": 1,
		"channel_id": in.ChannelID, "channel": channel, "locale": in.Locale,
		"app_permissions": formatInt(in.AppPermissions), "entitlements": []any{},
	}
	if in.GuildID != "" {
		channel["guild_id"] = in.GuildID
		p["guild_id"] = in.GuildID
		p["guild_locale"] = "en-US"
		p["member"] = wireMember(in.Member, true)
		p["context"] = 0
		p["authorizing_integration_owners"] = map[string]string{"0": in.GuildID}
	} else {
		p["user"] = wireUser(*in.User)
		p["context"] = 1
		p["authorizing_integration_owners"] = map[string]string{"1": in.User.ID}
	}
	switch in.Type {
	case InteractionTypeApplicationCommand, InteractionTypeAutocomplete:
		users := map[string]any{}
		data := map[string]any{"id": in.CommandID, "name": in.CommandName, "type": in.CommandType}
		if len(in.Options) > 0 {
			data["options"] = wireOptions(in.Options, users)
		}
		if len(users) > 0 {
			data["resolved"] = map[string]any{"users": users}
		}
		if in.TargetID != "" {
			data["target_id"] = in.TargetID
		}
		if in.GuildID != "" && len(s.commands[in.GuildID]) > 0 {
			for _, c := range s.commands[in.GuildID] {
				if c.cmd.ID == in.CommandID {
					data["guild_id"] = in.GuildID
				}
			}
		}
		p["data"] = data
	case InteractionTypeMessageComponent:
		data := map[string]any{"custom_id": in.CustomID, "component_type": in.ComponentType}
		if in.ComponentType != 2 {
			values := in.Values
			if values == nil {
				values = []string{}
			}
			data["values"] = values
		}
		p["data"] = data
		p["message"] = s.wireMessageLocked(s.messages[st.componentMessageID], false)
	case InteractionTypeModalSubmit:
		rows := []map[string]any{}
		for _, k := range sortedKeys(in.ModalFields) {
			rows = append(rows, map[string]any{"type": 1, "components": []map[string]any{
				{"type": 4, "custom_id": k, "value": in.ModalFields[k]},
			}})
		}
		p["data"] = map[string]any{"custom_id": in.CustomID, "components": rows}
	}
	return p
}

// SendMessage stores a user's message in its channel's history and
// dispatches MESSAGE_CREATE to sessions with the GUILD_MESSAGES (or
// DIRECT_MESSAGES) intent. Sessions without MESSAGE_CONTENT get the content,
// embeds and attachments blanked unless the message mentions the bot or is
// a DM, exactly as Discord does. The message ID is in.ID.
func (s *Server) SendMessage(in *IncomingMessage) error {
	if in == nil {
		return errors.New("discordtest: nil message")
	}
	s.mu.Lock()
	if s.validSessionsLocked() == 0 {
		s.mu.Unlock()
		return ErrNotConnected
	}
	m := s.addIncomingLocked(in)
	need := IntentGuildMessages
	if m.GuildID == "" {
		need = IntentDirectMessages
	}
	targets := s.targetsLocked(m.GuildID, need)
	type out struct {
		sess *gwSession
		raw  json.RawMessage
	}
	var outs []out
	for _, sess := range targets {
		strip := sess.intents&IntentMessageContent == 0 && s.contentRestrictedLocked(m)
		raw, err := json.Marshal(s.wireMessageLocked(m, strip))
		if err != nil {
			s.mu.Unlock()
			return err
		}
		outs = append(outs, out{sess, raw})
	}
	s.mu.Unlock()
	if len(outs) == 0 {
		return ErrFilteredByIntents
	}
	for _, o := range outs {
		s.dispatch(o.sess, "MESSAGE_CREATE", o.raw, "")
	}
	return nil
}

// AddMessage stores a user's message in channel history without
// dispatching it, to seed what GET /channels/{id}/messages returns.
func (s *Server) AddMessage(in *IncomingMessage) *Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addIncomingLocked(in).clone()
}

func (s *Server) addIncomingLocked(in *IncomingMessage) *Message {
	if in.ID == "" {
		in.ID = newID()
	}
	if in.Author.ID == "" {
		in.Author = DefaultUser
	}
	if in.dm {
		in.GuildID = ""
		if in.ChannelID == "" {
			in.ChannelID = s.dmChannelLocked(in.Author.ID)
		}
	} else {
		if in.GuildID == "" {
			if g := s.channelGuild[in.ChannelID]; in.ChannelID != "" && g != "" {
				in.GuildID = g
			} else if in.ChannelID == "" {
				in.GuildID, in.ChannelID = s.defaultGuildLocked()
			}
		}
		if in.ChannelID == "" {
			in.ChannelID = s.defaultChannelOfLocked(in.GuildID)
		}
		if in.Member == nil && in.GuildID != "" {
			in.Member = NewMember(in.Author)
		}
	}
	if in.MentionBot && !strings.Contains(in.Content, "<@"+s.cfg.BotUser.ID+">") && !strings.Contains(in.Content, "<@!"+s.cfg.BotUser.ID+">") {
		in.Content = s.BotMention() + " " + in.Content
	}
	if in.CreatedAt.IsZero() {
		in.CreatedAt = time.Now()
	}
	users, roles, everyone := mentionsIn(in.Content)
	m := &Message{
		ID: in.ID, ChannelID: in.ChannelID, GuildID: in.GuildID, Kind: KindUserMessage,
		Author: in.Author, Member: in.Member.clone(), Content: in.Content, Embeds: cloneEmbeds(in.Embeds),
		ReferenceID: in.ReferenceID, CreatedAt: in.CreatedAt, MentionEveryone: everyone,
		MentionRoles: cloneStrings(in.MentionRoles),
	}
	for _, r := range roles {
		if !contains(m.MentionRoles, r) {
			m.MentionRoles = append(m.MentionRoles, r)
		}
	}
	seen := map[string]bool{}
	for _, u := range in.Mentions {
		if !seen[u.ID] {
			seen[u.ID] = true
			m.Mentions = append(m.Mentions, u)
		}
	}
	for _, id := range users {
		if !seen[id] {
			seen[id] = true
			m.Mentions = append(m.Mentions, s.userLocked(id))
		}
	}
	s.storeMessageLocked(m)
	s.notifyLocked()
	return m
}

// userLocked resolves a user ID to the best user object the fake knows.
func (s *Server) userLocked(id string) User {
	if id == s.cfg.BotUser.ID {
		return s.cfg.BotUser
	}
	if id == DefaultUser.ID {
		return DefaultUser
	}
	return User{ID: id, Username: "user-" + id}
}

// contentRestrictedLocked reports whether Discord hides m's content from an
// app without the MESSAGE_CONTENT intent: guild messages by others that do
// not mention the app.
func (s *Server) contentRestrictedLocked(m *Message) bool {
	if m.GuildID == "" || m.Author.ID == s.cfg.BotUser.ID {
		return false
	}
	for _, u := range m.Mentions {
		if u.ID == s.cfg.BotUser.ID {
			return false
		}
	}
	return true
}

// SendDispatch sends an arbitrary dispatch event to every session, for
// events the fake has no helper for. data is JSON-encoded as is.
func (s *Server) SendDispatch(eventType string, data any) error {
	s.mu.Lock()
	// No shard routing: the caller knows what they are sending.
	var targets []*gwSession
	for _, sess := range s.sessions {
		if sess.valid {
			targets = append(targets, sess)
		}
	}
	s.mu.Unlock()
	if len(targets) == 0 {
		return ErrNotConnected
	}
	raw, err := json.Marshal(data)
	if err != nil {
		return err
	}
	for _, sess := range targets {
		s.dispatch(sess, eventType, json.RawMessage(raw), "")
	}
	return nil
}

// ExpireToken makes an interaction's token invalid now, as if 15 minutes
// had passed: callbacks fail with 10062, webhook calls with 50027.
func (s *Server) ExpireToken(interactionID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.interactions[interactionID]
	if st == nil {
		return fmt.Errorf("discordtest: unknown interaction %s", interactionID)
	}
	st.expired = true
	s.notifyLocked()
	return nil
}

// DeleteOriginal deletes an interaction's @original message as a moderator
// (or the user dismissing an ephemeral) would, so later edits get 10008.
func (s *Server) DeleteOriginal(interactionID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.interactions[interactionID]
	if st == nil {
		return fmt.Errorf("discordtest: unknown interaction %s", interactionID)
	}
	m := s.messages[st.originalID]
	if m == nil || m.Deleted {
		return fmt.Errorf("discordtest: interaction %s has no @original", interactionID)
	}
	m.Deleted = true
	st.rec.OriginalDeleted = true
	s.notifyLocked()
	return nil
}
