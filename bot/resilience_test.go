package bot_test

import (
	"context"
	"errors"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/incidentbot/incidentbot"
	"github.com/incidentbot/incidentbot/answer"
	"github.com/incidentbot/incidentbot/bot"
	"github.com/incidentbot/incidentbot/bot/discordtest"
	"github.com/incidentbot/incidentbot/internal/wiring"
)

// gated makes Ask wait for release (or its context) before answering.
func gated(tb testing.TB) (*hooked, chan struct{}, chan struct{}) {
	ans := newHooked(tb)
	started, release := make(chan struct{}, 16), make(chan struct{})
	ans.ask = func(ctx context.Context, req answer.Request) (*incidentbot.Answer, error) {
		started <- struct{}{}
		select {
		case <-release:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		return ans.real.Ask(ctx, req)
	}
	return ans, started, release
}

func waitChan(tb testing.TB, c <-chan struct{}, what string) {
	tb.Helper()
	select {
	case <-c:
	case <-time.After(30 * time.Second):
		tb.Fatalf("timed out waiting for %s", what)
	}
}

func TestRateLimited429IsRetried(t *testing.T) {
	t.Parallel()
	h := start(t, setup{})
	h.srv.RateLimitNext(discordtest.RouteInteractionCallback, 1, 200*time.Millisecond)
	h.srv.RateLimitNext(discordtest.RouteEditOriginal, 2, 300*time.Millisecond)
	rec := h.answered(h.ask("Who attacked Albania?").ID)
	limited := 0
	for _, c := range h.srv.Calls() {
		if c.RateLimited {
			limited++
		}
	}
	if limited != 3 {
		t.Errorf("%d calls were rate limited, want 3", limited)
	}
	if !rec.Acked() || rec.HasError(discordtest.CodeUnknownInteraction) {
		t.Errorf("interaction not acknowledged in time: %+v", rec.Errors)
	}
}

func TestGatewayReconnectResumesAndKeepsAnswering(t *testing.T) {
	t.Parallel()
	h := start(t, setup{})
	h.answered(h.ask("Who attacked Albania?").ID)
	if err := h.srv.Reconnect(); err != nil {
		t.Fatal(err)
	}
	err := h.srv.Wait(ctxT(t, 30*time.Second), func() bool {
		for _, r := range h.srv.ResumeRecords() {
			if r.Accepted {
				return true
			}
		}
		return false
	})
	if err != nil {
		t.Fatalf("no accepted RESUME after op 7: %v (identifies %d)", err, h.srv.Identifies())
	}
	if n := h.srv.Identifies(); n != 1 {
		t.Errorf("%d IDENTIFYs, want 1: the session should be resumed, not restarted", n)
	}
	rec := h.answered(h.ask("When did Albania cut diplomatic ties with Iran?").ID)
	if !strings.Contains(rec.Original.Content, "[1]") {
		t.Errorf("answer after resume:\n%s", rec.Original.Content)
	}
}

func TestHandlerPanicIsRecovered(t *testing.T) {
	t.Parallel()
	ans := newHooked(t)
	ans.ask = func(ctx context.Context, req answer.Request) (*incidentbot.Answer, error) {
		if strings.Contains(req.Question, "PANIC") {
			panic("injected failure")
		}
		return ans.real.Ask(ctx, req)
	}
	h := start(t, setup{answerer: ans})
	in := h.ask("PANIC please")
	h.replied(in.ID, "Sorry, something went wrong")
	logs := h.logs.String()
	if !strings.Contains(logs, "handler panicked") || !strings.Contains(logs, "interaction_id="+in.ID) || !strings.Contains(logs, "injected failure") {
		t.Errorf("the panic is not logged with its interaction:\n%s", tail(logs, 3000))
	}
	// The process lives on, and so does the answer slot.
	h.answered(h.ask("Who attacked Albania?").ID)
	h.waitMetric("incidentbot_panics_total 1")
}

func TestDisallowedIntentGivesAClearError(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t, discordtest.Config{DisallowedIntents: discordtest.IntentMessageContent})
	h := newBot(t, srv, setup{})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := h.bot.Run(ctx)
	var gerr *bot.GatewayError
	if !errors.As(err, &gerr) || gerr.Code != 4014 {
		t.Fatalf("Run = %v, want a 4014 GatewayError", err)
	}
	for _, want := range []string{"4014", "Message Content Intent", "developer portal", "discord.mentions: false"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}

	// Without mentions the bot does not ask for the intent and runs.
	h2 := newBot(t, srv, setup{cfg: func(c *bot.Config) { c.Mentions = false }})
	h2.run()
	recs := srv.IdentifyRecords()
	if got := recs[len(recs)-1]; got.CloseCode != 0 || got.Intents&discordtest.IntentMessageContent != 0 {
		t.Errorf("identify %+v", got)
	}
	h2.answered(h2.ask("Who attacked Albania?").ID)
}

func TestIntentsAndShards(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t, discordtest.Config{})
	h := newBot(t, srv, setup{cfg: func(c *bot.Config) { c.AllowDMs, c.ShardID, c.ShardCount = true, 1, 2 }})
	h.run()
	rec := srv.IdentifyRecords()[0]
	want := discordtest.IntentGuilds | discordtest.IntentGuildMessages | discordtest.IntentMessageContent | discordtest.IntentDirectMessages
	if rec.Intents != want {
		t.Errorf("intents %b, want %b", rec.Intents, want)
	}
	if rec.Shard == nil || *rec.Shard != [2]int{1, 2} {
		t.Errorf("shard %v, want [1 2]", rec.Shard)
	}
	if n := len(srv.CallsTo(discordtest.RouteBulkOverwriteGuildCommands)); n != 0 {
		t.Errorf("shard 1 registered commands %d times; shard 0 does that", n)
	}
}

func TestDeletedThinkingMessageAndExpiredToken(t *testing.T) {
	t.Parallel()
	ans, started, release := gated(t)
	h := start(t, setup{answerer: ans})

	deleted := h.ask("Who attacked Albania?")
	waitChan(t, started, "the first answer to start")
	if _, err := h.srv.WaitInteraction(ctxT(t, 10*time.Second), deleted.ID, nil); err != nil {
		t.Fatal(err)
	}
	if err := h.srv.DeleteOriginal(deleted.ID); err != nil {
		t.Fatal(err)
	}
	expired := h.ask("When did Albania cut diplomatic ties with Iran?")
	waitChan(t, started, "the second answer to start")
	if _, err := h.srv.WaitInteraction(ctxT(t, 10*time.Second), expired.ID, nil); err != nil {
		t.Fatal(err)
	}
	if err := h.srv.ExpireToken(expired.ID); err != nil {
		t.Fatal(err)
	}
	close(release)

	for _, tc := range []struct {
		id   string
		code int
	}{{deleted.ID, discordtest.CodeUnknownMessage}, {expired.ID, discordtest.CodeInvalidWebhookToken}} {
		if _, err := h.srv.WaitInteraction(ctxT(t, 30*time.Second), tc.id, func(r *discordtest.InteractionRecord) bool { return r.HasError(tc.code) }); err != nil {
			t.Fatalf("waiting for %d: %v", tc.code, err)
		}
		// One failed edit, then silence: no error reply into the void.
		time.Sleep(200 * time.Millisecond)
		if rec := h.srv.Interaction(tc.id); len(rec.Errors) != 1 {
			t.Errorf("interaction with %d: errors %v, want exactly one", tc.code, rec.Errors)
		}
	}
	if logs := h.logs.String(); !strings.Contains(logs, "the interaction or message is gone") {
		t.Errorf("not logged:\n%s", tail(logs, 2000))
	}
	h.answered(h.ask("Who attacked Albania?").ID)
	h.waitMetric(`incidentbot_discord_errors_total{code="10008"} 1`)
	h.waitMetric(`incidentbot_discord_errors_total{code="50027"} 1`)
}

func TestBusyWhenTheQueueIsFull(t *testing.T) {
	t.Parallel()
	ans, started, release := gated(t)
	h := start(t, setup{answerer: ans, cfg: func(c *bot.Config) { c.MaxConcurrent, c.QueueSize = 1, 1 }})
	first := h.ask("Who attacked Albania?")
	waitChan(t, started, "the first answer")
	queued := h.ask("When did Albania cut diplomatic ties with Iran?")
	if _, err := h.srv.WaitInteraction(ctxT(t, 10*time.Second), queued.ID, nil); err != nil {
		t.Fatal(err)
	}
	rec := h.replied(h.ask("What is TIMS?").ID, "I'm busy answering other questions")
	if !rec.Original.Ephemeral() {
		t.Error("busy reply should be ephemeral")
	}
	close(release)
	h.answered(first.ID)
	h.answered(queued.ID)
}

func TestShutdownLetsAnswersFinish(t *testing.T) {
	t.Parallel()
	ans, started, release := gated(t)
	h := start(t, setup{answerer: ans})
	slow := h.ask("Who attacked Albania?")
	waitChan(t, started, "the answer")
	h.cancel() // SIGTERM
	// Wait until the bot has begun draining: an interaction that arrives
	// before it has seen the signal is rightly answered as usual.
	h.waitLog("shutting down")

	// New interactions during the drain are turned away politely.
	late := h.send(discordtest.SlashCommand("ask", discordtest.StringOption("question", "Anything?")))
	h.replied(late.ID, "I'm restarting")
	close(release)
	h.answered(slow.ID)
	if err := h.stop(); err != nil {
		t.Errorf("Run = %v", err)
	}
	conns := h.srv.Connections()
	if last := conns[len(conns)-1]; last.ClientCloseCode != 1000 {
		t.Errorf("gateway closed with %d, want 1000", last.ClientCloseCode)
	}
}

func TestShutdownTimeoutCancelsStuckAnswers(t *testing.T) {
	t.Parallel()
	ans, started, _ := gated(t) // never released
	h := start(t, setup{answerer: ans, cfg: func(c *bot.Config) { c.ShutdownTimeout = 300 * time.Millisecond }})
	h.ask("Who attacked Albania?")
	waitChan(t, started, "the answer")
	begin := time.Now()
	if err := h.stop(); err != nil {
		t.Errorf("Run = %v", err)
	}
	if d := time.Since(begin); d > 5*time.Second {
		t.Errorf("shutdown took %v", d)
	}
}

func TestHealthzAndMetrics(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t, discordtest.Config{})
	h := newBot(t, srv, setup{listen: "127.0.0.1:0"})

	// Before connecting: unhealthy.
	rr := httptest.NewRecorder()
	h.ops.ServeHTTP(rr, httptest.NewRequest("GET", "/healthz", nil))
	if rr.Code != http.StatusServiceUnavailable {
		t.Errorf("healthz before Run = %d", rr.Code)
	}
	h.run()
	addr := h.opsAddr
	if addr == "" {
		t.Fatal("no operations address")
	}
	resp, err := h.client.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || strings.TrimSpace(string(body)) != "ok" {
		t.Errorf("healthz = %d %q", resp.StatusCode, body)
	}
	h.answered(h.ask("Who attacked Albania?").ID)
	h.waitMetric("incidentbot_questions_answered_total 1") // counted once the reply is out
	resp, err = h.client.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	m := string(body)
	for _, want := range []string{
		"incidentbot_questions_answered_total 1", "incidentbot_questions_refused_total 0", "incidentbot_questions_fallback_total 0",
		// The Go runtime's and the process's own series, beside the bot's.
		"\ngo_goroutines ", "\nprocess_resident_memory_bytes ",
		"incidentbot_answer_latency_seconds_count 1", `incidentbot_ack_latency_seconds_bucket{le="+Inf"} 1`,
		"incidentbot_gateway_connected 1",
	} {
		if !strings.Contains(m, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	if v := gaugeValue(m, "incidentbot_index_passages"); v < 50 {
		t.Errorf("index passages gauge %v", v)
	}
	if v := gaugeValue(m, "incidentbot_index_age_seconds"); v <= 0 || v > 3600 {
		t.Errorf("index age gauge %v", v)
	}
	// Which published index is served, and when it was built.
	served := h.bot.Served()
	if served == nil || !strings.Contains(m, `incidentbot_index_info{version="`+served.Version+`"} 1`) {
		t.Errorf("metrics do not name the index served (%+v)", served)
	}
	if v := gaugeValue(m, "incidentbot_index_built_timestamp_seconds"); served == nil || math.Abs(v-float64(served.BuiltAt.UnixNano())/1e9) > 1 {
		t.Errorf("index built gauge %v, index built %v", v, served)
	}
}

func (h *harness) metricsText() string {
	rr := httptest.NewRecorder()
	h.ops.ServeHTTP(rr, httptest.NewRequest("GET", "/metrics", nil))
	return rr.Body.String()
}

// waitMetric waits until /metrics contains want.
func (h *harness) waitMetric(want string) {
	h.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(h.metricsText(), want) {
		if time.Now().After(deadline) {
			h.t.Fatalf("metrics never showed %q:\n%s", want, h.metricsText())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitLog waits until the bot's log contains want.
func (h *harness) waitLog(want string) {
	h.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(h.logs.String(), want) {
		if time.Now().After(deadline) {
			h.t.Fatalf("the bot never logged %q:\n%s", want, tail(h.logs.String(), 2000))
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func gaugeValue(metrics, name string) float64 {
	m := regexp.MustCompile(`(?m)^` + name + ` (\S+)$`).FindStringSubmatch(metrics)
	if m == nil {
		return -1
	}
	v, _ := strconv.ParseFloat(m[1], 64)
	return v
}

func TestGatewayDropsAreSurvived(t *testing.T) {
	t.Parallel()
	h := start(t, setup{})
	for _, code := range []int{4000, 4009} { // resumable, then not
		identifies := h.srv.Identifies()
		resumes := h.srv.Resumes()
		if err := h.srv.CloseGateway(code); err != nil {
			t.Fatal(err)
		}
		// After 4000 the session may be resumed, or identified anew:
		// discordgo answers the server's close frame with its own 1000,
		// which ends the session if it arrives first. Either way the bot
		// must be back.
		err := h.srv.Wait(ctxT(t, 30*time.Second), func() bool {
			for _, r := range h.srv.ResumeRecords()[resumes:] {
				if r.Accepted {
					return true
				}
			}
			return h.srv.Identifies() > identifies
		})
		if err != nil {
			t.Fatalf("after close %d: %v", code, err)
		}
		h.answered(h.ask("Who attacked Albania?").ID)
	}
}

func TestWrongTokenGivesAClearError(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t, discordtest.Config{})
	cfg := testConfig()
	cfg.APIBase = srv.APIBase()
	b, err := bot.New(bot.Options{Config: cfg, Token: "not-the-token", Answerer: newHooked(t), Library: wiring.Library(sharedStore(t)), HTTPClient: loopbackClient()})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err = b.Run(ctx)
	var gerr *bot.GatewayError
	if !errors.As(err, &gerr) || gerr.Code != 4004 || !strings.Contains(err.Error(), "discord.token_env") {
		t.Fatalf("Run = %v, want a 4004 GatewayError naming discord.token_env", err)
	}
	if strings.Contains(err.Error(), "not-the-token") {
		t.Error("the error quotes the token")
	}
}
