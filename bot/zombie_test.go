package bot_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/incidentbot/incidentbot/bot/discordtest"
)

// A connection whose heartbeats stop being acknowledged is replaced within
// two heartbeat intervals, closed with a code that keeps the session, and
// RESUMEd (no second IDENTIFY); /healthz says not ready meanwhile, and the
// bot answers again afterwards.
func TestZombieConnectionIsResumedWithinTwoIntervals(t *testing.T) {
	t.Parallel()
	const interval = 2 * time.Second
	h := start(t, setup{srv: discordtest.Config{HeartbeatInterval: interval}})
	h.answered(h.ask("Who attacked Albania?").ID)
	// Let a couple of ACKs teach the watchdog the interval.
	if err := h.srv.Wait(ctxT(t, 4*interval+time.Second), func() bool { return h.srv.Heartbeats() >= 3 }); err != nil {
		t.Fatal(err)
	}
	resumes := h.srv.Resumes()
	h.srv.DropHeartbeatAcks(true)
	dropped := time.Now()
	sawUnhealthy := false
	err := h.srv.Wait(ctxT(t, 4*interval+5*time.Second), func() bool {
		rec := httptest.NewRecorder()
		h.ops.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
		sawUnhealthy = sawUnhealthy || rec.Code == http.StatusServiceUnavailable
		return h.srv.Resumes() > resumes
	})
	h.srv.DropHeartbeatAcks(false)
	if err != nil {
		t.Fatalf("no RESUME after the ACKs stopped: %v", err)
	}
	if took := time.Since(dropped); took > 2*interval {
		t.Errorf("the zombie was replaced after %v; want within two heartbeat intervals (%v)", took, 2*interval)
	}
	if n := h.srv.Identifies(); n != 1 {
		t.Errorf("%d IDENTIFYs: the session should be resumed, not started again", n)
	}
	var closed []int
	for _, c := range h.srv.Connections() {
		if c.ClientCloseCode != 0 {
			closed = append(closed, c.ClientCloseCode)
		}
	}
	for _, code := range closed {
		if code == websocket.CloseNormalClosure || code == websocket.CloseGoingAway {
			t.Errorf("closed with %d, which ends the session", code)
		}
	}
	if !sawUnhealthy {
		t.Error("/healthz never said not ready while the gateway was down")
	}
	rec := h.answered(h.ask("When did Albania cut diplomatic ties with Iran?").ID)
	if !strings.Contains(rec.Original.Content, "[1]") {
		t.Errorf("answer after the resume:\n%s", rec.Original.Content)
	}
}
