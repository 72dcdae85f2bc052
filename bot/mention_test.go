package bot_test

import (
	"strings"
	"testing"
	"time"

	"github.com/incidentbot/incidentbot/bot/discordtest"
)

// threadAnswer waits for the thread opened on message msgID and the bot's
// answer in it (the message carrying the feedback buttons).
func threadAnswer(tb testing.TB, h *harness, msgID string) (discordtest.Thread, *discordtest.Message) {
	tb.Helper()
	var th discordtest.Thread
	err := h.srv.Wait(ctxT(tb, 60*time.Second), func() bool {
		for _, t := range h.srv.Threads() {
			if t.StarterMessageID == msgID {
				th = t
				return true
			}
		}
		return false
	})
	if err != nil {
		tb.Fatalf("no thread opened on message %s: %v", msgID, err)
	}
	return th, botAnswerIn(tb, h, th.ID, 1)
}

// botAnswerIn waits until channel holds n bot messages with buttons and
// returns the nth.
func botAnswerIn(tb testing.TB, h *harness, channel string, n int) *discordtest.Message {
	tb.Helper()
	var found *discordtest.Message
	err := h.srv.Wait(ctxT(tb, 60*time.Second), func() bool {
		count := 0
		for _, m := range h.srv.ChannelMessages(channel) {
			if m.Kind == discordtest.KindChannelMessage && len(m.Buttons()) > 0 {
				count++
				if count == n {
					found = m
					return true
				}
			}
		}
		return false
	})
	if err != nil {
		tb.Fatalf("waiting for bot answer %d in %s: %v", n, channel, err)
	}
	return found
}

func TestMentionOpensThreadAndFollowUpUsesContext(t *testing.T) {
	t.Parallel()
	spy := newHooked(t)
	h := start(t, setup{answerer: spy})

	chatter := discordtest.UserMessage("nice weather today")
	if err := h.srv.SendMessage(chatter); err != nil {
		t.Fatal(err)
	}
	const first = "When did Albania cut diplomatic ties with Iran?"
	msg := discordtest.UserMessage(first).MentioningBot()
	if err := h.srv.SendMessage(msg); err != nil {
		t.Fatal(err)
	}
	th, ans := threadAnswer(t, h, msg.ID)
	if !strings.HasPrefix(th.Name, "When did Albania cut diplomatic ties") || th.Type != 11 {
		t.Errorf("thread %q type %d, want a public thread named after the question", th.Name, th.Type)
	}
	if !strings.Contains(ans.Content, "[1]") || !strings.Contains(ans.Content, "**Sources**") || strings.Contains(ans.Content, "**Q:**") {
		t.Errorf("thread answer:\n%s", ans.Content)
	}

	// A follow-up in the thread needs no mention and sees the first turn.
	follow := discordtest.UserMessage("When was that?").InChannel(th.ID)
	if err := h.srv.SendMessage(follow); err != nil {
		t.Fatal(err)
	}
	second := botAnswerIn(t, h, th.ID, 2)
	reqs := spy.requests()
	last := reqs[len(reqs)-1]
	if last.Question != "When was that?" || len(last.History) != 1 || last.History[0].Question != first || last.History[0].Answer == "" {
		t.Fatalf("follow-up request %+v, want the first turn as history", last)
	}
	if !strings.Contains(second.Content, "[1]") {
		t.Errorf("follow-up answer:\n%s", second.Content)
	}

	// Nothing answered the chatter, and only one thread was opened.
	for _, m := range h.srv.ChannelMessages(discordtest.DefaultChannelID) {
		if m.ReferenceID == chatter.ID {
			t.Error("the bot answered a message that did not mention it")
		}
	}
	if n := len(h.srv.Threads()); n != 1 {
		t.Errorf("%d threads, want 1", n)
	}
	checkSafeWrites(t, h.srv)
}

func TestThreadHistorySurvivesRestart(t *testing.T) {
	t.Parallel()
	spy := newHooked(t)
	h := start(t, setup{answerer: spy})
	const first = "When did Albania cut diplomatic ties with Iran?"
	msg := discordtest.UserMessage(first).MentioningBot()
	if err := h.srv.SendMessage(msg); err != nil {
		t.Fatal(err)
	}
	th, ans := threadAnswer(t, h, msg.ID)
	if err := h.stop(); err != nil {
		t.Fatal(err)
	}

	// A new process: no memory of the thread but what Discord holds.
	spy2 := newHooked(t)
	h2 := newBot(t, h.srv, setup{answerer: spy2})
	h2.run()
	if err := h2.srv.SendMessage(discordtest.UserMessage("When was that?").InChannel(th.ID)); err != nil {
		t.Fatal(err)
	}
	botAnswerIn(t, h2, th.ID, 2)
	reqs := spy2.requests()
	if len(reqs) != 1 || len(reqs[0].History) != 1 {
		t.Fatalf("requests after restart %+v, want one with the first turn", reqs)
	}
	turn := reqs[0].History[0]
	if turn.Question != first || !strings.HasPrefix(ans.Content, turn.Answer) || turn.Answer == "" {
		t.Errorf("rebuilt turn %+v from answer %q", turn, ans.Content)
	}
}

func TestEmptyMentionGetsAHint(t *testing.T) {
	t.Parallel()
	h := start(t, setup{})
	msg := discordtest.UserMessage("").MentioningBot()
	if err := h.srv.SendMessage(msg); err != nil {
		t.Fatal(err)
	}
	m, err := h.srv.WaitMessage(ctxT(t, 30*time.Second), discordtest.DefaultChannelID, func(m *discordtest.Message) bool {
		return m.Kind == discordtest.KindChannelMessage && m.ReferenceID == msg.ID
	})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(m.Content, "Ask me something after the mention") {
		t.Errorf("hint: %q", m.Content)
	}
	if len(h.srv.Threads()) != 0 {
		t.Error("a thread was opened for an empty question")
	}
}
