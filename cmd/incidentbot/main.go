// Command incidentbot answers questions about an incident from a corpus of
// news articles, in Discord or in a terminal. Which incident is the corpus's
// to say: its profile.yaml names it. Run `incidentbot help` for the commands.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "incidentbot:", err)
		os.Exit(1)
	}
}

const usage = `incidentbot answers questions about an incident from news articles, citing
the passages it draws on. The corpus says which incident: its profile.yaml
names it and lists the topics a summary offers.

Usage: incidentbot <command> [flags] [arguments]

Commands:
  ask [QUESTION]        answer a question (without one: one question per line from stdin)
  search [QUERY]        show the passages that best match (without one: one query per line from stdin)
  summary [--topic T]   summarise the corpus or one of its profile's topics
  timeline              the dated events, in order
  index                 build or refresh the index (embeds only what changed)
  refresh [--dry-run]   show what changed in the corpus, sentence by sentence, and apply it
  corpus add URL        fetch an article page into the corpus folder and sources.yaml
  corpus list           check the corpus (and its sources.yaml) and list its articles
  corpus log            the refreshes applied so far, newest first
  eval                  measure retrieval and answers on the evaluation set
  train                 fit the extractive reader on the training sets (writes answer/reader.json)
  bench                 measure encoder speed, index build, cold start and query latency
  serve                 run the Discord bot
  chat                  try the bot's commands in this terminal
  feedback              summarise the 👍/👎 feedback users gave in Discord

Common flags: --config FILE, --corpus DIR, --data DIR, --json. A corpus folder
with a sources.yaml is loaded through it; --corpus may also name a sources file.
Run 'incidentbot <command> -h' for a command's flags, and
'incidentbot help --corpus DIR' for what another corpus is about.
`

// usageFor is the usage text followed by what the corpus at dir is about
// (the built-in one when dir is ""); if its profile does not load, the
// error says why.
func usageFor(dir string) string {
	p, err := corpusProfile(dir)
	if err != nil {
		return usage + "\nThe corpus's profile does not load: " + err.Error() + "\n"
	}
	return usage + "\n" + aboutCorpus(p)
}

// runHelp prints the usage and what the corpus chosen by --corpus or
// --config is about.
func runHelp(args []string, stdout, stderr io.Writer) error {
	c := newCommand("help", stderr)
	if err := c.parse(args); err != nil {
		return err
	}
	fmt.Fprint(stdout, usageFor(c.cfg.Corpus))
	return nil
}

// run is the whole program, so tests can drive it like a user would.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usageFor(""))
		return fmt.Errorf("no command given")
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "ask":
		return runAsk(ctx, rest, stdin, stdout, stderr)
	case "search":
		return runSearch(ctx, rest, stdin, stdout, stderr)
	case "summary":
		return runSummary(ctx, rest, stdout, stderr)
	case "timeline":
		return runTimeline(ctx, rest, stdout, stderr)
	case "index":
		return runIndex(ctx, rest, stdout, stderr)
	case "refresh":
		return runRefresh(ctx, rest, stdout, stderr)
	case "corpus":
		return runCorpus(ctx, rest, stdout, stderr)
	case "eval":
		return runEval(ctx, rest, stdout, stderr)
	case "train":
		return runTrain(ctx, rest, stdout, stderr)
	case "bench":
		return runBench(ctx, rest, stdout, stderr)
	case "serve":
		return runServe(ctx, rest, stdout, stderr)
	case "chat":
		return runChat(ctx, rest, stdin, stdout, stderr)
	case "feedback":
		return runFeedback(ctx, rest, stdout, stderr)
	case "help", "-h", "--help":
		return runHelp(rest, stdout, stderr)
	}
	fmt.Fprint(stderr, usageFor(""))
	return fmt.Errorf("unknown command %q", cmd)
}
