package bot_test

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/incidentbot/incidentbot/bot"
	"github.com/incidentbot/incidentbot/bot/discordtest"
	"github.com/incidentbot/incidentbot/filestate"
)

func readFeedback(tb testing.TB, dir string) []bot.FeedbackRecord {
	tb.Helper()
	f, err := os.Open(filepath.Join(dir, filestate.FeedbackFile))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var out []bot.FeedbackRecord
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var r bot.FeedbackRecord
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			tb.Fatalf("feedback line %q: %v", sc.Text(), err)
		}
		out = append(out, r)
	}
	return out
}

func TestFeedbackButtonsAreRecorded(t *testing.T) {
	t.Parallel()
	h := start(t, setup{})
	const q = "When did Albania cut diplomatic ties with Iran?"
	in := h.ask(q)
	rec := h.answered(in.ID)

	click := h.send(discordtest.ButtonClick(buttonID(t, rec.Original, "fb:down:")).OnMessage(rec.Original))
	thanks := h.replied(click.ID, "Thanks, noted 👎")
	if !thanks.Original.Ephemeral() {
		t.Error("the thanks should be ephemeral")
	}
	// A second voter likes it.
	voter := discordtest.NewMember(discordtest.NewUser("1400000000000000077", "other"))
	click2 := h.send(discordtest.ButtonClick(buttonID(t, rec.Original, "fb:up:")).OnMessage(rec.Original).ByMember(voter))
	h.replied(click2.ID, "Thanks, noted 👍")

	recs := readFeedback(t, h.data)
	if len(recs) != 2 {
		t.Fatalf("%d feedback records, want 2", len(recs))
	}
	r := recs[0]
	sum := sha256.Sum256([]byte(discordtest.DefaultUserID))
	if r.Vote != "down" || r.Question != q || r.Answer == "" || len(r.Docs) == 0 || r.AnswerID != in.ID ||
		r.User != hex.EncodeToString(sum[:]) || time.Since(r.Time) > time.Minute {
		t.Errorf("record %+v", r)
	}
	if strings.Contains(string(mustRead(t, filepath.Join(h.data, filestate.FeedbackFile))), discordtest.DefaultUserID) {
		t.Error("feedback.jsonl holds a raw user ID")
	}

	var out strings.Builder
	if err := bot.FeedbackSummary(context.Background(), stateIn(t, h.data), &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "Votes: 2 (👍 1, 👎 1)") || !strings.Contains(out.String(), "👎 1  👍 1  "+q) {
		t.Errorf("summary:\n%s", out.String())
	}
}

// A made-up feedback button records nothing (see also
// TestForgedAndStaleButtonsExpire).
func TestFeedbackForAnAnswerNeverSentIsRefused(t *testing.T) {
	t.Parallel()
	h := start(t, setup{})
	host := &discordtest.Message{Content: "**Q:** Who attacked Albania?\n\nIranian hackers did. [1]\n\n**Sources**\n**[1]** *X*"}
	click := h.send(discordtest.ButtonClick("fb:up:12345").OnMessage(host))
	h.replied(click.ID, "That button has expired")
	noFeedback(t, h.data)
}

func TestFeedbackSummaryWithoutFeedback(t *testing.T) {
	t.Parallel()
	var out strings.Builder
	if err := bot.FeedbackSummary(context.Background(), stateIn(t, t.TempDir()), &out); err != nil || !strings.Contains(out.String(), "No feedback yet") {
		t.Errorf("got %q, %v", out.String(), err)
	}
}

func TestFeedbackSummaryCountsLatestVotePerUser(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	lines := []string{
		`{"time":"2026-01-01T00:00:00Z","answer_id":"a","question":"Q one?","answer":"x","docs":[],"user":"u1","vote":"up"}`,
		`{"time":"2026-01-01T00:01:00Z","answer_id":"a","question":"Q one?","answer":"x","docs":[],"user":"u1","vote":"down"}`,
		`{"time":"2026-01-01T00:02:00Z","answer_id":"b","question":"Q two?","answer":"y","docs":[],"user":"u1","vote":"down"}`,
		`{"time":"2026-01-01T00:03:00Z","answer_id":"c","question":"q two","answer":"y","docs":[],"user":"u2","vote":"down"}`,
		`{"time":"2026-01-01T00:04:00Z","answer_id":"d","question":"Q three?","answer":"z","docs":[],"user":"u2","vote":"up"}`,
		`{"torn`,
	}
	if err := os.WriteFile(filepath.Join(dir, filestate.FeedbackFile), []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if err := bot.FeedbackSummary(context.Background(), stateIn(t, dir), &out); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{"Votes: 4 (👍 1, 👎 3), 25% helpful", " 1. 👎 2  👍 0  Q two?", " 2. 👎 1  👍 0  Q one?"} {
		if !strings.Contains(got, want) {
			t.Errorf("summary lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "Q three") {
		t.Errorf("a question without 👎 is listed:\n%s", got)
	}
}

// stateIn is the shared state (feedback, history) kept in a data folder.
func stateIn(tb testing.TB, dir string) *filestate.State {
	tb.Helper()
	st, err := filestate.Open(dir, filestate.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	return st
}

func mustRead(tb testing.TB, path string) []byte {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}
