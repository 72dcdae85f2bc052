package bot_test

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/incidentbot/incidentbot/bot"
	"github.com/incidentbot/incidentbot/bot/discordtest"
)

func TestAskDefersThenEditsWithCitations(t *testing.T) {
	t.Parallel()
	h := start(t, setup{})
	in := h.ask("When did Albania cut diplomatic ties with Iran?")
	rec := h.answered(in.ID)

	if len(rec.Callbacks) == 0 || rec.Callbacks[0].Type != discordtest.CallbackDeferredMessage || !rec.Callbacks[0].Accepted {
		t.Fatalf("first callback = %+v, want an accepted deferral (type 5)", rec.Callbacks)
	}
	if rec.AckLatency <= 0 || rec.AckLatency > 3e9 {
		t.Errorf("ack latency %v", rec.AckLatency)
	}
	if rec.Original.Ephemeral() {
		t.Error("the answer is ephemeral; /ask answers are public")
	}
	got := rec.Original.Content
	for _, want := range []string{"**Q:** When did Albania cut diplomatic ties with Iran?", "[1]", "**Sources**", "**[1]** *", "⟨[1]⟩"} {
		if !strings.Contains(got, want) {
			t.Errorf("answer lacks %q:\n%s", want, got)
		}
	}
	var labels []string
	for _, b := range rec.Original.Buttons() {
		if b.Emoji != nil {
			labels = append(labels, b.Emoji.Name)
		}
	}
	if strings.Join(labels, " ") != "👍 👎" {
		t.Errorf("buttons %v, want 👍 👎", labels)
	}
	if len(rec.Errors) > 0 {
		t.Errorf("Discord errors: %v", rec.Errors)
	}
	checkSafeWrites(t, h.srv)

	cmds := h.srv.Commands(discordtest.DefaultGuildID)
	var names []string
	for _, c := range cmds {
		names = append(names, c.Name)
	}
	if strings.Join(names, ",") != "ask,refresh,sources,summary,timeline" {
		t.Errorf("guild commands %v", names)
	}
	if len(h.srv.Commands("")) != 0 {
		t.Error("commands registered globally although a guild is configured")
	}
	if len(h.srv.CallsTo(discordtest.RouteBulkOverwriteGuildCommands)) != 1 {
		t.Error("want exactly one bulk overwrite")
	}
}

func TestSourcesListsPassages(t *testing.T) {
	t.Parallel()
	h := start(t, setup{})
	in := h.send(discordtest.SlashCommand("sources", discordtest.StringOption("query", "TIMS border system")))
	rec := h.replied(in.ID, "**Top passages for:** TIMS border system")
	if !strings.Contains(rec.Original.Content, "**1.** *") || !strings.Contains(rec.Original.Content, "**3.** *") || !strings.Contains(rec.Original.Content, "TIMS") {
		t.Errorf("want numbered passages about TIMS:\n%s", rec.Original.Content)
	}
	if utf8.RuneCountInString(rec.Original.Content) > discordtest.MaxContentLength {
		t.Error("over the limit")
	}
	checkSafeWrites(t, h.srv)
}

func TestInvalidQuestionsGetEphemeralReplies(t *testing.T) {
	t.Parallel()
	h := start(t, setup{})
	// A refusal (handlers_test.go has them all) is Discord's immediate,
	// ephemeral callback, not a deferral.
	in := h.ask(strings.Repeat("why ", 400))
	rec := h.replied(in.ID, "too long (1599 characters, the limit is 1000)")
	if rec.ResponseType != discordtest.CallbackChannelMessage || !rec.Original.Ephemeral() {
		t.Errorf("response type %d ephemeral=%v, want an immediate ephemeral message", rec.ResponseType, rec.Original.Ephemeral())
	}
	checkSafeWrites(t, h.srv)
}

func TestDMsAllowed(t *testing.T) {
	t.Parallel()
	h := start(t, setup{cfg: func(c *bot.Config) { c.AllowDMs = true }})
	in := h.send(discordtest.SlashCommand("ask", discordtest.StringOption("question", "Who attacked Albania?")).InDM(discordtest.DefaultUser))
	h.answered(in.ID)

	msg := discordtest.UserMessage("When did Albania cut diplomatic ties with Iran?").InDM()
	if err := h.srv.SendMessage(msg); err != nil {
		t.Fatal(err)
	}
	ans := botAnswerIn(t, h, msg.ChannelID, 1)
	if !strings.Contains(ans.Content, "**Sources**") || ans.ReferenceID != msg.ID {
		t.Errorf("DM answer (reference %q):\n%s", ans.ReferenceID, ans.Content)
	}
	if len(h.srv.Threads()) != 0 {
		t.Error("a thread was opened in a DM")
	}
	checkSafeWrites(t, h.srv)
}

func TestTooLateToAcknowledgeIsDropped(t *testing.T) {
	t.Parallel()
	h := start(t, setup{})
	h.srv.SetAckDeadline(time.Nanosecond)
	in := h.ask("Who attacked Albania?")
	_, err := h.srv.WaitInteraction(ctxT(t, 30*time.Second), in.ID, func(r *discordtest.InteractionRecord) bool {
		return r.HasError(discordtest.CodeUnknownInteraction)
	})
	if err != nil {
		t.Fatal(err)
	}
	h.srv.SetAckDeadline(3 * time.Second)
	h.answered(h.ask("When did Albania cut diplomatic ties with Iran?").ID)
	rec := h.srv.Interaction(in.ID)
	if len(rec.Callbacks) != 1 || len(rec.Errors) != 1 || rec.Original != nil {
		t.Errorf("after 10062 the bot kept trying: callbacks %d, errors %v", len(rec.Callbacks), rec.Errors)
	}
	if !strings.Contains(h.logs.String(), "could not acknowledge in time") {
		t.Error("the late acknowledgement is not logged")
	}
	if strings.Contains(h.logs.String(), h.srv.Token()) {
		t.Error("the token appears in the log")
	}
}

func TestRefusalShowsClosestSourcesLabelled(t *testing.T) {
	t.Parallel()
	h := start(t, setup{})
	rec := h.answered(h.ask("What is the capital of Peru?").ID)
	got := rec.Original.Content
	if !strings.Contains(got, "**Closest sources** (related passages; they do not answer the question)") || strings.Contains(got, "\n**Sources**") {
		t.Errorf("refusal:\n%s", got)
	}
	h.waitMetric("incidentbot_questions_refused_total 1")
}
