package bot_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/incidentbot/incidentbot"
	"github.com/incidentbot/incidentbot/answer"
	"github.com/incidentbot/incidentbot/bot/discordtest"
)

// longAnswer has a body of about 5,000 characters and twelve sources with
// long quotes: four or five messages' worth.
func longAnswer(q string) *incidentbot.Answer {
	a := &incidentbot.Answer{Question: q, Mode: incidentbot.ModeLLM} // written by a model: its sources show their quotes
	var body strings.Builder
	for i := 0; i < 36; i++ {
		n := i%12 + 1
		fmt.Fprintf(&body, "Sentence %d says that the attackers, whoever they were, reached the systems of the state and stayed there for a long while. [%d] ", i, n)
		if i%7 == 6 {
			body.WriteString("\n\n")
		}
	}
	a.Text = body.String()
	for n := 1; n <= 12; n++ {
		a.Citations = append(a.Citations, incidentbot.Citation{
			N: n, Doc: fmt.Sprintf("doc%02d", n), Title: fmt.Sprintf("Article %d", n), Outlet: "Wire", Date: "2022-09-16",
			URL: fmt.Sprintf("https://example.org/%d", n), Quote: strings.Repeat(fmt.Sprintf("quoted words of source %d ", n), 25),
		})
	}
	return a
}

var markerRe = regexp.MustCompile(`\[\d+\]`)

func TestLongAnswerIsSplitWithinLimits(t *testing.T) {
	t.Parallel()
	ans := newHooked(t)
	ans.ask = func(ctx context.Context, req answer.Request) (*incidentbot.Answer, error) {
		return longAnswer(req.Question), nil
	}
	h := start(t, setup{answerer: ans})

	in := h.ask("Tell me everything about the attacks")
	rec := h.answered(in.ID)
	msgs := messagesOf(rec)
	if len(msgs) < 3 {
		t.Fatalf("%d messages, want the answer split over several", len(msgs))
	}
	markers := 0
	for i, m := range msgs {
		if n := utf8.RuneCountInString(m.Content); n > discordtest.MaxContentLength || n == 0 {
			t.Errorf("message %d has %d characters", i, n)
		}
		if markerAtEdgeRe.MatchString(m.Content) {
			t.Errorf("message %d starts or ends inside a [n] marker: %q … %q", i, m.Content[:20], m.Content[len(m.Content)-20:])
		}
		if strings.HasPrefix(m.Content, "[") {
			t.Errorf("message %d starts with a marker cut off from its sentence", i)
		}
		if (len(m.Buttons()) > 0) != (i == len(msgs)-1) {
			t.Errorf("message %d has %d buttons; buttons belong under the last message only", i, len(m.Buttons()))
		}
		markers += len(markerRe.FindAllString(m.Content, -1))
	}
	if markers != 36+12 { // 36 in the body, one per source
		t.Errorf("%d intact [n] markers, want 48", markers)
	}
	last := msgs[len(msgs)-1]
	srcID := buttonID(t, last, "src:"+in.ID+":") // "show sources", there although quotes were shortened
	if !strings.Contains(text(rec), "…”") {
		t.Error("long quotes are not trimmed with …")
	}

	// The button sends the whole list, ephemerally, split as needed.
	click := h.send(discordtest.ButtonClick(srcID).OnMessage(last))
	full, err := h.srv.WaitInteraction(ctxT(t, 30e9), click.ID, func(r *discordtest.InteractionRecord) bool {
		return r.Original != nil && strings.Contains(text(r), "**[12]**")
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range messagesOf(full) {
		if !m.Ephemeral() || utf8.RuneCountInString(m.Content) > discordtest.MaxContentLength {
			t.Errorf("source list message: ephemeral=%v, %d characters", m.Ephemeral(), utf8.RuneCountInString(m.Content))
		}
	}
	if !strings.Contains(text(full), strings.TrimSpace(strings.Repeat("quoted words of source 12 ", 25))) {
		t.Error("the full list does not hold the whole quote")
	}
	checkSafeWrites(t, h.srv)
}

func TestEveryoneInQuestionsAndAnswersPingsNobody(t *testing.T) {
	t.Parallel()
	ans := newHooked(t)
	ans.ask = func(ctx context.Context, req answer.Request) (*incidentbot.Answer, error) {
		a, err := ans.real.Ask(ctx, req)
		if err != nil {
			return nil, err
		}
		b := *a
		b.Text = "@everyone @here <@" + discordtest.DefaultUserID + "> <@&" + modRole + "> " + a.Text
		return &b, nil
	}
	h := start(t, setup{answerer: ans})
	q := "@everyone @here <@1400000000000000002> <@&" + modRole + "> when did Albania cut diplomatic ties with Iran?"
	rec := h.answered(h.ask(q).ID)
	// Echoed as typed, with the mentions escaped: they show as text.
	if !strings.Contains(rec.Original.Content, "**Q:** @\u200beveryone @\u200bhere \\<@\u200b1400000000000000002\\>") {
		t.Errorf("the question is not echoed as asked, mentions escaped:\n%s", rec.Original.Content)
	}
	if !rec.Original.Pings.None() {
		t.Errorf("the answer pings %+v", rec.Original.Pings)
	}

	// The same through a mention, answered in a thread.
	msg := discordtest.UserMessage("@everyone who attacked Albania? <@&" + modRole + ">").MentioningBot()
	if err := h.srv.SendMessage(msg); err != nil {
		t.Fatal(err)
	}
	threadAnswer(t, h, msg.ID)
	if len(h.srv.Writes()) < 3 {
		t.Fatalf("only %d writes recorded", len(h.srv.Writes()))
	}
	checkSafeWrites(t, h.srv)
}
