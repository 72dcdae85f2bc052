// Package discordtest runs a fake Discord — gateway websocket plus the REST
// routes a slash-command bot uses — on a loopback port, so that end-to-end
// tests can drive the real github.com/bwmarrin/discordgo client against it.
//
// # Wiring a session
//
//	srv := discordtest.New(t, discordtest.Config{})
//	s, _ := discordgo.New("Bot " + discordtest.DefaultToken)
//	srv.ConfigureSession(s) // or: s.Client = &http.Client{Transport: srv.Transport()}
//	s.ShouldReconnectOnError = true
//	s.AddHandler(func(s *discordgo.Session, ic *discordgo.InteractionCreate) { ... })
//	if err := s.Open(); err != nil { t.Fatal(err) }
//	defer s.Close() // close the session before the server (New registers srv.Close with t.Cleanup)
//
// discordgo builds every REST URL from https://discord.com/api/v9/...; the
// transport returned by [Server.Transport] rewrites those requests to the fake
// and refuses every other host, so a test can never reach the real Discord.
// The gateway URL comes from the fake's GET /gateway, so the websocket dials
// the fake directly.
//
// # Driving and observing
//
// Events are pushed with [Server.SendInteraction], [Server.SendMessage] and
// [Server.SendDispatch], built with the helpers in builders.go
// ([SlashCommand], [ButtonClick], [UserMessage], ...). Everything the bot does
// is recorded and can be read back as snapshots: [Server.Interaction],
// [Server.ChannelMessages], [Server.Threads], [Server.Commands], [Server.Calls],
// [Server.Writes]. [Server.Wait] and [Server.WaitInteraction] block until a
// condition holds, which is how tests should synchronise with the bot's
// goroutines rather than sleeping.
//
// # Discord's rules
//
// The fake enforces the rules that bite bots in production and answers with
// Discord's own error codes: the 3 s acknowledgement window (10062), double
// acknowledgement (40060), message and embed limits (50035), editing
// @original before acknowledging (10008), the 15 minute interaction token
// lifetime (50027), and rate limits on demand ([Server.RateLimitNext]).
// Faults are injected on demand too: an error status on the next requests
// of a route ([Server.FailNext]: a 500 on the interaction callback or on
// PATCH …/messages/@original), or a connection closed before any answer
// ([Server.DisconnectNext]). Timings are configurable through [Config] so
// tests stay fast.
//
// All methods are safe for concurrent use.
package discordtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
)

// Identities the fake uses when Config leaves them empty. They are valid
// snowflakes because bots (and discordgo) parse IDs as integers.
const (
	DefaultToken         = "test-token"
	DefaultApplicationID = "1100000000000000001"
	DefaultGuildID       = "1200000000000000001"
	DefaultChannelID     = "1300000000000000001"
	DefaultUserID        = "1400000000000000001"
	DefaultBotUsername   = "incidentbot"
)

// Config tunes the fake. The zero value is a working Discord with one guild
// and one text channel.
type Config struct {
	// Token is the bot token without the "Bot " prefix. REST calls must send
	// "Authorization: Bot <Token>" and IDENTIFY must carry it; anything else is
	// answered the way Discord does (401, close code 4004).
	Token string
	// ApplicationID is the application the interactions belong to.
	ApplicationID string
	// BotUser is the bot's own user. Its ID defaults to ApplicationID, as it
	// is for every bot created after 2020.
	BotUser User
	// Guilds are announced in READY (as unavailable) and then sent as
	// GUILD_CREATE to sessions with the GUILDS intent. Defaults to one guild
	// DefaultGuildID with text channel DefaultChannelID.
	Guilds []Guild
	// HeartbeatInterval is sent in HELLO. discordgo reconnects when no ACK
	// arrives for 5 intervals. Default 2s. Keep it above 1s: discordgo sleeps
	// 1s inside CloseWithCode while handling op 7, and a heartbeat tick
	// inside that second can make its heartbeat goroutine close the freshly
	// resumed connection with 1000, which ends the session (a real
	// discordgo v0.29.0 race this fake reproduces faithfully).
	HeartbeatInterval time.Duration
	// AckDeadline is how long after dispatch an interaction may still be
	// acknowledged. Default 3s, Discord's value.
	AckDeadline time.Duration
	// TokenTTL is how long the interaction token is valid for @original edits
	// and followups. Default 15m, Discord's value.
	TokenTTL time.Duration
	// DisallowedIntents are the privileged intents the application has not
	// been granted in the developer portal. An IDENTIFY asking for any of
	// them is closed with 4014, and when IntentMessageContent is among them
	// REST reads return messages with their content blanked, as Discord does.
	DisallowedIntents int
	// DisableEcho stops the fake from sending MESSAGE_CREATE/MESSAGE_UPDATE
	// for the bot's own messages. Discord does echo them, and bots must
	// ignore their own messages, so leave it off unless a test needs quiet.
	DisableEcho bool
	// Logf, when set, receives one line per gateway frame and REST call.
	// t.Logf is a good choice while debugging a test.
	Logf func(format string, args ...any)
}

// Guild is a guild the fake announces.
type Guild struct {
	ID       string
	Name     string
	OwnerID  string
	Channels []Channel
	Roles    []Role
}

// Channel is a guild channel. Type follows Discord (0 text, 2 voice, 4
// category, 5 announcement, 15 forum).
type Channel struct {
	ID       string
	Name     string
	Type     int
	ParentID string
}

// Role is a guild role.
type Role struct {
	ID          string
	Name        string
	Permissions int64
	Position    int
}

func (c Config) withDefaults() Config {
	if c.Token == "" {
		c.Token = DefaultToken
	}
	c.Token = strings.TrimPrefix(c.Token, "Bot ")
	if c.ApplicationID == "" {
		c.ApplicationID = DefaultApplicationID
	}
	if c.BotUser.ID == "" {
		c.BotUser.ID = c.ApplicationID
	}
	if c.BotUser.Username == "" {
		c.BotUser.Username = DefaultBotUsername
	}
	c.BotUser.Bot = true
	if c.Guilds == nil {
		c.Guilds = []Guild{{
			ID:       DefaultGuildID,
			Name:     "Test Guild",
			Channels: []Channel{{ID: DefaultChannelID, Name: "general", Type: 0}},
		}}
	}
	for i := range c.Guilds {
		g := &c.Guilds[i]
		if g.Name == "" {
			g.Name = "guild-" + g.ID
		}
		if g.OwnerID == "" {
			g.OwnerID = DefaultUserID
		}
		// Every guild has an @everyone role whose ID is the guild ID.
		hasEveryone := false
		for _, r := range g.Roles {
			if r.ID == g.ID {
				hasEveryone = true
			}
		}
		if !hasEveryone {
			g.Roles = append([]Role{{ID: g.ID, Name: "@everyone", Permissions: DefaultMemberPermissions}}, g.Roles...)
		}
	}
	if c.HeartbeatInterval <= 0 {
		c.HeartbeatInterval = 2 * time.Second
	}
	if c.AckDeadline <= 0 {
		c.AckDeadline = 3 * time.Second
	}
	if c.TokenTTL <= 0 {
		c.TokenTTL = 15 * time.Minute
	}
	return c
}

// Server is a running fake Discord. Create it with New.
type Server struct {
	cfg       Config
	hs        *httptest.Server
	host      string // 127.0.0.1:port
	transport *http.Transport

	mu      sync.Mutex
	changed chan struct{} // closed and replaced on every recorded change
	closed  bool

	ackDeadline       time.Duration
	tokenTTL          time.Duration
	dropHeartbeatAcks bool

	calls            []*Call
	interactions     map[string]*interactionState
	interactionOrder []string
	byToken          map[string]*interactionState
	messages         map[string]*Message
	channelMsgs      map[string][]string // channel ID -> message IDs in creation order
	channelGuild     map[string]string   // known channel (and thread) -> guild
	dmChannels       map[string]string   // user ID -> DM channel ID
	threads          []*Thread
	threadByID       map[string]*Thread
	commands         map[string][]*commandState // "" for global, else guild ID
	writes           []*MessageWrite
	rateRules        []*rateRule
	failRules        []*failRule

	sessions   map[string]*gwSession
	conns      []*gwConn
	identifies []IdentifyRecord
	resumes    []ResumeRecord
	heartbeats int

	wg sync.WaitGroup // gateway connection goroutines
}

// New starts a fake Discord on 127.0.0.1 and registers Close with
// tb.Cleanup. Sessions must be closed before the server: a discordgo session
// whose gateway vanishes starts reconnecting in the background forever.
func New(tb testing.TB, cfg Config) *Server {
	tb.Helper()
	s := &Server{
		cfg:          cfg.withDefaults(),
		changed:      make(chan struct{}),
		interactions: map[string]*interactionState{},
		byToken:      map[string]*interactionState{},
		messages:     map[string]*Message{},
		channelMsgs:  map[string][]string{},
		channelGuild: map[string]string{},
		dmChannels:   map[string]string{},
		threadByID:   map[string]*Thread{},
		commands:     map[string][]*commandState{},
		sessions:     map[string]*gwSession{},
	}
	s.ackDeadline = s.cfg.AckDeadline
	s.tokenTTL = s.cfg.TokenTTL
	for _, g := range s.cfg.Guilds {
		for _, c := range g.Channels {
			s.channelGuild[c.ID] = g.ID
		}
	}
	// httptest listens on 127.0.0.1:0 (or [::1] without IPv4): loopback only.
	s.hs = httptest.NewUnstartedServer(http.HandlerFunc(s.serveHTTP))
	s.hs.Start()
	s.host = s.hs.Listener.Addr().String()
	// A private transport so idle connections die with the server instead of
	// lingering in http.DefaultTransport across tests.
	s.transport = &http.Transport{
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		MaxIdleConnsPerHost: 16,
		IdleConnTimeout:     30 * time.Second,
	}
	tb.Cleanup(s.Close)
	return s
}

// Close closes every gateway connection and stops the server. It is
// idempotent and registered with t.Cleanup by New.
func (s *Server) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	conns := append([]*gwConn(nil), s.conns...)
	s.notifyLocked()
	s.mu.Unlock()
	for _, c := range conns {
		c.closeWith(1001, "server shutting down")
	}
	s.hs.Close()
	s.wg.Wait()
	s.transport.CloseIdleConnections()
}

// URL is the fake's base URL, http://127.0.0.1:port.
func (s *Server) URL() string { return "http://" + s.host }

// APIBase is the REST base a bot with a configurable endpoint should use:
// http://127.0.0.1:port/api/v9.
func (s *Server) APIBase() string { return s.URL() + "/api/v" + discordgo.APIVersion }

// GatewayURL is the websocket URL handed out by GET /gateway.
func (s *Server) GatewayURL() string { return "ws://" + s.host + "/gateway" }

// Token is the bot token (without "Bot ") the fake accepts.
func (s *Server) Token() string { return s.cfg.Token }

// ApplicationID is the application interactions are sent for.
func (s *Server) ApplicationID() string { return s.cfg.ApplicationID }

// BotUser is the bot's own user as sent in READY.
func (s *Server) BotUser() User { return s.cfg.BotUser }

// BotMention is the mention markup for the bot, "<@id>".
func (s *Server) BotMention() string { return "<@" + s.cfg.BotUser.ID + ">" }

// Transport returns a RoundTripper that sends requests for discord.com (and
// its subdomains, and discordapp.com) to the fake, keeping method, path and
// query, and passes requests already addressed to the fake through. Any
// other host is refused with an error, so a misconfigured test fails instead
// of reaching the internet.
func (s *Server) Transport() http.RoundTripper { return rewriteTransport{s} }

// HTTPClient is an *http.Client using Transport, with a timeout so a stuck
// handler fails a test instead of hanging it.
func (s *Server) HTTPClient() *http.Client {
	return &http.Client{Transport: s.Transport(), Timeout: 20 * time.Second}
}

// ConfigureSession points an unopened discordgo session at the fake. It only
// replaces s.Client; intents, handlers and ShouldReconnectOnError stay the
// caller's business.
func (s *Server) ConfigureSession(sess *discordgo.Session) {
	sess.Client = s.HTTPClient()
}

type rewriteTransport struct{ s *Server }

func (t rewriteTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	host := strings.ToLower(req.URL.Hostname())
	switch {
	case req.URL.Host == t.s.host:
	case host == "discord.com" || strings.HasSuffix(host, ".discord.com") ||
		host == "discordapp.com" || strings.HasSuffix(host, ".discordapp.com"):
	default:
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, fmt.Errorf("discordtest: refusing to send %s %s: only discord.com and the fake at %s are reachable in tests", req.Method, req.URL.Redacted(), t.s.host)
	}
	r2 := req.Clone(req.Context())
	r2.URL.Scheme = "http"
	r2.URL.Host = t.s.host
	r2.Host = ""
	return t.s.transport.RoundTrip(r2)
}

// SetAckDeadline changes the acknowledgement window for interactions
// dispatched from now on and those still pending.
func (s *Server) SetAckDeadline(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ackDeadline = d
}

// SetTokenTTL changes how long interaction tokens stay valid.
func (s *Server) SetTokenTTL(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokenTTL = d
}

// DropHeartbeatAcks makes the gateway stop (or resume) answering heartbeats,
// which is how a zombied connection looks to the client.
func (s *Server) DropHeartbeatAcks(drop bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dropHeartbeatAcks = drop
}

// Wait blocks until cond returns true or ctx ends. cond is evaluated after
// every recorded change (and at least every 50ms, for conditions that depend
// on the clock); it may call any Server method.
func (s *Server) Wait(ctx context.Context, cond func() bool) error {
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		s.mu.Lock()
		ch := s.changed
		s.mu.Unlock()
		if cond() {
			return nil
		}
		select {
		case <-ch:
		case <-tick.C:
		case <-ctx.Done():
			return fmt.Errorf("discordtest: wait: %w", ctx.Err())
		}
	}
}

// notifyLocked wakes every Wait. s.mu must be held.
func (s *Server) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

func (s *Server) logf(format string, args ...any) {
	if s.cfg.Logf != nil {
		s.cfg.Logf("discordtest: "+format, args...)
	}
}

// ErrNotConnected is returned when an event is sent while no gateway session
// that should receive it is identified.
var ErrNotConnected = errors.New("discordtest: no identified gateway session to deliver to")

// RESTErrorCode extracts Discord's JSON error code from an error returned by
// a discordgo REST call. ok is false when err is not a *discordgo.RESTError
// carrying a JSON body (for example a rate limit or transport error).
func RESTErrorCode(err error) (code int, ok bool) {
	var re *discordgo.RESTError
	if !errors.As(err, &re) || re.Message == nil {
		return 0, false
	}
	return re.Message.Code, true
}

// IsRESTError reports whether err is a discordgo REST error with the given
// Discord error code.
func IsRESTError(err error, code int) bool {
	c, ok := RESTErrorCode(err)
	return ok && c == code
}

const discordEpochMS = 1420070400000

var lastSnowflake atomic.Uint64

// newID returns a snowflake that is unique in the process and increases with
// time, so that ordering by ID equals ordering by creation, as on Discord.
func newID() string {
	for {
		old := lastSnowflake.Load()
		n := uint64(time.Now().UnixMilli()-discordEpochMS) << 22
		if n <= old {
			n = old + 1
		}
		if lastSnowflake.CompareAndSwap(old, n) {
			return strconv.FormatUint(n, 10)
		}
	}
}

var tokenCounter atomic.Uint64

func newInteractionToken(id string) string {
	return fmt.Sprintf("aW50ZXJhY3Rpb246%s-%x-fake", id, tokenCounter.Add(1))
}
