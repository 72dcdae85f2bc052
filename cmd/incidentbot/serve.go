package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/incidentbot/incidentbot/bot"
	"github.com/incidentbot/incidentbot/config"
	"github.com/incidentbot/incidentbot/internal/wiring"
	"github.com/incidentbot/incidentbot/ops"
)

// runServe runs the Discord bot until SIGINT/SIGTERM (ctx), then lets
// answers in flight finish and closes the gateway.
func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c := newCommand("serve", stderr)
	if err := c.parse(args); err != nil {
		return err
	}
	cfg, log := c.cfg, c.log
	token := strings.TrimSpace(config.Secret(cfg.Discord.TokenEnv))
	if token == "" {
		return fmt.Errorf("no Discord bot token: set the environment variable %s (the name comes from discord.token_env)", cfg.Discord.TokenEnv)
	}
	a, err := c.open(ctx, openOptions{serving: true})
	if err != nil {
		return err
	}
	defer a.close()
	// Serve whatever refresh is published next, from this process or any
	// other sharing the state (the CLI, another shard).
	go a.store.Follow(ctx)
	reg := ops.NewRegistry()
	wiring.StoreMetrics(reg, a.store)
	b, err := bot.New(bot.Options{
		Config: botConfig(cfg.Discord), Token: token, Metrics: reg,
		Refresher: a.refresher, Previews: a.state, Feedback: a.state,
		Answerer: a.answerer, Library: wiring.Library(a.store), Logger: log,
		About: aboutFor(a.answerer.Profile()),
	})
	if err != nil {
		return err
	}
	if cfg.HTTP.Listen != "" {
		srv, err := ops.Listen(cfg.HTTP.Listen, ops.Handler(b.Health, reg), log)
		if err != nil {
			return err
		}
		defer srv.Close()
	}
	return b.Run(ctx)
}

// botConfig is the config file's discord section as the bot takes it.
func botConfig(d config.Discord) bot.Config {
	c := bot.Config{
		APIBase: d.APIBase, GuildID: d.GuildID, ShardID: d.ShardID, ShardCount: d.ShardCount,
		ModeratorRoles: d.ModeratorRoles, MaintainerRoles: d.MaintainerRoles, MaintainerUsers: d.MaintainerUsers,
		AllowDMs: d.AllowDMs, Mentions: d.Mentions, MaxConcurrent: d.MaxConcurrent, QueueSize: d.QueueSize, MaxWait: d.MaxWait,
		StreamEditInterval: d.StreamEditInterval, ShutdownTimeout: d.ShutdownTimeout, ThreadContextTurns: d.ThreadContextTurns,
	}
	c.RateLimit.PerUser, c.RateLimit.PerChannel, c.RateLimit.Window = d.RateLimit.PerUser, d.RateLimit.PerChannel, d.RateLimit.Window
	return c
}

// runChat runs the bot's command router in the terminal.
func runChat(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	c := newCommand("chat", stderr)
	if err := c.parse(args); err != nil {
		return err
	}
	cfg, log := c.cfg, c.log
	a, err := c.open(ctx, openOptions{serving: true})
	if err != nil {
		return err
	}
	defer a.close()
	go a.store.Follow(ctx)
	prompt := ""
	if isTerminal(stdout) {
		fmt.Fprintln(stdout, "Ask about "+a.answerer.Profile().Subject()+". Commands: /ask, /sources, /summary [topic], /timeline, /refresh, /help; a plain line is a question. Ctrl-D quits.")
		prompt = "> "
	}
	return bot.Console(ctx, stdin, stdout, bot.ConsoleOptions{Prompt: prompt,
		Answerer: a.answerer, Library: wiring.Library(a.store), Refresher: a.refresher,
		Config: botConfig(cfg.Discord), Logger: log,
		About: aboutFor(a.answerer.Profile()),
	})
}

// runFeedback summarises the 👍/👎 votes collected in Discord.
func runFeedback(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c := newCommand("feedback", stderr)
	if err := c.parse(args); err != nil {
		return err
	}
	st, _, err := openState(ctx, c.cfg, c.log)
	if err != nil {
		return err
	}
	defer st.Close()
	return bot.FeedbackSummary(ctx, st, stdout)
}
