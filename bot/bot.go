// Package bot is the Discord adapter: it turns slash commands, button clicks
// and @mentions into questions for the answerer and renders the answers as
// Discord messages.
//
// The pieces, one file each:
//
//	router.go      events, handlers, routes by command name and custom_id prefix
//	service.go     the command table: which middleware each command runs behind
//	middleware.go  recover, errors, drain, DM guard, validation, rate limit, defer, queue
//	ratelimit.go   per-user and per-channel token buckets
//	queue.go       the global cap on concurrent answers, with a bounded wait queue
//	ask.go         /ask and mentions: answer, stream, cache
//	sources.go     /sources and the "show sources" button
//	moderation.go  /summary and /timeline; who counts as a moderator or maintainer
//	refresh.go     /refresh, for maintainers
//	mention.go     @mentions, threads and the turns kept per thread
//	feedback.go    👍/👎 buttons, feedback.jsonl and FeedbackSummary
//	buttons.go     signed custom_ids: a click counts only on a button this process sent
//	escape.go      what a user typed, made inert wherever the bot repeats it
//	render.go      answers, sources, timelines and reports as message text
//	split.go       cutting long text into messages Discord accepts
//	session.go     discordgo: connecting, reconnecting, registering commands
//	reply.go       replying through interactions and channel messages, retrying what may pass
//	metrics.go     /healthz and /metrics
//	console.go     the same router in a terminal
//
// Handlers never touch discordgo: they see an Event and reply through its
// replier, which is what lets the console run them unchanged.
package bot

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/http"
	"reflect"
	"sync/atomic"
	"time"

	"github.com/incidentbot/incidentbot"
	"github.com/incidentbot/incidentbot/answer"
	"github.com/incidentbot/incidentbot/config"
	"github.com/incidentbot/incidentbot/retrieval"
)

// Answerer answers questions; *answer.Answerer satisfies it.
type Answerer interface {
	Ask(ctx context.Context, req answer.Request) (*incidentbot.Answer, error)
	CheckQuestion(q string) error
	Summary(ctx context.Context, topic string) (*incidentbot.Answer, error)
	Timeline(ctx context.Context) (*incidentbot.Timeline, error)
}

// Library is the searchable, refreshable corpus; *retrieval.Store satisfies
// it. Index is used for /healthz, the index gauges, and to key the answer
// cache, so that a refresh is never answered from the old corpus.
type Library interface {
	Search(ctx context.Context, query string, k int) (*retrieval.Response, error)
	Refresh(ctx context.Context, dryRun bool) (*retrieval.Report, error)
	Index() *retrieval.Index
}

// Options configures a Bot.
type Options struct {
	Config config.Discord
	HTTP   config.HTTP
	// Token is the bot token, with or without the "Bot " prefix. It is
	// never logged.
	Token string
	// DataDir is where feedback.jsonl is written.
	DataDir  string
	Answerer Answerer
	Library  Library
	// LoadCorpus reads the corpus as a refresh would; /refresh uses it to
	// show, article by article, what would change. Optional.
	LoadCorpus func() ([]*incidentbot.Article, error)
	// About is what the bot says of its subject and the /summary topics it
	// offers, from the corpus profile.
	About  About
	Logger *slog.Logger
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
	opsAddr atomic.Value // string
}

// New checks opts and prepares a Bot; it makes no network call.
func New(opts Options) (*Bot, error) {
	if opts.Token == "" {
		return nil, errors.New("bot: no Discord token (set the environment variable named by discord.token_env)")
	}
	if opts.Answerer == nil || opts.Library == nil {
		return nil, errors.New("bot: Answerer and Library are required")
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	opts.Config = withDefaults(opts.Config)
	svc := newService(serviceOptions{
		cfg: opts.Config, answerer: opts.Answerer, library: opts.Library,
		dataDir: opts.DataDir, log: opts.Logger, loadCorpus: opts.LoadCorpus, about: opts.About,
	})
	b := &Bot{service: svc, opts: opts, ready: make(chan struct{})}
	dc, err := newDiscord(b)
	if err != nil {
		return nil, err
	}
	b.dc = dc
	return b, nil
}

// Ready is closed once Run has connected and registered the commands.
func (b *Bot) Ready() <-chan struct{} { return b.ready }

// withDefaults fills what a zero config.Discord leaves unusable, so a Bot
// built from a partial struct (tests, the console) still behaves.
func withDefaults(c config.Discord) config.Discord {
	d := config.Default().Discord
	if reflect.ValueOf(c).IsZero() {
		return d // nothing configured at all: the documented defaults
	}
	if c.APIBase == "" {
		c.APIBase = d.APIBase
	}
	if c.ShardCount < 1 {
		c.ShardCount = 1
	}
	if c.MaxConcurrent < 1 {
		c.MaxConcurrent = d.MaxConcurrent
	}
	if c.QueueSize < 0 {
		c.QueueSize = 0
	}
	if c.StreamEditInterval <= 0 {
		c.StreamEditInterval = d.StreamEditInterval
	}
	if c.ShutdownTimeout <= 0 {
		c.ShutdownTimeout = d.ShutdownTimeout
	}
	if c.ThreadContextTurns < 0 {
		c.ThreadContextTurns = 0
	}
	if c.RateLimit.Window <= 0 {
		c.RateLimit.Window = d.RateLimit.Window
	}
	return c
}

// userHash identifies a user in logs and feedback without storing the ID.
func userHash(id string) string {
	if id == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(id))
	return hex.EncodeToString(sum[:])
}

// shortHash is userHash cut to a length that is still unique in practice,
// for log lines.
func shortHash(id string) string {
	h := userHash(id)
	if len(h) > 16 {
		h = h[:16]
	}
	return h
}

// answerTimeout bounds one answer, model retries included; well inside the
// 15 minutes an interaction token lives.
const answerTimeout = 3 * time.Minute
