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
	c := newCommand("serve", stderr)
	if err := c.parse(args); err != nil {
		return err
	}
	cfg, log := c.cfg, c.log
	token := strings.TrimSpace(config.Secret(cfg.Discord.TokenEnv))
	if token == "" {
		return fmt.Errorf("no Discord bot token: set the environment variable %s (the name comes from discord.token_env)", cfg.Discord.TokenEnv)
	}
	a, err := c.open(ctx, openOptions{})
	if err != nil {
		return err
	}
	defer a.close()
	// Serve whatever refresh is published next, from this process or any
	// other sharing the state (the CLI, another shard).
	go a.store.Follow(ctx)
	b, err := bot.New(bot.Options{
		Config: cfg.Discord, HTTP: cfg.HTTP, Token: token, DataDir: cfg.Data,
		Answerer: a.answerer, Library: a.store, LoadCorpus: corpusLoader(cfg.Corpus), Logger: log,
		About: aboutFor(a.answerer.Profile()),
	})
	if err != nil {
		return err
	}
	return b.Run(ctx)
}

// runChat runs the bot's command router in the terminal.
func runChat(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	c := newCommand("chat", stderr)
	if err := c.parse(args); err != nil {
		return err
	}
	cfg, log := c.cfg, c.log
	a, err := c.open(ctx, openOptions{})
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
		Answerer: a.answerer, Library: a.store, LoadCorpus: corpusLoader(cfg.Corpus), Config: cfg.Discord, DataDir: cfg.Data, Logger: log,
		About: aboutFor(a.answerer.Profile()),
	})
}

// runFeedback summarises the 👍/👎 votes collected in Discord.
func runFeedback(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c := newCommand("feedback", stderr)
	if err := c.parse(args); err != nil {
		return err
	}
	return bot.FeedbackSummary(c.cfg.Data, stdout)
}
