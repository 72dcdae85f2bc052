package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/incidentbot/incidentbot/bot"
	"github.com/incidentbot/incidentbot/config"
)

// runServe runs the Discord bot until SIGINT/SIGTERM (ctx), then lets
// answers in flight finish and closes the gateway.
func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c commonFlags
	fs := newFlagSet("serve", stderr)
	c.register(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := c.loadConfig()
	if err != nil {
		return err
	}
	log := newLogger(cfg, stderr)
	token := strings.TrimSpace(config.Secret(cfg.Discord.TokenEnv))
	if token == "" {
		return fmt.Errorf("no Discord bot token: set the environment variable %s (the name comes from discord.token_env)", cfg.Discord.TokenEnv)
	}
	a, err := openApp(ctx, cfg, log, openOptions{})
	if err != nil {
		return err
	}
	b, err := bot.New(bot.Options{
		Config: cfg.Discord, HTTP: cfg.HTTP, Token: token, DataDir: cfg.Data,
		Answerer: a.answerer, Library: a.store, Logger: log,
	})
	if err != nil {
		return err
	}
	return b.Run(ctx)
}

// runChat runs the bot's command router in the terminal.
func runChat(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	var c commonFlags
	fs := newFlagSet("chat", stderr)
	c.register(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := c.loadConfig()
	if err != nil {
		return err
	}
	log := newLogger(cfg, stderr)
	a, err := openApp(ctx, cfg, log, openOptions{})
	if err != nil {
		return err
	}
	if isTerminal(stdout) {
		fmt.Fprintln(stdout, "Ask about the 2022 cyberattacks on Albania, Montenegro and Kosovo. Commands: /ask, /sources, /summary [topic], /timeline, /refresh; a plain line is a question. Ctrl-D quits.")
	}
	return bot.Console(ctx, stdin, stdout, bot.ConsoleOptions{
		Answerer: a.answerer, Library: a.store, Config: cfg.Discord, DataDir: cfg.Data, Logger: log,
	})
}

// runFeedback summarises the 👍/👎 votes collected in Discord.
func runFeedback(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c commonFlags
	fs := newFlagSet("feedback", stderr)
	c.register(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := c.loadConfig()
	if err != nil {
		return err
	}
	return bot.FeedbackSummary(cfg.Data, stdout)
}
