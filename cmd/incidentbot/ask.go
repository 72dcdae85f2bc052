package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/incidentbot/incidentbot"
	"github.com/incidentbot/incidentbot/answer"
)

func runAsk(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	c := newCommand("ask", stderr)
	explain := c.fs.Int("explain", 0, "print, as JSON, how the reader read each question and its best N candidates, instead of the answer")
	after := c.fs.String("after", "", "ask as a follow-up to this earlier question, as in a Discord thread")
	if err := c.parse(args); err != nil {
		return err
	}
	question := strings.Join(c.fs.Args(), " ")
	if len(c.fs.Args()) > 0 && strings.TrimSpace(question) == "" {
		p, err := corpusProfile(c.cfg.Corpus)
		if err != nil {
			return err
		}
		return emptyQuestion{p}
	}
	a, err := c.open(ctx, openOptions{serving: true})
	if err != nil {
		return err
	}
	defer a.close()
	if question != "" {
		if err := a.answerer.CheckQuestion(question); err != nil {
			return explainEmpty(err, a.answerer.Profile())
		}
	}
	var history []incidentbot.Turn
	if *after != "" {
		history = []incidentbot.Turn{{Question: *after}}
	}
	one := func(q string) error {
		if *explain > 0 {
			e, err := a.answerer.Explain(ctx, q, history, *explain)
			if err != nil {
				return err
			}
			enc := json.NewEncoder(stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(e)
		}
		ans, err := a.answerer.Ask(ctx, answer.Request{Question: q, History: history})
		err = explainEmpty(err, a.answerer.Profile())
		if errors.Is(err, answer.ErrEmptyQuestion) || errors.Is(err, answer.ErrTooLong) {
			// One bad line in a batch must not stop the rest.
			if c.flags.json {
				return json.NewEncoder(stdout).Encode(map[string]string{"question": q, "error": err.Error()})
			}
			fmt.Fprintf(stdout, "Question: %s\nError: %v\n\n", truncate(q, 80), err)
			return nil
		}
		if err != nil {
			return err
		}
		if c.flags.json {
			if ans.Citations == nil {
				ans.Citations = []incidentbot.Citation{}
			}
			return json.NewEncoder(stdout).Encode(ans)
		}
		printAnswer(stdout, ans)
		return nil
	}
	if question != "" {
		return one(question)
	}
	return readLines(ctx, stdin, one)
}

func printAnswer(w io.Writer, ans *incidentbot.Answer) {
	if ans.Question != "" {
		fmt.Fprintf(w, "Q: %s\n", ans.Question)
	}
	fmt.Fprintf(w, "%s\n", ans.Text)
	if ans.Notice != "" {
		fmt.Fprintf(w, "(%s)\n", ans.Notice)
	}
	printCitations(w, "Sources", ans.Citations, ans.Mode != incidentbot.ModeLLM)
	printCitations(w, "Closest sources (they do not answer the question)", ans.Closest, false)
	fmt.Fprintln(w)
}

// printCitations lists sources; with quoted, the answer is their quotes,
// so each shows the words around its quote instead of the quote again.
func printCitations(w io.Writer, heading string, cs []incidentbot.Citation, quoted bool) {
	if len(cs) == 0 {
		return
	}
	fmt.Fprintf(w, "\n%s:\n", heading)
	for _, c := range cs {
		fmt.Fprintf(w, "[%d] %s — %s", c.N, c.Title, sourceLine(c.Outlet, c.Date))
		if c.Added != "" {
			fmt.Fprintf(w, " · added %s", c.Added)
		}
		if c.URL != "" {
			fmt.Fprintf(w, " <%s>", c.URL)
		}
		if quoted {
			if c.Before != "" || c.After != "" {
				fmt.Fprintf(w, "\n    %s ⟨[%d]⟩ %s\n", c.Before, c.N, c.After)
			} else {
				fmt.Fprintln(w)
			}
			continue
		}
		fmt.Fprintf(w, "\n    “%s”\n", indent(truncate(c.Quote, 400), "    "))
	}
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func runSummary(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c := newCommand("summary", stderr)
	topic := c.fs.String("topic", "", "limit to one of the corpus profile's topics ('incidentbot help' lists them)")
	if err := c.parse(args); err != nil {
		return err
	}
	a, err := c.open(ctx, openOptions{})
	if err != nil {
		return err
	}
	defer a.close()
	ans, err := a.answerer.Summary(ctx, *topic)
	if err != nil {
		return err
	}
	if c.flags.json {
		return json.NewEncoder(stdout).Encode(ans)
	}
	printAnswer(stdout, ans)
	return nil
}

func runTimeline(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c := newCommand("timeline", stderr)
	if err := c.parse(args); err != nil {
		return err
	}
	a, err := c.open(ctx, openOptions{})
	if err != nil {
		return err
	}
	defer a.close()
	tl, err := a.answerer.Timeline(ctx)
	if err != nil {
		return err
	}
	if c.flags.json {
		return json.NewEncoder(stdout).Encode(tl)
	}
	for _, e := range tl.Events {
		fmt.Fprintf(stdout, "%-10s  %s\n", e.Date, e.Text)
	}
	printCitations(stdout, "Sources", tl.Citations, false)
	return nil
}
