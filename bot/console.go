package bot

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/incidentbot/incidentbot"
)

// ConsoleOptions configures Console.
type ConsoleOptions struct {
	Answerer incidentbot.Answerer
	Library  incidentbot.Library
	// Refresher: see Options.Refresher. The console applies a refresh
	// without asking, so it needs no Previews.
	Refresher incidentbot.Refresher
	// About: see Options.About.
	About About
	// Config supplies the limits the handlers read (concurrency, stream
	// interval, thread turns); rate limits and permissions do not apply to
	// the console.
	Config Config
	Logger *slog.Logger
	// Prompt is printed before each line is read; empty prints none
	// (right for piped input; pass "> " for a terminal).
	Prompt string
}

// Console runs the bot's router and handlers in a terminal: each line of in
// is a command or a plain question, and the replies are written to out as
// the same text Discord would show. It returns nil at the end of in or on
// /quit, and ctx's error if ctx ends first.
func Console(ctx context.Context, in io.Reader, out io.Writer, opts ConsoleOptions) error {
	if opts.Answerer == nil || opts.Library == nil {
		return fmt.Errorf("bot.Console: Answerer and Library are required")
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	svc := newService(serviceOptions{
		cfg: withDefaults(opts.Config), answerer: opts.Answerer, library: opts.Library, refresher: opts.Refresher,
		log: opts.Logger, console: true, about: opts.About,
	})
	defer svc.cancelWork()
	w := &consoleWriter{w: out}
	conv := memory{c: svc.convs, key: "console"}

	lines := make(chan string)
	readErr := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(in)
		sc.Buffer(make([]byte, 64*1024), 1<<20)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			case <-ctx.Done():
				return
			}
		}
		readErr <- sc.Err()
	}()

	for n := 1; ; n++ {
		w.print(opts.Prompt)
		var line string
		select {
		case <-ctx.Done():
			return ctx.Err()
		case err := <-readErr:
			if opts.Prompt != "" {
				w.print("\n")
			}
			return err
		case line = <-lines:
		}
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		ev := consoleEvent(line, n)
		switch ev.Name {
		case "quit", "exit":
			return nil
		case "help":
			w.print(opts.About.help() + "\n\n")
			continue
		}
		if ev.Kind == KindMention {
			ev.Conv = conv
		}
		ev.reply = w
		svc.router.Dispatch(ctx, ev)
	}
}

// consoleEvent parses one line: "/name rest" is a command whose first
// option takes rest; anything else is a question in the conversation.
func consoleEvent(line string, n int) *Event {
	ev := &Event{
		ID: "console-" + strconv.Itoa(n), UserID: "console", ChannelID: "console",
		Trusted: true, Received: time.Now(), Options: map[string]string{},
	}
	if !strings.HasPrefix(line, "/") {
		ev.Kind = KindMention
		ev.Options["question"] = line
		return ev
	}
	name, rest, _ := strings.Cut(line[1:], " ")
	ev.Kind, ev.Name = KindCommand, strings.ToLower(name)
	rest = strings.TrimSpace(rest)
	switch ev.Name {
	case "ask":
		ev.Options["question"] = rest
	case "sources":
		ev.Options["query"] = rest
	case "summary":
		if rest != "" {
			ev.Options["topic"] = rest
		}
	}
	return ev
}

// consoleWriter is the console's replier: it prints replies whole, since a
// terminal has no message limit, and skips partial answers.
type consoleWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (c *consoleWriter) print(s string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, _ = io.WriteString(c.w, s)
}

func (c *consoleWriter) Defer(context.Context, bool) error      { return nil }
func (c *consoleWriter) Progress(context.Context, string) error { return nil }
func (c *consoleWriter) Send(_ context.Context, r Reply) error {
	// Only terminal escapes need keeping out: the console shows the
	// markdown Discord would render as it is.
	c.print(strings.TrimSpace(stripControls(r.Text, true)) + "\n\n")
	return nil
}
