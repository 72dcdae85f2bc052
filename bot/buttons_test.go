package bot_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/incidentbot/incidentbot/bot/discordtest"
	"github.com/incidentbot/incidentbot/filestate"
)

// buttonID returns the custom_id of the button on m whose id starts with
// prefix ("fb:up:", "fb:down:", "src:").
func buttonID(tb testing.TB, m *discordtest.Message, prefix string) string {
	tb.Helper()
	for _, b := range m.Buttons() {
		if strings.HasPrefix(b.CustomID, prefix) {
			return b.CustomID
		}
	}
	tb.Fatalf("no button %q… on the message; buttons %+v", prefix, m.Buttons())
	return ""
}

// otherID is id with its last digit changed.
func otherID(id string) string {
	last := id[len(id)-1]
	return id[:len(id)-1] + string('0'+(last-'0'+1)%10)
}

// noFeedback checks that feedback.jsonl was never written.
func noFeedback(tb testing.TB, dataDir string) {
	tb.Helper()
	if b, err := os.ReadFile(filepath.Join(dataDir, filestate.FeedbackFile)); err == nil {
		tb.Errorf("feedback written for a button the bot did not send:\n%s", b)
	}
}

// Only the buttons the bot sent, for the answer it sent them with, do
// anything: a made-up id, an id altered to name another answer or vote,
// and a real button of another process (as after a restart) each get
// "That button has expired", ephemerally, and write nothing.
func TestForgedAndStaleButtonsExpire(t *testing.T) {
	t.Parallel()
	h := start(t, setup{})
	other := start(t, setup{}) // another process: another key
	in := h.ask("When did Albania cut diplomatic ties with Iran?")
	rec := h.answered(in.ID)
	up, down := buttonID(t, rec.Original, "fb:up:"), buttonID(t, rec.Original, "fb:down:")
	if !strings.HasPrefix(up, "fb:up:"+in.ID+":") || len(up) > 100 {
		t.Errorf("feedback custom_id %q: want fb:up:<answer id>:<signature>, at most 100 characters", up)
	}
	foreign := other.answered(other.ask("Who attacked Albania?").ID)

	sig := up[strings.LastIndexByte(up, ':'):]
	host := &discordtest.Message{Content: "**Q:** Who attacked Albania?\n\nIranian hackers did. [1]\n\n**Sources**\n**[1]** *X*"}
	for _, tc := range []struct{ name, id string }{
		{"made up", "fb:up:12345"},
		{"made up, signature-shaped", "fb:up:12345:AAAAAAAAAAAAAAAA"},
		{"another answer's id", "fb:up:" + otherID(in.ID) + sig},
		{"the other vote's signature", "fb:down:" + in.ID + sig},
		{"no answer id", "fb:up"},
		{"from another process", buttonID(t, foreign.Original, "fb:up:")},
		{"show sources, made up", "src:" + in.ID},
		{"show sources, from another process", "src:" + strings.TrimPrefix(buttonID(t, foreign.Original, "fb:up:"), "fb:up:")},
		{"no such button", "vote:" + in.ID},
	} {
		click := h.send(discordtest.ButtonClick(tc.id).OnMessage(host))
		r := h.replied(click.ID, "That button has expired")
		if !r.Original.Ephemeral() {
			t.Errorf("%s: the reply is public", tc.name)
		}
		if strings.Contains(r.Original.Content, tc.id) {
			t.Errorf("%s: the reply names the custom_id: %q", tc.name, r.Original.Content)
		}
	}
	noFeedback(t, h.data)

	// The real buttons still work.
	h.replied(h.send(discordtest.ButtonClick(down).OnMessage(rec.Original)).ID, "Thanks, noted 👎")
	if recs := readFeedback(t, h.data); len(recs) != 1 || recs[0].AnswerID != in.ID || recs[0].Vote != "down" {
		t.Errorf("feedback %+v", recs)
	}
	checkSafeWrites(t, h.srv)
}
