package bot

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"

	"github.com/incidentbot/incidentbot/config"
)

// discord owns the discordgo session: connecting, reconnecting, turning
// gateway events into Events.
type discord struct {
	b *Bot
	s *discordgo.Session

	connected    atomic.Bool
	closing      atomic.Bool
	disconnected chan struct{} // signalled by DISCONNECT; buffered, coalescing
	resumeNow    atomic.Bool   // the next reconnect is a zombie's: no pause

	chMu    sync.Mutex
	chCache map[string]*discordgo.Channel // channels looked up over REST; nil = unknown
}

func newDiscord(b *Bot) (*discord, error) {
	cfg := b.opts.Config
	client, err := restClient(cfg.APIBase, b.opts.HTTPClient)
	if err != nil {
		return nil, err
	}
	token := b.opts.Token
	if !strings.HasPrefix(token, "Bot ") {
		token = "Bot " + token
	}
	s, err := discordgo.New(token)
	if err != nil {
		return nil, fmt.Errorf("bot: creating the Discord session: %w", err)
	}
	s.Client = client
	// Reconnects are ours (serve): discordgo's loop retries forever, even
	// after close codes that can never succeed, and cannot be stopped.
	s.ShouldReconnectOnError = false
	s.ShouldRetryOnRateLimit = true
	s.MaxRestRetries = 3
	s.Identify.Intents = intents(cfg)
	s.ShardID, s.ShardCount = cfg.ShardID, cfg.ShardCount
	s.LogLevel = discordgo.LogError

	d := &discord{b: b, s: s, disconnected: make(chan struct{}, 1), chCache: map[string]*discordgo.Channel{}}
	s.AddHandler(d.onInteraction)
	if cfg.Mentions || cfg.AllowDMs {
		s.AddHandler(d.onMessage)
	}
	s.AddHandler(func(*discordgo.Session, *discordgo.Disconnect) {
		d.connected.Store(false)
		select {
		case d.disconnected <- struct{}{}:
		default:
		}
	})
	return d, nil
}

// intents asks for what the configuration uses and no more: message
// content is privileged and needed only to read mentions and follow-ups.
func intents(cfg config.Discord) discordgo.Intent {
	i := discordgo.IntentsGuilds | discordgo.IntentsGuildMessages
	if cfg.Mentions {
		i |= discordgo.IntentMessageContent
	}
	if cfg.AllowDMs {
		i |= discordgo.IntentsDirectMessages
	}
	return i
}

// restClient returns an HTTP client that sends what discordgo addresses to
// https://discord.com/api/v9 to apiBase instead (nirn-proxy, or any
// Discord-compatible server), over base's transport.
func restClient(apiBase string, base *http.Client) (*http.Client, error) {
	to := strings.TrimRight(apiBase, "/")
	u, err := url.Parse(to)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("bot: discord.api_base %q is not an http(s) URL", apiBase)
	}
	// The default transport keeps two idle connections per host; a burst
	// of 100 acknowledgements would open (and TLS-handshake) most of a
	// hundred. Keep enough around, and let HTTP/2 multiplex where offered.
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns, tr.MaxIdleConnsPerHost = 128, 128
	var next http.RoundTripper = tr
	timeout := 20 * time.Second
	if base != nil {
		if base.Transport != nil {
			next = base.Transport
		}
		if base.Timeout > 0 {
			timeout = base.Timeout
		}
	}
	from := strings.TrimRight(discordgo.EndpointAPI, "/")
	if to == from {
		return &http.Client{Transport: next, Timeout: timeout}, nil
	}
	return &http.Client{Transport: apiRewrite{from: from, to: to, next: next}, Timeout: timeout}, nil
}

type apiRewrite struct {
	from, to string
	next     http.RoundTripper
}

func (t apiRewrite) RoundTrip(req *http.Request) (*http.Response, error) {
	s := req.URL.String()
	if s != t.from && !strings.HasPrefix(s, t.from+"/") {
		return t.next.RoundTrip(req)
	}
	u, err := url.Parse(t.to + strings.TrimPrefix(s, t.from))
	if err != nil {
		return nil, fmt.Errorf("rewriting %s to the API base: %w", req.URL.Redacted(), err)
	}
	r2 := req.Clone(req.Context())
	r2.URL, r2.Host = u, ""
	return t.next.RoundTrip(r2)
}

// Run connects, registers the commands, and serves until ctx is done; then
// it stops taking new events, lets answers in flight finish (for up to
// discord.shutdown_timeout) and disconnects. It returns an error when the
// bot cannot connect, or the gateway refuses it for good.
func (b *Bot) Run(ctx context.Context) error {
	if !b.started.CompareAndSwap(false, true) {
		return errors.New("bot: Run called twice")
	}
	defer b.cancelWork()
	stopOps, err := b.startOps()
	if err != nil {
		return err
	}
	defer stopOps()
	d := b.dc
	if err := d.open(ctx); err != nil {
		return err
	}
	if err := d.registerCommands(ctx); err != nil {
		d.close()
		return err
	}
	close(b.ready)
	watchCtx, stopWatch := context.WithCancel(ctx)
	defer stopWatch()
	go d.watchHeartbeats(watchCtx, heartbeatPoll)
	b.log.Info("bot running", "shard", b.cfg.ShardID, "shards", b.cfg.ShardCount, "guild_id", b.cfg.GuildID,
		"mentions", b.cfg.Mentions, "dms", b.cfg.AllowDMs)
	err = d.serve(ctx)
	b.shutdown()
	return err
}

// shutdown drains, then disconnects.
func (b *Bot) shutdown() {
	b.log.Info("shutting down", "in_flight", b.inflight.count())
	ctx, cancel := context.WithTimeout(context.Background(), b.cfg.ShutdownTimeout)
	left := b.inflight.drain(ctx)
	cancel()
	if left > 0 {
		b.log.Warn("shutdown timeout: cancelling answers still running", "count", left)
	}
	b.cancelWork()
	b.dc.close()
	b.log.Info("disconnected")
}

// open connects to the gateway, retrying what may pass.
func (d *discord) open(ctx context.Context) error {
	wait := time.Second
	for {
		err := d.s.Open()
		if err == nil || errors.Is(err, discordgo.ErrWSAlreadyOpen) {
			d.connected.Store(true)
			return nil
		}
		if gerr := fatalGatewayError(err); gerr != nil {
			return gerr
		}
		d.b.log.Warn("connecting to Discord failed; retrying", "err", err, "in", wait)
		select {
		case <-ctx.Done():
			return fmt.Errorf("connecting to Discord: %w (last error: %v)", ctx.Err(), err)
		case <-time.After(wait):
		}
		wait = min(2*wait, time.Minute)
	}
}

// serve reconnects after each disconnect until ctx is done. A connection
// that keeps dropping soon after it was made is retried with growing
// pauses: some refusals only show after a successful reconnect (a RESUME
// refused with op 9, then an IDENTIFY closed with 4014 once the intent was
// revoked), and discordgo reports them as a dropped connection.
func (d *discord) serve(ctx context.Context) error {
	connectedAt, pause, flaps := time.Now(), time.Duration(0), 0
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-d.disconnected:
			if d.closing.Load() {
				return nil
			}
			switch {
			case d.resumeNow.Swap(false):
				pause = 0
			case time.Since(connectedAt) < 30*time.Second:
				pause, flaps = min(max(2*pause, time.Second), time.Minute), flaps+1
			default:
				pause, flaps = 0, 0
			}
			if flaps >= 3 {
				d.b.log.Warn("the gateway keeps closing soon after connecting; if the bot's privileged intents were changed, "+
					"enable the Message Content intent in the developer portal or set discord.mentions: false", "flaps", flaps)
			}
			d.b.log.Info("gateway disconnected; reconnecting", "after", pause)
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(pause):
			}
			if err := d.open(ctx); err != nil {
				if ctx.Err() != nil {
					return nil
				}
				return err
			}
			connectedAt = time.Now()
			d.b.log.Info("gateway reconnected")
		}
	}
}

func (d *discord) close() {
	d.closing.Store(true)
	if err := d.s.Close(); err != nil {
		d.b.log.Warn("closing the gateway", "err", err)
	}
	d.connected.Store(false)
}

// GatewayError is a refusal by Discord that retrying cannot fix.
type GatewayError struct {
	Code int
	Msg  string
	Err  error
}

func (e *GatewayError) Error() string { return e.Msg }
func (e *GatewayError) Unwrap() error { return e.Err }

// fatalGatewayError explains close codes and REST answers that mean the
// configuration is wrong, or returns nil for errors worth retrying.
func fatalGatewayError(err error) error {
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		switch ce.Code {
		case 4014:
			return &GatewayError{Code: 4014, Err: err, Msg: "Discord closed the gateway with 4014 (disallowed intents): this bot asks for the privileged " +
				"Message Content intent to read @mentions, and the application has not been granted it. Enable \"Message Content Intent\" " +
				"under Bot → Privileged Gateway Intents in the Discord developer portal, or set `discord.mentions: false` to run with slash commands only."}
		case 4004:
			return &GatewayError{Code: 4004, Err: err, Msg: "Discord rejected the bot token (gateway close 4004): check the environment variable named by discord.token_env."}
		case 4010, 4011:
			return &GatewayError{Code: ce.Code, Err: err, Msg: fmt.Sprintf("Discord refused the shard settings (gateway close %d %s): check discord.shard_id and discord.shard_count.", ce.Code, ce.Text)}
		case 4012, 4013:
			return &GatewayError{Code: ce.Code, Err: err, Msg: fmt.Sprintf("Discord refused the connection (gateway close %d %s).", ce.Code, ce.Text)}
		}
		return nil
	}
	var re *discordgo.RESTError
	if errors.As(err, &re) && re.Response != nil && (re.Response.StatusCode == 401 || re.Response.StatusCode == 403) {
		return &GatewayError{Code: re.Response.StatusCode, Err: err,
			Msg: "Discord rejected the bot token (HTTP " + strconv.Itoa(re.Response.StatusCode) + " fetching the gateway URL): check the environment variable named by discord.token_env."}
	}
	return nil
}

// botID is the bot's own user ID, known once READY has arrived.
func (d *discord) botID() string {
	st := d.s.State
	if st == nil {
		return ""
	}
	st.RLock()
	defer st.RUnlock()
	if st.User != nil {
		return st.User.ID
	}
	return ""
}

// appID is the application ID from READY; for bots created since 2020 it
// equals the bot's user ID, which is the fallback.
func (d *discord) appID() string {
	st := d.s.State
	if st == nil {
		return ""
	}
	st.RLock()
	defer st.RUnlock()
	if st.Application != nil && st.Application.ID != "" {
		return st.Application.ID
	}
	if st.User != nil {
		return st.User.ID
	}
	return ""
}

// registerCommands overwrites the application's commands in one request:
// in the configured guild (instant, for development) or globally.
func (d *discord) registerCommands(ctx context.Context) error {
	if d.b.cfg.ShardID != 0 {
		return nil // one shard registers for all; the others would only repeat it
	}
	app := d.appID()
	if app == "" {
		return errors.New("bot: READY carried no application ID")
	}
	cmds, err := d.s.ApplicationCommandBulkOverwrite(app, d.b.cfg.GuildID, commands(d.b.cfg, d.b.about), discordgo.WithContext(ctx))
	if err != nil {
		d.b.countDiscordError(err)
		return fmt.Errorf("bot: registering slash commands: %w", err)
	}
	scope := "global"
	if d.b.cfg.GuildID != "" {
		scope = "guild " + d.b.cfg.GuildID
	}
	d.b.log.Info("registered commands", "count", len(cmds), "scope", scope)
	return nil
}

// commands are the slash commands the router handles; /summary offers the
// profile's topics as choices, each shown by its title.
func commands(cfg config.Discord, about About) []*discordgo.ApplicationCommand {
	dm := cfg.AllowDMs
	var topics []*discordgo.ApplicationCommandOptionChoice
	for _, t := range about.Topics[:min(len(about.Topics), maxChoices)] {
		name := t.Title
		if name == "" {
			name = t.ID
		}
		topics = append(topics, &discordgo.ApplicationCommandOptionChoice{Name: clipRunes(name, maxChoiceName), Value: t.ID})
	}
	return []*discordgo.ApplicationCommand{
		{Name: "ask", Description: about.askDescription(), DMPermission: &dm,
			Options: []*discordgo.ApplicationCommandOption{{Type: discordgo.ApplicationCommandOptionString, Name: "question", Description: "Your question", Required: true}}},
		{Name: "sources", Description: "Show the article passages that best match a query", DMPermission: &dm,
			Options: []*discordgo.ApplicationCommandOption{{Type: discordgo.ApplicationCommandOptionString, Name: "query", Description: "What to look for", Required: true}}},
		{Name: "summary", Description: "Post a cited summary of the articles (moderators)", DMPermission: &dm,
			Options: []*discordgo.ApplicationCommandOption{{Type: discordgo.ApplicationCommandOptionString, Name: "topic", Description: "Limit the summary to one topic", Choices: topics}}},
		{Name: "timeline", Description: "Post a dated timeline of the events (moderators)", DMPermission: &dm},
		{Name: "refresh", Description: "Re-read the articles and update the index (maintainers)", DMPermission: &dm},
	}
}

// ---- interactions ----

func (d *discord) onInteraction(_ *discordgo.Session, ic *discordgo.InteractionCreate) {
	received := time.Now()
	defer d.recoverEvent("INTERACTION_CREATE", ic.ID)
	ev := d.interactionEvent(ic.Interaction, received)
	if ev == nil {
		return
	}
	d.b.dispatch(ev)
}

// interactionEvent turns a slash command or button click into an Event.
// Other interaction types (autocomplete, modals) are not used.
func (d *discord) interactionEvent(i *discordgo.Interaction, received time.Time) *Event {
	ev := &Event{ID: i.ID, GuildID: i.GuildID, ChannelID: i.ChannelID, Received: received, Options: map[string]string{}}
	switch i.Type {
	case discordgo.InteractionApplicationCommand:
		data := i.ApplicationCommandData()
		ev.Kind, ev.Name = KindCommand, data.Name
		for _, o := range data.Options {
			ev.Options[o.Name] = optionString(o)
		}
	case discordgo.InteractionMessageComponent:
		data := i.MessageComponentData()
		ev.Kind, ev.Name = KindComponent, data.CustomID
		if i.Message != nil {
			ev.MessageContent = i.Message.Content
		}
	default:
		d.b.log.Debug("ignoring interaction", "interaction_id", i.ID, "type", i.Type.String())
		return nil
	}
	switch {
	case i.Member != nil:
		ev.Roles, ev.Permissions = i.Member.Roles, i.Member.Permissions
		if i.Member.User != nil {
			ev.UserID = i.Member.User.ID
		}
	case i.User != nil:
		ev.UserID, ev.DM = i.User.ID, true
	}
	if i.GuildID == "" {
		ev.DM = true
	}
	ev.reply = &interactionReplier{d: d, i: i, ev: ev}
	return ev
}

func optionString(o *discordgo.ApplicationCommandInteractionDataOption) string {
	switch o.Type {
	case discordgo.ApplicationCommandOptionString:
		return o.StringValue()
	case discordgo.ApplicationCommandOptionInteger:
		return strconv.FormatInt(o.IntValue(), 10)
	case discordgo.ApplicationCommandOptionBoolean:
		return strconv.FormatBool(o.BoolValue())
	}
	return fmt.Sprint(o.Value)
}

// recoverEvent keeps a panic outside the router (decoding an event) from
// ending the process: discordgo calls handlers in bare goroutines.
func (d *discord) recoverEvent(what, id string) {
	if p := recover(); p != nil {
		d.b.metrics.panics.Add(1)
		d.b.log.Error("panic handling a gateway event", "event", what, "id", id, "panic", fmt.Sprint(p))
	}
}

// ---- operations endpoint ----

// startOps serves /healthz and /metrics on http.listen, if set.
func (b *Bot) startOps() (stop func(), err error) {
	if b.opts.HTTP.Listen == "" {
		return func() {}, nil
	}
	ln, err := net.Listen("tcp", b.opts.HTTP.Listen)
	if err != nil {
		return nil, fmt.Errorf("bot: http.listen %s: %w", b.opts.HTTP.Listen, err)
	}
	srv := &http.Server{Handler: b.Handler(), ReadHeaderTimeout: 5 * time.Second}
	b.opsAddr.Store(ln.Addr().String())
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			b.log.Error("operations endpoint stopped", "err", err)
		}
	}()
	b.log.Info("operations endpoint listening", "addr", ln.Addr().String())
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}, nil
}

// OpsAddr is the address /healthz and /metrics are served on, once Run
// has started them ("" otherwise); useful with http.listen "127.0.0.1:0".
func (b *Bot) OpsAddr() string {
	s, _ := b.opsAddr.Load().(string)
	return s
}

// Handler serves /healthz and /metrics.
func (b *Bot) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		connected, indexed := b.dc.connected.Load(), b.library.Index() != nil
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if !connected || !indexed {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintf(w, "unhealthy: gateway connected=%v, index loaded=%v\n", connected, indexed)
			return
		}
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("/metrics", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		b.metrics.write(w, b.snapshot())
	})
	return mux
}

// snapshot gathers the gauges.
func (b *Bot) snapshot() gauges {
	g := gauges{connected: b.dc.connected.Load(), inflight: b.inflight.count(), queued: b.queue.depth()}
	if ix := b.library.Index(); ix != nil {
		g.passages = len(ix.Passages())
		g.indexAge = time.Since(ix.BuiltAt).Seconds()
		g.indexLoaded = true
	}
	return g
}
