package bot

import (
	"context"
	"encoding/json"
	"github.com/incidentbot/incidentbot/filestate"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestButtonSigner(t *testing.T) {
	b, other := newButtonSigner(), newButtonSigner()
	id := b.sign("fb:up:1577409784670322688")
	if p, ok := b.verify(id); !ok || p != "fb:up:1577409784670322688" {
		t.Errorf("verify(%q) = %q, %v", id, p, ok)
	}
	for _, bad := range []string{"", ":", "fb:up:1577409784670322688", id[:len(id)-1], id + "A",
		strings.Replace(id, "fb:up", "fb:down", 1), other.sign("fb:up:1577409784670322688")} {
		if _, ok := b.verify(bad); ok {
			t.Errorf("verify(%q) accepted", bad)
		}
	}
}

// A signed button whose answer has been forgotten (it is old) still
// counts: the message the click came from says what was asked and said.
func TestVoteOnAForgottenAnswerReadsTheMessage(t *testing.T) {
	dir := t.TempDir()
	st, err := filestate.Open(dir, filestate.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	s := newService(serviceOptions{cfg: withDefaults(Config{}), feedback: st, log: slog.New(slog.DiscardHandler)})
	defer s.cancelWork()
	question := "Who attacked *Albania*? <@12>"
	rep := &recorder{}
	ev := &Event{Kind: KindComponent, ID: "2", Name: s.buttons.sign("fb:up:12345"), UserID: "7", reply: rep,
		MessageContent: "**Q:** " + userText(question, asMarkdown, 0) + "\n\nIranian hackers did. [1]\n\n**Sources**\n**[1]** *X*"}
	s.router.Dispatch(context.Background(), ev)
	if len(rep.sent) != 1 || !strings.HasPrefix(rep.sent[0].Text, "Thanks") {
		t.Fatalf("replies %+v", rep.sent)
	}
	b, err := os.ReadFile(filepath.Join(dir, filestate.FeedbackFile))
	if err != nil {
		t.Fatal(err)
	}
	var r FeedbackRecord
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	if r.AnswerID != "12345" || r.Question != question || r.Answer != "Iranian hackers did. [1]" || r.Vote != "up" {
		t.Errorf("record %+v", r)
	}
}
