package bot

import (
	"context"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/incidentbot/incidentbot"
	"github.com/incidentbot/incidentbot/answer"
)

// These tests drive the router with Discord-free Events and a recording
// replier, as the console does: what the handlers and middleware decide.
// How a decision reaches Discord (an immediate ephemeral callback, a
// deferral and edits) is the fake-Discord suite's business.

// recorder is a replier that keeps what it is asked to do, in order.
type recorder struct {
	mu     sync.Mutex
	defers []bool // each Defer's ephemeral flag
	sent   []Reply
}

func (r *recorder) Defer(_ context.Context, ephemeral bool) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.defers = append(r.defers, ephemeral)
	return nil
}

func (r *recorder) Progress(context.Context, string) error { return nil }

func (r *recorder) Send(_ context.Context, rep Reply) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sent = append(r.sent, rep)
	return nil
}

// only is the one reply of an event answered at once: sent ephemerally,
// with nothing acknowledged first (as every refusal is).
func (r *recorder) only(t *testing.T) Reply {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.defers) > 0 || len(r.sent) != 1 || !r.sent[0].Ephemeral {
		t.Fatalf("want one ephemeral reply and no deferral; got defers %v, replies %+v", r.defers, r.sent)
	}
	return r.sent[0]
}

const (
	modRole        = "1400000000000000010"
	maintainerRole = "1400000000000000011"
	maintainerUser = "1400000000000000012"
)

// testService is the bot's router with the real answerer's question
// checks (its index is never reached: every event here is turned away
// before it would be).
func testService(t *testing.T, edit func(*Config)) *service {
	t.Helper()
	cfg := DefaultConfig()
	cfg.ModeratorRoles, cfg.MaintainerRoles, cfg.MaintainerUsers = []string{modRole}, []string{maintainerRole}, []string{maintainerUser}
	if edit != nil {
		edit(&cfg)
	}
	s := newService(serviceOptions{cfg: cfg, answerer: answer.New(nil, answer.Options{}), log: slog.New(slog.DiscardHandler),
		about: About{Subject: "the test incident", Example: "Who did it?"}})
	t.Cleanup(s.cancelWork)
	return s
}

// event is a guild member's event.
func event(kind Kind, name string, options ...string) (*Event, *recorder) {
	rec := &recorder{}
	ev := &Event{Kind: kind, ID: "1500000000000000001", Name: name, GuildID: "g", ChannelID: "c", UserID: "1400000000000000002",
		Options: map[string]string{}, Received: time.Now(), reply: rec}
	for i := 0; i+1 < len(options); i += 2 {
		ev.Options[options[i]] = options[i+1]
	}
	return ev, rec
}

func TestInvalidQuestionsAreRefusedBeforeAcknowledging(t *testing.T) {
	s := testService(t, nil)
	for _, tc := range []struct {
		kind         Kind
		name, opt, q string
		want         string
	}{
		{KindCommand, "ask", "question", "   ", "Please ask a question about the test incident, for example: Who did it?"},
		{KindCommand, "sources", "query", "", "Please ask a question about the test incident"},
		{KindMention, "", "question", "", "Ask me something after the mention, for example: Who did it?"},
		{KindCommand, "ask", "question", strings.Repeat("why ", 400), "That question is too long (1599 characters, the limit is 1000). Please shorten it."},
	} {
		ev, rec := event(tc.kind, tc.name, tc.opt, tc.q)
		s.router.Dispatch(context.Background(), ev)
		if got := rec.only(t).Text; !strings.HasPrefix(got, tc.want) {
			t.Errorf("%s %q: %q, want %q", tc.name, clip(tc.q, 10), got, tc.want)
		}
	}
}

func TestDirectMessagesWhenTurnedOff(t *testing.T) {
	ev, rec := event(KindCommand, "ask", "question", "Who attacked Albania?")
	ev.DM, ev.GuildID = true, ""
	testService(t, nil).router.Dispatch(context.Background(), ev)
	if got := rec.only(t).Text; got != msgNoDMs {
		t.Errorf("reply %q", got)
	}
}

func TestModeratorAndMaintainerCommandsRefuseOthers(t *testing.T) {
	s := testService(t, nil)
	const manageMessages = 1 << 13
	for _, tc := range []struct {
		name, custom string
		perms        int64
		roles        []string
		want         string
	}{
		{name: "summary", want: "/summary is for moderators (the Manage Messages permission or a moderator role)."},
		{name: "timeline", want: "/timeline is for moderators (the Manage Messages permission or a moderator role)."},
		{name: "refresh", want: "/refresh is for the bot's maintainers."},
		{name: "refresh", perms: manageMessages, want: "/refresh is for the bot's maintainers."},
		{name: "refresh", roles: []string{modRole}, want: "/refresh is for the bot's maintainers."},
		{custom: "refresh:apply:900012345", roles: []string{modRole}, want: "Applying a refresh is for the bot's maintainers."},
		{custom: "refresh:cancel:900012345", want: "Cancelling a refresh is for the bot's maintainers."},
	} {
		ev, rec := event(KindCommand, tc.name)
		if tc.custom != "" {
			ev, rec = event(KindComponent, tc.custom)
		}
		ev.Permissions, ev.Roles = tc.perms, tc.roles
		s.router.Dispatch(context.Background(), ev)
		if got := rec.only(t).Text; got != tc.want {
			t.Errorf("%s%s: %q, want %q", tc.name, tc.custom, got, tc.want)
		}
	}
}

// Custom ids reach their handler only when they match a route's pattern
// whole; a signed route also needs this process's signature.
func TestButtonsRoutedByPattern(t *testing.T) {
	s := testService(t, nil)
	id := "1500000000000000009"
	s.recent.put(id, &incidentbot.Answer{Question: "q", Text: "It was them. [1]",
		Citations: []incidentbot.Citation{{N: 1, Doc: "d", Title: "The Title", Quote: "the whole quote"}}})
	src := s.buttons.sign("src:" + id)
	for _, tc := range []struct{ name, custom, want string }{
		{"the real button", src, "**Sources**\n**[1]** *The Title*\n> “the whole quote”"},
		{"unsigned", "src:" + id, msgButtonExpired},
		{"a field too many", src + ":x", msgButtonExpired},
		{"signature-shaped, not ours", "src:" + id + ":AAAAAAAAAAAAAAAA", msgButtonExpired},
		{"signed, but no vote", s.buttons.sign("fb:sideways:" + id), msgButtonExpired},
		{"no route", "nothing:at:all", msgButtonExpired},
	} {
		ev, rec := event(KindComponent, tc.custom)
		s.router.Dispatch(context.Background(), ev)
		if got := rec.only(t).Text; got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestRateLimitMiddleware(t *testing.T) {
	limited := prometheus.NewCounter(prometheus.CounterOpts{Name: "limited"})
	passed := 0
	h := rateLimit(newLimiter(2, 3, time.Hour), limited, slog.New(slog.DiscardHandler))(func(context.Context, *Event) error {
		passed++
		return nil
	})
	ask := func(user string, trusted bool) *recorder {
		ev, rec := event(KindCommand, "ask", "question", "Who?")
		ev.UserID, ev.Trusted = user, trusted
		if err := h(context.Background(), ev); err != nil {
			t.Fatal(err)
		}
		return rec
	}
	for _, u := range []string{"a", "a", "b"} {
		ask(u, false)
	}
	if passed != 3 {
		t.Fatalf("%d of 3 within the limits passed", passed)
	}
	if got := ask("a", false).only(t).Text; !regexp.MustCompile(`^You're asking faster than I can keep up with. Please wait \d+ seconds and try again.$`).MatchString(got) {
		t.Errorf("user over the limit: %q", got)
	}
	if got := ask("c", false).only(t).Text; !strings.HasPrefix(got, "This channel has asked me a lot") {
		t.Errorf("channel over the limit: %q", got)
	}
	ask("a", true) // the console is not limited
	if passed != 4 || testutil.ToFloat64(limited) != 2 {
		t.Errorf("passed %d (want 4), counted %v turned away (want 2)", passed, testutil.ToFloat64(limited))
	}
}
