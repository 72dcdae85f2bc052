package bot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
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
func intents(cfg Config) discordgo.Intent {
	i := discordgo.IntentsGuilds | discordgo.IntentsGuildMessages
	if cfg.Mentions {
		i |= discordgo.IntentMessageContent
	}
	if cfg.AllowDMs {
		i |= discordgo.IntentsDirectMessages
	}
	return i
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

// fromReady reads what READY told discordgo's state ("" until it came).
func (d *discord) fromReady(read func(st *discordgo.State) string) string {
	st := d.s.State
	if st == nil {
		return ""
	}
	st.RLock()
	defer st.RUnlock()
	return read(st)
}

// botID is the bot's own user ID, known once READY has arrived.
func (d *discord) botID() string {
	return d.fromReady(func(st *discordgo.State) string {
		if st.User != nil {
			return st.User.ID
		}
		return ""
	})
}

// appID is the application ID from READY; for bots created since 2020 it
// equals the bot's user ID, which is the fallback.
func (d *discord) appID() string {
	return d.fromReady(func(st *discordgo.State) string {
		if st.Application != nil && st.Application.ID != "" {
			return st.Application.ID
		}
		if st.User != nil {
			return st.User.ID
		}
		return ""
	})
}

// recoverEvent keeps a panic outside the router (decoding an event) from
// ending the process: discordgo calls handlers in bare goroutines.
func (d *discord) recoverEvent(what, id string) {
	if p := recover(); p != nil {
		d.b.metrics.panics.Inc()
		d.b.log.Error("panic handling a gateway event", "event", what, "id", id, "panic", fmt.Sprint(p))
	}
}
