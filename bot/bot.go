package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/incidentbot/incidentbot"
)

// Options configures a Bot.
type Options struct {
	Config Config
	// Token is the bot token, with or without the "Bot " prefix. It is
	// never logged.
	Token    string
	Answerer incidentbot.Answerer
	Library  incidentbot.Library
	// Refresher is what /refresh plans and applies through; without it
	// /refresh says it is not available here. Previews keeps a plan until
	// its Apply or Cancel button is clicked, on whichever process.
	Refresher incidentbot.Refresher
	Previews  incidentbot.Previews
	// Feedback keeps the 👍/👎 votes; without it a vote is refused.
	Feedback incidentbot.Feedback
	// About is what the bot says of its subject and the /summary topics it
	// offers, from the corpus profile.
	About  About
	Logger *slog.Logger
	// Metrics receives the bot's series (ops.NewRegistry, served on
	// /metrics); nil keeps them unregistered.
	Metrics prometheus.Registerer
	// HTTPClient is used for REST calls, behind the rewrite to
	// Config.APIBase (tests pass a client that can only reach loopback).
	HTTPClient *http.Client
	// InteractionTokenTTL is how long an interaction's token lasts, and so
	// how long a reply that Discord fails with a 5xx or the network loses
	// is retried. Zero means Discord's 15 minutes; a Discord-compatible
	// server (or a test) may have another.
	InteractionTokenTTL time.Duration
}

// Bot is a running Discord bot. Create it with New and start it with Run.
type Bot struct {
	*service
	opts Options
	dc   *discord

	started atomic.Bool
	ready   chan struct{}
}

// New checks opts and prepares a Bot; it makes no network call.
func New(opts Options) (*Bot, error) {
	if opts.Token == "" {
		return nil, errors.New("bot: no Discord token (set the environment variable named by discord.token_env)")
	}
	if opts.Answerer == nil || opts.Library == nil {
		return nil, errors.New("bot: Answerer and Library are required")
	}
	if opts.Refresher != nil && opts.Previews == nil {
		return nil, errors.New("bot: a Refresher needs Previews to keep /refresh's plans")
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	opts.Config = withDefaults(opts.Config)
	svc := newService(serviceOptions{
		cfg: opts.Config, answerer: opts.Answerer, library: opts.Library, refresher: opts.Refresher, previews: opts.Previews,
		feedback: opts.Feedback, log: opts.Logger, about: opts.About, metrics: opts.Metrics,
	})
	b := &Bot{service: svc, opts: opts, ready: make(chan struct{})}
	dc, err := newDiscord(b)
	if err != nil {
		return nil, err
	}
	b.dc = dc
	svc.metrics.watch(opts.Metrics, gaugeSources{
		connected: dc.connected.Load, served: opts.Library.Served,
		inflight: svc.inflight.count, queued: svc.queue.depth,
	})
	return b, nil
}

// Ready is closed once Run has connected and registered the commands.
func (b *Bot) Ready() <-chan struct{} { return b.ready }

// Served is the index the bot answers from, as /metrics reports it.
func (b *Bot) Served() *incidentbot.SnapshotInfo { return b.library.Served() }

// Health is nil while the gateway is connected and an index is served:
// what /healthz reports.
func (b *Bot) Health() error {
	connected, indexed := b.dc.connected.Load(), b.library.Served() != nil
	if !connected || !indexed {
		return fmt.Errorf("gateway connected=%v, index loaded=%v", connected, indexed)
	}
	return nil
}

// Run connects, registers the commands, and serves until ctx is done; then
// it stops taking new events, lets answers in flight finish (for up to
// Config.ShutdownTimeout) and disconnects. It returns an error when the
// bot cannot connect, or the gateway refuses it for good.
func (b *Bot) Run(ctx context.Context) error {
	if !b.started.CompareAndSwap(false, true) {
		return errors.New("bot: Run called twice")
	}
	defer b.cancelWork()
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
	err := d.serve(ctx)
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
