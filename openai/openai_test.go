package openai

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	goopenai "github.com/sashabaranov/go-openai"

	"github.com/incidentbot/incidentbot/openai/openaitest"
	"github.com/incidentbot/incidentbot/prompts"
)

const testKey = "sk-test-0123456789abcdef-SECRET"

// logBuffer collects log lines from any goroutine.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func testConfig(s *openaitest.Server, logs *logBuffer) Config {
	cfg := Config{
		BaseURL:    s.URL(),
		APIKey:     testKey,
		Model:      "test-model",
		Timeout:    2 * time.Second,
		MaxRetries: 2,
	}
	if logs != nil {
		cfg.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return cfg
}

// fast shortens backoff so retry tests stay quick; Retry-After is still
// honoured as sent.
func fast(c *conn) *conn {
	c.retry.baseDelay = 2 * time.Millisecond
	c.retry.maxDelay = 10 * time.Millisecond
	return c
}

func newChat(t *testing.T, cfg Config) *Chat {
	t.Helper()
	c, err := NewChat(cfg)
	if err != nil {
		t.Fatal(err)
	}
	fast(c.conn)
	return c
}

func newEmbedder(t *testing.T, cfg Config) *Embedder {
	t.Helper()
	e, err := NewEmbedder(cfg)
	if err != nil {
		t.Fatal(err)
	}
	fast(e.conn)
	return e
}

func userMsg(s string) []prompts.Message {
	return []prompts.Message{
		{Role: "system", Content: "Answer briefly."},
		{Role: "user", Content: s},
	}
}

func assertNoKey(t *testing.T, what, s string) {
	t.Helper()
	if strings.Contains(s, testKey) {
		t.Errorf("%s contains the API key: %s", what, s)
	}
}

func TestEmbedBatchesKeepOrderAndNormalise(t *testing.T) {
	s := openaitest.NewServer(t)
	cfg := testConfig(s, nil)
	cfg.Model = "nomic-embed-text"
	e := newEmbedder(t, cfg)

	texts := make([]string, 150)
	for i := range texts {
		texts[i] = strings.Repeat("word ", i%7) + "text number " + string(rune('a'+i%26)) + strings.Repeat("x", i)
	}
	vecs, err := e.Embed(context.Background(), texts)
	if err != nil {
		t.Fatal(err)
	}
	reqs := s.Requests(openaitest.PathEmbeddings)
	if len(reqs) != 3 {
		t.Fatalf("%d requests, want 3", len(reqs))
	}
	for i, want := range []int{64, 64, 22} {
		var body struct {
			Input []string `json:"input"`
			Model string   `json:"model"`
		}
		if err := json.Unmarshal(reqs[i].Body, &body); err != nil {
			t.Fatal(err)
		}
		if len(body.Input) != want || body.Model != "nomic-embed-text" {
			t.Errorf("request %d: %d inputs for model %q, want %d for nomic-embed-text", i, len(body.Input), body.Model, want)
		}
	}
	if len(vecs) != len(texts) {
		t.Fatalf("%d vectors for %d texts", len(vecs), len(texts))
	}
	for i, v := range vecs {
		want, _ := normalize(openaitest.HashEmbed(texts[i]))
		if len(v) != openaitest.EmbedDim {
			t.Fatalf("vector %d has dimension %d", i, len(v))
		}
		var norm float64
		for j := range v {
			norm += float64(v[j]) * float64(v[j])
			if math.Abs(float64(v[j]-want[j])) > 1e-6 {
				t.Fatalf("vector %d is not the one for its text (order lost?)", i)
			}
		}
		if math.Abs(norm-1) > 1e-5 {
			t.Fatalf("vector %d has squared norm %g", i, norm)
		}
	}
	if want := "openai:nomic-embed-text@" + strings.TrimPrefix(strings.TrimSuffix(s.URL(), "/v1"), "http://"); e.ID() != want {
		t.Errorf("ID() = %q, want %q", e.ID(), want)
	}
}

func TestEmbedEmptyInputMakesNoRequest(t *testing.T) {
	s := openaitest.NewServer(t)
	e := newEmbedder(t, testConfig(s, nil))
	vecs, err := e.Embed(context.Background(), nil)
	if err != nil || len(vecs) != 0 || len(s.Requests(openaitest.PathEmbeddings)) != 0 {
		t.Fatalf("Embed(nil) = %v, %v after %d requests", vecs, err, len(s.Requests(openaitest.PathEmbeddings)))
	}
}

func TestEmbedInconsistentDimensionFails(t *testing.T) {
	s := openaitest.NewServer(t)
	s.SetEmbedFunc(func(text string) []float32 {
		v := make([]float32, 3+len(text)%2)
		v[0] = 1
		return v
	})
	e := newEmbedder(t, testConfig(s, nil))
	_, err := e.Embed(context.Background(), []string{"odd", "even"})
	if !errors.Is(err, errBadEmbeddings) || IsUnavailable(err) {
		t.Fatalf("err = %v, want a bad-embeddings error that is not 'unavailable'", err)
	}
}

func TestEmbedWrongCountFails(t *testing.T) {
	// A server that answers two texts with one vector.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(goopenai.EmbeddingResponse{Data: []goopenai.Embedding{{Embedding: []float32{1, 0}}}})
	}))
	defer srv.Close()
	e := newEmbedder(t, Config{BaseURL: srv.URL + "/v1", Model: "m"})
	_, err := e.Embed(context.Background(), []string{"a", "b"})
	if !errors.Is(err, errBadEmbeddings) {
		t.Fatalf("err = %v, want a bad-embeddings error", err)
	}
}

func TestChatStreamsDeltasInOrder(t *testing.T) {
	s := openaitest.NewServer(t)
	const reply = "The quick brown fox jumps over the lazy dog."
	var got goopenai.ChatCompletionRequest
	s.SetChatFunc(func(req goopenai.ChatCompletionRequest) string { got = req; return reply })
	c := newChat(t, testConfig(s, nil))

	var deltas []string
	text, err := c.Chat(context.Background(), userMsg("hi"), func(d string) { deltas = append(deltas, d) })
	if err != nil {
		t.Fatal(err)
	}
	if text != reply || strings.Join(deltas, "") != reply {
		t.Fatalf("text %q, deltas %q; want %q", text, deltas, reply)
	}
	if want := openaitest.Split(reply); len(deltas) != len(want) || len(want) < 3 {
		t.Fatalf("%d deltas, want %d (several)", len(deltas), len(want))
	}
	if !got.Stream || len(got.Messages) != 2 || got.Messages[1].Role != "user" || got.Messages[1].Content != "hi" || got.Model != "test-model" {
		t.Fatalf("server got %+v", got)
	}
}

func TestChatPlain(t *testing.T) {
	s := openaitest.NewServer(t)
	c := newChat(t, testConfig(s, nil))
	text, err := c.Chat(context.Background(), userMsg("hello"), nil)
	if err != nil || text != "You said: hello" {
		t.Fatalf("Chat = %q, %v", text, err)
	}
	var body map[string]any
	json.Unmarshal(s.Requests(openaitest.PathChat)[0].Body, &body)
	if body["stream"] != false {
		t.Errorf("stream = %v, want false", body["stream"])
	}
	if c.Model() != "test-model" {
		t.Errorf("Model() = %q", c.Model())
	}
}

func TestRetryAfterHonoured(t *testing.T) {
	s := openaitest.NewServer(t)
	s.FailNext(openaitest.PathChat, 1, http.StatusTooManyRequests, "1")
	c := newChat(t, testConfig(s, nil))

	start := time.Now()
	text, err := c.Chat(context.Background(), userMsg("hi"), nil)
	elapsed := time.Since(start)
	if err != nil || text != "You said: hi" {
		t.Fatalf("Chat = %q, %v", text, err)
	}
	if n := len(s.Requests(openaitest.PathChat)); n != 2 {
		t.Fatalf("%d requests, want 2", n)
	}
	if elapsed < 950*time.Millisecond || elapsed > 3*time.Second {
		t.Fatalf("took %s, want about 1s (Retry-After: 1)", elapsed)
	}
}

func TestRetryAfterHTTPDate(t *testing.T) {
	now := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"1", time.Second, true},
		{" 2 ", 2 * time.Second, true},
		{"0.5", 500 * time.Millisecond, true},
		{now.Add(3 * time.Second).Format(http.TimeFormat), 3 * time.Second, true},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
		{"", 0, false},
		{"-1", 0, false},
		{"NaN", 0, false},
		{"soon", 0, false},
	} {
		got, ok := parseRetryAfter(tc.in, now)
		if got != tc.want || ok != tc.ok {
			t.Errorf("parseRetryAfter(%q) = %s, %v; want %s, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestServerErrorThenSuccess(t *testing.T) {
	s := openaitest.NewServer(t)
	s.FailNext(openaitest.PathEmbeddings, 1, http.StatusInternalServerError, "")
	e := newEmbedder(t, testConfig(s, nil))
	vecs, err := e.Embed(context.Background(), []string{"a", "b"})
	if err != nil || len(vecs) != 2 {
		t.Fatalf("Embed = %d vectors, %v", len(vecs), err)
	}
	if n := len(s.Requests(openaitest.PathEmbeddings)); n != 2 {
		t.Fatalf("%d requests, want 2", n)
	}
}

func TestStreamRetriedBeforeFirstDelta(t *testing.T) {
	s := openaitest.NewServer(t)
	s.FailNext(openaitest.PathChat, 1, http.StatusBadGateway, "")
	c := newChat(t, testConfig(s, nil))
	var deltas []string
	text, err := c.Chat(context.Background(), userMsg("once only"), func(d string) { deltas = append(deltas, d) })
	if err != nil || text != "You said: once only" || strings.Join(deltas, "") != text {
		t.Fatalf("Chat = %q, %v, deltas %q", text, err, deltas)
	}
}

func TestStreamNotRetriedAfterFirstDelta(t *testing.T) {
	s := openaitest.NewServer(t)
	s.SetChatFunc(func(goopenai.ChatCompletionRequest) string { return "one two three four five" })
	s.CutStreamNext(1, 2)
	cfg := testConfig(s, nil)
	cfg.MaxRetries = 3
	c := newChat(t, cfg)

	var deltas []string
	text, err := c.Chat(context.Background(), userMsg("hi"), func(d string) { deltas = append(deltas, d) })
	if err == nil {
		t.Fatal("no error for a broken stream")
	}
	if !IsUnavailable(err) {
		t.Errorf("IsUnavailable(%v) = false", err)
	}
	if n := len(s.Requests(openaitest.PathChat)); n != 1 {
		t.Fatalf("%d requests, want 1: retrying would repeat text", n)
	}
	if strings.Join(deltas, "") != "one two " || text != "one two " {
		t.Fatalf("text %q, deltas %q; want the two pieces delivered", text, deltas)
	}
}

func TestHangTimesOutAsUnavailable(t *testing.T) {
	s := openaitest.NewServer(t)
	s.DelayNext(openaitest.PathChat, 5, 10*time.Second)
	cfg := testConfig(s, nil)
	cfg.Timeout = 100 * time.Millisecond
	cfg.MaxRetries = 1
	c := newChat(t, cfg)

	for _, stream := range []bool{false, true} {
		var onDelta func(string)
		if stream {
			onDelta = func(string) {}
		}
		start := time.Now()
		_, err := c.Chat(context.Background(), userMsg("hi"), onDelta)
		elapsed := time.Since(start)
		if !IsUnavailable(err) || !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
			t.Fatalf("stream=%v: err = %v; want an unavailable deadline error", stream, err)
		}
		if elapsed > 1500*time.Millisecond {
			t.Fatalf("stream=%v: took %s", stream, elapsed)
		}
		var e *Error
		if !errors.As(err, &e) || e.Attempts != 2 {
			t.Fatalf("stream=%v: err = %#v, want 2 attempts", stream, err)
		}
	}
}

func TestStreamStallAfterDeltaIsTimeout(t *testing.T) {
	s := openaitest.NewServer(t)
	s.SetChatFunc(func(goopenai.ChatCompletionRequest) string { return "a b c" })
	s.StallStreamNext(1, 1, 10*time.Second)
	cfg := testConfig(s, nil)
	cfg.Timeout = 200 * time.Millisecond
	c := newChat(t, cfg)
	var deltas []string
	start := time.Now()
	text, err := c.Chat(context.Background(), userMsg("hi"), func(d string) { deltas = append(deltas, d) })
	if !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) || !IsUnavailable(err) {
		t.Fatalf("err = %v, want a timeout", err)
	}
	if elapsed := time.Since(start); elapsed > time.Second {
		t.Fatalf("took %s", elapsed)
	}
	if text != "a " || len(deltas) != 1 || len(s.Requests(openaitest.PathChat)) != 1 {
		t.Fatalf("text %q, deltas %q, %d requests; want one piece and no retry", text, deltas, len(s.Requests(openaitest.PathChat)))
	}
}

func TestStreamEndingWithoutFinishReasonFails(t *testing.T) {
	// go-openai reports a clean close without [DONE] as a normal end.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		b, _ := json.Marshal(goopenai.ChatCompletionStreamResponse{Choices: []goopenai.ChatCompletionStreamChoice{
			{Delta: goopenai.ChatCompletionStreamChoiceDelta{Content: "partial "}},
		}})
		w.Write([]byte("data: " + string(b) + "\n\n"))
	}))
	defer srv.Close()
	c := newChat(t, Config{BaseURL: srv.URL + "/v1", Model: "m", MaxRetries: 2})
	text, err := c.Chat(context.Background(), userMsg("hi"), func(string) {})
	if !errors.Is(err, io.ErrUnexpectedEOF) || !IsUnavailable(err) || text != "partial " {
		t.Fatalf("Chat = %q, %v; want the partial text and an unavailable error", text, err)
	}
}

func TestStreamTimeoutIsPerPiece(t *testing.T) {
	// Seven chunks 50ms apart take longer than the 200ms timeout in total,
	// but each arrives well within it.
	s := openaitest.NewServer(t)
	s.SetChatFunc(func(goopenai.ChatCompletionRequest) string { return "a b c d e" })
	s.SetChunkDelay(50 * time.Millisecond)
	cfg := testConfig(s, nil)
	cfg.Timeout = 200 * time.Millisecond
	cfg.MaxRetries = 0
	c := newChat(t, cfg)
	text, err := c.Chat(context.Background(), userMsg("hi"), func(string) {})
	if err != nil || text != "a b c d e" {
		t.Fatalf("Chat = %q, %v", text, err)
	}
}

func TestTemperatureZeroIsSent(t *testing.T) {
	s := openaitest.NewServer(t)
	for _, tc := range []struct {
		configured float32
		lo, hi     float64
	}{
		{0, 1e-9, 1e-3},
		{0.7, 0.6999, 0.7001},
	} {
		cfg := testConfig(s, nil)
		cfg.Temperature = tc.configured
		cfg.MaxTokens = 300
		c := newChat(t, cfg)
		if _, err := c.Chat(context.Background(), userMsg("hi"), nil); err != nil {
			t.Fatal(err)
		}
		reqs := s.Requests(openaitest.PathChat)
		var body map[string]any
		if err := json.Unmarshal(reqs[len(reqs)-1].Body, &body); err != nil {
			t.Fatal(err)
		}
		temp, ok := body["temperature"].(float64)
		if !ok || temp < tc.lo || temp > tc.hi {
			t.Errorf("configured %g: temperature in body = %v, want in [%g, %g]", tc.configured, body["temperature"], tc.lo, tc.hi)
		}
		if body["max_tokens"] != 300.0 {
			t.Errorf("max_tokens = %v, want 300", body["max_tokens"])
		}
	}
}

func TestReasoningModelSettingsAdapted(t *testing.T) {
	// go-openai refuses max_tokens and a temperature for these models
	// before sending anything.
	s := openaitest.NewServer(t)
	cfg := testConfig(s, nil)
	cfg.Model = "o3-mini"
	cfg.MaxTokens = 200
	c := newChat(t, cfg)
	if _, err := c.Chat(context.Background(), userMsg("hi"), nil); err != nil {
		t.Fatal(err)
	}
	var body map[string]any
	json.Unmarshal(s.Requests(openaitest.PathChat)[0].Body, &body)
	if _, ok := body["temperature"]; ok || body["max_completion_tokens"] != 200.0 || body["max_tokens"] != nil {
		t.Fatalf("body = %v; want max_completion_tokens 200 and no temperature", body)
	}
}

func TestAPIKeySentButNeverShown(t *testing.T) {
	s := openaitest.NewServer(t)
	var logs logBuffer
	c := newChat(t, testConfig(s, &logs))

	// Right key: sent as a bearer token.
	s.SetAPIKey(testKey)
	if _, err := c.Chat(context.Background(), userMsg("hi"), nil); err != nil {
		t.Fatal(err)
	}
	if got := s.Requests(openaitest.PathChat)[0].Header.Get("Authorization"); got != "Bearer "+testKey {
		t.Fatalf("Authorization = %q", got)
	}

	// Wrong key: the server's 401 quotes the key it got (as OpenAI's does).
	s.SetAPIKey("sk-the-right-one")
	_, err := c.Chat(context.Background(), userMsg("hi"), nil)
	if err == nil {
		t.Fatal("no error for a rejected key")
	}
	assertNoKey(t, "error", err.Error())
	for inner := errors.Unwrap(err); inner != nil; inner = errors.Unwrap(inner) {
		assertNoKey(t, "wrapped error", inner.Error())
	}
	if IsUnavailable(err) {
		t.Errorf("a 401 counts as unavailable: %v", err)
	}
	var e *Error
	if !errors.As(err, &e) || e.StatusCode != http.StatusUnauthorized || e.Attempts != 1 {
		t.Errorf("err = %#v, want one attempt with status 401", err)
	}
	if !strings.Contains(err.Error(), "openai chat test-model@") || !strings.Contains(err.Error(), "[REDACTED]") {
		t.Errorf("error lacks context or redaction marker: %v", err)
	}

	// Retries are logged, without the key, even when the server quotes it.
	s.SetAPIKey(testKey)
	s.FailNext(openaitest.PathChat, 1, http.StatusServiceUnavailable, "")
	if _, err := c.Chat(context.Background(), userMsg("hi"), func(string) {}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "retrying") {
		t.Errorf("no retry logged: %q", logs.String())
	}
	assertNoKey(t, "log", logs.String())
}

func TestBadRequestNotRetried(t *testing.T) {
	s := openaitest.NewServer(t)
	s.FailNext(openaitest.PathChat, 1, http.StatusBadRequest, "")
	c := newChat(t, testConfig(s, nil))
	_, err := c.Chat(context.Background(), userMsg("hi"), nil)
	if err == nil || IsUnavailable(err) {
		t.Fatalf("err = %v, want a bad request", err)
	}
	if n := len(s.Requests(openaitest.PathChat)); n != 1 {
		t.Fatalf("%d requests, want 1", n)
	}
}

func TestRetriesExhaustedIsUnavailable(t *testing.T) {
	s := openaitest.NewServer(t)
	s.FailNext(openaitest.PathEmbeddings, 3, http.StatusServiceUnavailable, "")
	e := newEmbedder(t, testConfig(s, nil))
	_, err := e.Embed(context.Background(), []string{"a"})
	if !IsUnavailable(err) || !strings.Contains(err.Error(), "3 attempts") {
		t.Fatalf("err = %v, want unavailable after 3 attempts", err)
	}
	if n := len(s.Requests(openaitest.PathEmbeddings)); n != 3 {
		t.Fatalf("%d requests, want 3", n)
	}
}

func TestConnectionRefusedIsUnavailable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close() // nothing listens there now
	e := newEmbedder(t, Config{BaseURL: url + "/v1", Model: "m", MaxRetries: 1})
	_, err := e.Embed(context.Background(), []string{"a"})
	if !IsUnavailable(err) {
		t.Fatalf("err = %v, want unavailable", err)
	}
}

func TestCancelStopsRetries(t *testing.T) {
	s := openaitest.NewServer(t)
	s.FailNext(openaitest.PathChat, 100, http.StatusServiceUnavailable, "")
	cfg := testConfig(s, nil)
	cfg.MaxRetries = 100
	c := newChat(t, cfg)
	c.conn.retry.baseDelay = 50 * time.Millisecond
	c.conn.retry.maxDelay = 50 * time.Millisecond

	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(120*time.Millisecond, cancel)
	start := time.Now()
	_, err := c.Chat(ctx, userMsg("hi"), nil)
	if !errors.Is(err, context.Canceled) || IsUnavailable(err) {
		t.Fatalf("err = %v, want canceled (and not 'unavailable')", err)
	}
	if elapsed := time.Since(start); elapsed > time.Second {
		t.Fatalf("took %s after cancellation", elapsed)
	}
	if n := len(s.Requests(openaitest.PathChat)); n > 10 {
		t.Fatalf("%d requests; retries went on after cancellation", n)
	}
}

func TestRetryAfterBeyondDeadlineGivesUpAtOnce(t *testing.T) {
	s := openaitest.NewServer(t)
	s.FailNext(openaitest.PathChat, 1, http.StatusTooManyRequests, "5")
	c := newChat(t, testConfig(s, nil))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	start := time.Now()
	_, err := c.Chat(ctx, userMsg("hi"), nil)
	if !IsUnavailable(err) || time.Since(start) > 500*time.Millisecond {
		t.Fatalf("err = %v after %s; want an immediate unavailable error", err, time.Since(start))
	}
	var e *Error
	if !errors.As(err, &e) || e.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("err = %#v, want status 429", err)
	}
}

func TestConfigValidation(t *testing.T) {
	for _, cfg := range []Config{
		{BaseURL: "http://localhost:11434/v1"},                            // no model
		{Model: "m"},                                                      // no URL
		{BaseURL: "localhost:11434", Model: "m"},                          // no scheme
		{BaseURL: "http://user:" + testKey + "@localhost/v1", Model: "m"}, // credentials in URL
		{BaseURL: "http://localhost/v1", Model: "m", MaxRetries: -1},      // negative
		{BaseURL: "http://localhost/v1", Model: "m", Temperature: 3},      // out of range
		{BaseURL: "http://localhost/v1?key=" + testKey, Model: "m"},       // query
	} {
		if _, err := NewChat(cfg); err == nil {
			t.Errorf("NewChat(%+v) succeeded", cfg)
		} else {
			assertNoKey(t, "config error", err.Error())
		}
	}
}

func TestIsUnavailableOnPlainErrors(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{nil, false},
		{context.DeadlineExceeded, true},
		{context.Canceled, false},
		// The caller cancelled while waiting to retry after a timeout.
		{fmt.Errorf("%w; last error: %w", context.Canceled, context.DeadlineExceeded), false},
		{&goopenai.APIError{HTTPStatusCode: 503}, true},
		{&goopenai.APIError{HTTPStatusCode: 429}, true},
		{&goopenai.APIError{HTTPStatusCode: 404}, false},
		{&goopenai.RequestError{HTTPStatusCode: 502}, true},
		{io.ErrUnexpectedEOF, true},
		{errors.New("something else"), false},
	} {
		if got := IsUnavailable(tc.err); got != tc.want {
			t.Errorf("IsUnavailable(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}
