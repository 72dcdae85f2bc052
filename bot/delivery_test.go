package bot_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/incidentbot/incidentbot"
	"github.com/incidentbot/incidentbot/answer"
	"github.com/incidentbot/incidentbot/bot/discordtest"
)

// noErrorText checks that the bot never sent its error message: not as
// content, not in any request body.
func noErrorText(tb testing.TB, srv *discordtest.Server) {
	tb.Helper()
	for _, c := range srv.Calls() {
		if strings.Contains(string(c.Body), "Sorry, something went wrong") {
			tb.Errorf("%s %s sent the error message: %s", c.Method, c.Path, c.Body)
		}
	}
}

// A single failure that may pass, on any call of a reply, is retried and
// the answer delivered: never replaced by the error message.
func TestOneFailedDeliveryDoesNotLoseTheAnswer(t *testing.T) {
	t.Parallel()
	long := strings.TrimSpace(strings.Repeat("Albania cut diplomatic ties with Iran on 7 September 2022. [1] ", 70))
	for _, tc := range []struct {
		name  string
		route string
		fault func(*discordtest.Server)
		long  bool // an answer in three messages: @original and two followups
	}{
		{"500 on the callback", discordtest.RouteInteractionCallback, func(s *discordtest.Server) {
			s.FailNext(discordtest.RouteInteractionCallback, 1, discordtest.APIError{Status: 500})
		}, false},
		{"500 on the edit of @original", discordtest.RouteEditOriginal, func(s *discordtest.Server) {
			s.FailNext(discordtest.RouteEditOriginal, 1, discordtest.APIError{Status: 500})
		}, false},
		{"502 on the edit of @original", discordtest.RouteEditOriginal, func(s *discordtest.Server) {
			s.FailNext(discordtest.RouteEditOriginal, 1, discordtest.APIError{Status: 502})
		}, false},
		{"503 then 504 on the edit of @original", discordtest.RouteEditOriginal, func(s *discordtest.Server) {
			s.FailNext(discordtest.RouteEditOriginal, 1, discordtest.APIError{Status: 503})
			s.FailNext(discordtest.RouteEditOriginal, 1, discordtest.APIError{Status: 504})
		}, false},
		{"dropped connection on the callback", discordtest.RouteInteractionCallback, func(s *discordtest.Server) {
			s.DisconnectNext(discordtest.RouteInteractionCallback, 1)
		}, false},
		{"dropped connection on the edit of @original", discordtest.RouteEditOriginal, func(s *discordtest.Server) {
			s.DisconnectNext(discordtest.RouteEditOriginal, 1)
		}, false},
		{"500 on a followup", discordtest.RouteCreateFollowup, func(s *discordtest.Server) {
			s.FailNext(discordtest.RouteCreateFollowup, 1, discordtest.APIError{Status: 500})
		}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := setup{}
			if tc.long {
				ans := newHooked(t)
				ans.ask = func(ctx context.Context, req answer.Request) (*incidentbot.Answer, error) {
					a, err := ans.real.Ask(ctx, req)
					if err != nil {
						return nil, err
					}
					b := *a
					b.Text = long
					return &b, nil
				}
				s.answerer = ans
			}
			h := start(t, s)
			tc.fault(h.srv)
			in := h.ask("When did Albania cut diplomatic ties with Iran?")
			rec := h.answered(in.ID)
			if !strings.Contains(rec.Original.Content, "**Q:** When did Albania cut diplomatic ties with Iran?") || !strings.Contains(text(rec), "[1]") {
				t.Errorf("answer:\n%s", text(rec))
			}
			if tc.long && (len(rec.Followups) != 2 || !strings.Contains(text(rec), "**Sources**")) {
				t.Errorf("%d followups, want 2; answer:\n%s", len(rec.Followups), text(rec))
			}
			if n := len(h.srv.CallsTo(tc.route)); n < 2 {
				t.Errorf("%d calls to %s, want the failed one and its retry", n, tc.route)
			}
			if !strings.Contains(h.logs.String(), "failed; retrying") {
				t.Errorf("the retry is not logged:\n%s", tail(h.logs.String(), 2000))
			}
			noErrorText(t, h.srv)
			checkSafeWrites(t, h.srv)
			if m := h.metricsText(); !strings.Contains(m, "incidentbot_replies_undelivered_total 0") {
				t.Errorf("an answer counted as undelivered:\n%s", m)
			}
		})
	}
}

// When Discord keeps failing, the retries end with the token's life: the
// answer is logged and counted as undelivered, and the error message is
// not sent in its place.
func TestSustainedFailuresEndLoggedAndCounted(t *testing.T) {
	t.Parallel()
	h := start(t, setup{tokenTTL: 3 * time.Second})
	h.srv.FailNext(discordtest.RouteEditOriginal, 1000, discordtest.APIError{Status: 500})
	in := h.ask("When did Albania cut diplomatic ties with Iran?")
	h.waitMetric("incidentbot_replies_undelivered_total 1")

	edits := len(h.srv.CallsTo(discordtest.RouteEditOriginal))
	if edits < 3 {
		t.Errorf("%d edits of @original, want several attempts", edits)
	}
	logs := h.logs.String()
	if !strings.Contains(logs, `msg="reply not delivered"`) || !strings.Contains(logs, "interaction_id="+in.ID) {
		t.Errorf("the undelivered answer is not logged with its interaction:\n%s", tail(logs, 3000))
	}
	// The retries have stopped, and nothing was sent instead.
	time.Sleep(time.Second)
	if n := len(h.srv.CallsTo(discordtest.RouteEditOriginal)); n != edits {
		t.Errorf("%d edits after giving up, was %d", n, edits)
	}
	noErrorText(t, h.srv)
	if rec := h.srv.Interaction(in.ID); rec.Original != nil && rec.Original.Content != "" {
		t.Errorf("@original shows %q", rec.Original.Content)
	}
	h.waitMetric(`incidentbot_discord_errors_total{code="http_500"} ` + strconv.Itoa(edits))
}
