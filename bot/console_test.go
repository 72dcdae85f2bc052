package bot_test

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/incidentbot/incidentbot/internal/wiring"

	"github.com/incidentbot/incidentbot/answer"
	"github.com/incidentbot/incidentbot/bot"
	"github.com/incidentbot/incidentbot/bot/discordtest"
	"github.com/incidentbot/incidentbot/corpus"
)

func TestConsoleRunsTheSameHandlers(t *testing.T) {
	t.Parallel()
	dir := corpusCopy(t)
	store := privateStore(t, dir)
	ans := &hooked{real: answer.New(store, wiring.AnswerOptions(answer.Options{}, wiring.MustLanguage()))}
	in := strings.NewReader(strings.Join([]string{
		"/help",
		"When did Albania cut diplomatic ties with Iran?",
		"When was that?",
		"/ask Who attacked Albania?",
		"/sources TIMS",
		"/timeline",
		"/summary kosovo",
		"/refresh",
		"/bogus",
		"/ask",
		"/quit",
		"Never read",
	}, "\n"))
	var out strings.Builder
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	err := bot.Console(ctx, in, &out, bot.ConsoleOptions{Answerer: ans, Library: wiring.Library(store), Refresher: refresherFor(t, store), About: builtIn()})
	if err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{
		"/sources <query>", // help
		"topics: " + strings.Join(corpus.DefaultProfile().TopicIDs(), ", "), // help
		"**Sources**",                  // answers
		"**Q:** Who attacked Albania?", // /ask echoes
		"**Top passages for:** TIMS",   // /sources
		"**Timeline of " + corpus.DefaultProfile().Subject() + "**", // /timeline
		"**Summary — " + topicTitle(t, "kosovo") + "**",
		"Nothing to refresh", // /refresh: the console is trusted; the corpus is unchanged
		`I don't know the command "bogus"`,
		"Please ask a question",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("console output lacks %q", want)
		}
	}
	if strings.Contains(got, "Never read") {
		t.Error("input after /quit was read")
	}
	// Plain lines are one conversation.
	var followUp answer.Request
	for _, r := range ans.requests() {
		if r.Question == "When was that?" {
			followUp = r
		}
	}
	if len(followUp.History) != 1 || followUp.History[0].Question != "When did Albania cut diplomatic ties with Iran?" {
		t.Errorf("follow-up history %+v", followUp.History)
	}
}

func TestConsoleStopsWithTheContext(t *testing.T) {
	t.Parallel()
	r, w := io.Pipe()
	defer w.Close()
	// The shared index is built (seconds under -race) before the clock
	// starts: what is timed is Console noticing the cancellation.
	opts := bot.ConsoleOptions{Answerer: newHooked(t), Library: wiring.Library(sharedStore(t))}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- bot.Console(ctx, r, io.Discard, opts)
	}()
	cancel()
	select {
	case err := <-done:
		if err != context.Canceled {
			t.Errorf("Console = %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Console did not return")
	}
}

// The answer package's own summary and timeline, through Discord.
func TestRealSummaryAndTimeline(t *testing.T) {
	t.Parallel()
	h := start(t, setup{})
	for _, cmd := range []*discordtest.Interaction{
		discordtest.SlashCommand("summary").ByMember(withPerm),
		discordtest.SlashCommand("summary", discordtest.StringOption("topic", "montenegro")).ByMember(withPerm),
		discordtest.SlashCommand("timeline").ByMember(withPerm),
	} {
		in := h.send(cmd)
		_, err := h.srv.WaitInteraction(ctxT(t, 60*time.Second), in.ID, func(r *discordtest.InteractionRecord) bool {
			return r.Original != nil && !r.Original.Loading()
		})
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(100 * time.Millisecond) // followups, if the reply was split
		rec := h.srv.Interaction(in.ID)
		all := text(rec)
		if !strings.Contains(all, "**Sources**") || strings.Contains(all, "went wrong") {
			t.Errorf("/%s:\n%s", cmd.CommandName, all)
		}
		for _, m := range messagesOf(rec) {
			if utf8.RuneCountInString(m.Content) > discordtest.MaxContentLength {
				t.Errorf("/%s: a message over the limit", cmd.CommandName)
			}
		}
	}
	checkSafeWrites(t, h.srv)
}
