// Package openaitest is a fake OpenAI-compatible server for tests: it
// listens on loopback only, answers embeddings and chat completions
// (plain and streamed) deterministically, records every request, and can be
// scripted to fail or hang.
package openaitest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	goopenai "github.com/sashabaranov/go-openai"
)

// Paths the server answers, as passed to FailNext, DelayNext and Requests.
const (
	PathEmbeddings = "/v1/embeddings"
	PathChat       = "/v1/chat/completions"
)

// EmbedDim is the dimension of the default embedding.
const EmbedDim = 64

// RecordedRequest is one request as the server received it.
type RecordedRequest struct {
	Method string
	Path   string
	Header http.Header
	Body   []byte
	Time   time.Time
}

// Server is the fake. Its methods are safe for concurrent use.
type Server struct {
	srv     *httptest.Server
	closing chan struct{} // closed at cleanup, to release hanging handlers

	mu         sync.Mutex
	embed      func(string) []float32
	chat       func(goopenai.ChatCompletionRequest) string
	apiKey     string
	scripts    map[string][]action
	requests   map[string][]RecordedRequest
	chunkDelay time.Duration
}

// action is one scripted misbehaviour, used up by one request.
type action struct {
	status     int           // fail with this status, if non-zero
	retryAfter string        // Retry-After header for status
	delay      time.Duration // hang this long, then answer normally
	// Streams only: after this many pieces of text (if > 0), stall for
	// stall, or drop the connection when stall is 0.
	cutAfter int
	stall    time.Duration
}

// NewServer starts a server on loopback and closes it when the test ends.
func NewServer(t testing.TB) *Server {
	s := &Server{
		closing:  make(chan struct{}),
		embed:    HashEmbed,
		chat:     Echo,
		scripts:  map[string][]action{},
		requests: map[string][]RecordedRequest{},
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(func() {
		close(s.closing)
		s.srv.Close()
	})
	return s
}

// URL is the base URL, ending in /v1.
func (s *Server) URL() string { return s.srv.URL + "/v1" }

// SetEmbedFunc sets how texts become vectors (nil restores HashEmbed). The
// client is expected to normalise them, so f need not.
func (s *Server) SetEmbedFunc(f func(text string) []float32) {
	if f == nil {
		f = HashEmbed
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.embed = f
}

// SetChatFunc sets how a request becomes the reply text (nil restores Echo).
func (s *Server) SetChatFunc(f func(req goopenai.ChatCompletionRequest) string) {
	if f == nil {
		f = Echo
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.chat = f
}

// SetAPIKey makes the server demand "Authorization: Bearer key". Like
// OpenAI, it answers a wrong key with a 401 that quotes the key it got, so
// tests can check that clients keep it out of their errors.
func (s *Server) SetAPIKey(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.apiKey = key
}

// SetChunkDelay makes streamed replies pause this long before each chunk,
// from the next chunk on (streams in progress included).
func (s *Server) SetChunkDelay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.chunkDelay = d
}

// FailNext makes the next n requests to path fail with status, with a
// Retry-After header when retryAfter is not empty.
func (s *Server) FailNext(path string, n int, status int, retryAfter string) {
	s.script(path, n, action{status: status, retryAfter: retryAfter})
}

// DelayNext makes the next n requests to path hang for d before answering,
// or until the client gives up.
func (s *Server) DelayNext(path string, n int, d time.Duration) {
	s.script(path, n, action{delay: d})
}

// CutStreamNext makes the next n streamed chat replies drop the connection
// after afterChunks pieces of text (at least 1), without a finish reason or
// [DONE]. Plain requests consume the entry and are answered normally.
func (s *Server) CutStreamNext(n, afterChunks int) {
	s.script(PathChat, n, action{cutAfter: max(afterChunks, 1)})
}

// StallStreamNext makes the next n streamed chat replies stop for d after
// afterChunks pieces of text (at least 1), then carry on, or stop sooner
// if the client gives up.
func (s *Server) StallStreamNext(n, afterChunks int, d time.Duration) {
	s.script(PathChat, n, action{cutAfter: max(afterChunks, 1), stall: d})
}

func (s *Server) script(path string, n int, a action) {
	path = normalizePath(path)
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.scripts[path] = append(s.scripts[path], a)
	}
}

// Requests returns the requests received on path so far, failed ones
// included, oldest first.
func (s *Server) Requests(path string) []RecordedRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]RecordedRequest(nil), s.requests[normalizePath(path)]...)
}

// normalizePath accepts "/v1/embeddings", "/embeddings" or "embeddings".
func normalizePath(p string) string {
	p = "/" + strings.TrimPrefix(p, "/")
	if !strings.HasPrefix(p, "/v1/") {
		p = "/v1" + p
	}
	return p
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	s.mu.Lock()
	s.requests[r.URL.Path] = append(s.requests[r.URL.Path], RecordedRequest{
		Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Body: body, Time: time.Now(),
	})
	var act action
	if q := s.scripts[r.URL.Path]; len(q) > 0 {
		act, s.scripts[r.URL.Path] = q[0], q[1:]
	}
	key := s.apiKey
	s.mu.Unlock()

	if act.delay > 0 && !s.wait(r, act.delay) {
		return
	}
	if act.status != 0 {
		if act.retryAfter != "" {
			w.Header().Set("Retry-After", act.retryAfter)
		}
		writeError(w, act.status, fmt.Sprintf("scripted failure %d", act.status))
		return
	}
	if key != "" {
		if got := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "); got != key {
			writeError(w, http.StatusUnauthorized, "Incorrect API key provided: "+got)
			return
		}
	}
	if r.Method != http.MethodPost {
		writeError(w, http.StatusMethodNotAllowed, "use POST")
		return
	}
	switch r.URL.Path {
	case PathEmbeddings:
		s.serveEmbeddings(w, body)
	case PathChat:
		s.serveChat(w, r, body, act)
	default:
		writeError(w, http.StatusNotFound, "no such endpoint: "+r.URL.Path)
	}
}

func (s *Server) serveEmbeddings(w http.ResponseWriter, body []byte) {
	var req struct {
		Input json.RawMessage `json:"input"`
		Model string          `json:"model"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		writeError(w, http.StatusBadRequest, "bad JSON: "+err.Error())
		return
	}
	var inputs []string
	if err := json.Unmarshal(req.Input, &inputs); err != nil {
		var one string
		if err := json.Unmarshal(req.Input, &one); err != nil {
			writeError(w, http.StatusBadRequest, "input must be a string or an array of strings")
			return
		}
		inputs = []string{one}
	}
	s.mu.Lock()
	embed := s.embed
	s.mu.Unlock()

	resp := goopenai.EmbeddingResponse{Object: "list", Model: goopenai.EmbeddingModel(req.Model)}
	// Newest first: the API does not promise order, so the fake answers in
	// reverse to make clients rely on the index field.
	for i := len(inputs) - 1; i >= 0; i-- {
		resp.Data = append(resp.Data, goopenai.Embedding{Object: "embedding", Index: i, Embedding: embed(inputs[i])})
	}
	writeJSON(w, resp)
}

func (s *Server) serveChat(w http.ResponseWriter, r *http.Request, body []byte, act action) {
	var req goopenai.ChatCompletionRequest
	if err := json.Unmarshal(body, &req); err != nil {
		writeError(w, http.StatusBadRequest, "bad JSON: "+err.Error())
		return
	}
	if len(req.Messages) == 0 {
		writeError(w, http.StatusBadRequest, "messages must not be empty")
		return
	}
	s.mu.Lock()
	chat := s.chat
	s.mu.Unlock()
	reply := chat(req)

	if !req.Stream {
		writeJSON(w, goopenai.ChatCompletionResponse{
			ID: "chatcmpl-fake", Object: "chat.completion", Created: time.Now().Unix(), Model: req.Model,
			Choices: []goopenai.ChatCompletionChoice{{
				Message:      goopenai.ChatCompletionMessage{Role: goopenai.ChatMessageRoleAssistant, Content: reply},
				FinishReason: goopenai.FinishReasonStop,
			}},
		})
		return
	}

	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	flusher, _ := w.(http.Flusher)
	send := func(delta goopenai.ChatCompletionStreamChoiceDelta, finish goopenai.FinishReason) bool {
		s.mu.Lock()
		chunkDelay := s.chunkDelay // read each time, so a test can change it mid-stream
		s.mu.Unlock()
		if chunkDelay > 0 && !s.wait(r, chunkDelay) {
			return false
		}
		b, _ := json.Marshal(goopenai.ChatCompletionStreamResponse{
			ID: "chatcmpl-fake", Object: "chat.completion.chunk", Created: time.Now().Unix(), Model: req.Model,
			Choices: []goopenai.ChatCompletionStreamChoice{{Delta: delta, FinishReason: finish}},
		})
		if _, err := fmt.Fprintf(w, "data: %s\n\n", b); err != nil {
			return false
		}
		if flusher != nil {
			flusher.Flush()
		}
		return true
	}
	if !send(goopenai.ChatCompletionStreamChoiceDelta{Role: goopenai.ChatMessageRoleAssistant}, "") {
		return
	}
	for i, piece := range Split(reply) {
		if act.cutAfter > 0 && i == act.cutAfter {
			if act.stall == 0 {
				// Abort the connection as a crashed server would; net/http
				// recognises this panic and does not log it.
				panic(http.ErrAbortHandler)
			}
			if !s.wait(r, act.stall) {
				return
			}
		}
		if !send(goopenai.ChatCompletionStreamChoiceDelta{Content: piece}, "") {
			return
		}
	}
	if !send(goopenai.ChatCompletionStreamChoiceDelta{}, goopenai.FinishReasonStop) {
		return
	}
	fmt.Fprint(w, "data: [DONE]\n\n")
	if flusher != nil {
		flusher.Flush()
	}
}

// wait sleeps for d, or less if the client leaves or the server closes,
// and says whether it slept the whole time.
func (s *Server) wait(r *http.Request, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	case <-s.closing:
		return false
	}
}

// Split cuts a reply into the pieces a stream sends: words with their
// trailing spaces, so that joining them gives the reply back.
func Split(reply string) []string {
	var pieces []string
	start, prevSpace := 0, false
	for i, r := range reply {
		space := unicode.IsSpace(r)
		if prevSpace && !space {
			pieces = append(pieces, reply[start:i])
			start = i
		}
		prevSpace = space
	}
	if start < len(reply) {
		pieces = append(pieces, reply[start:])
	}
	return pieces
}

// Echo is the default chat reply: it repeats the last user message.
func Echo(req goopenai.ChatCompletionRequest) string {
	for i := len(req.Messages) - 1; i >= 0; i-- {
		if req.Messages[i].Role == goopenai.ChatMessageRoleUser {
			return "You said: " + req.Messages[i].Content
		}
	}
	return "You said nothing."
}

// HashEmbed is the default embedding: a bag of words hashed into EmbedDim
// buckets, so texts sharing words get similar vectors. It is not
// normalised. Text without words still gets a non-zero vector.
func HashEmbed(text string) []float32 {
	v := make([]float32, EmbedDim)
	words := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	if len(words) == 0 {
		words = []string{text}
	}
	for _, w := range words {
		h := fnv.New64a()
		h.Write([]byte(w))
		sum := h.Sum64()
		sign := float32(1)
		if sum&(1<<63) != 0 {
			sign = -1
		}
		v[sum%EmbedDim] += sign
	}
	return v
}

func writeJSON(w http.ResponseWriter, v any) {
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(v); err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(buf.Bytes())
}

// writeError answers in OpenAI's error format.
func writeError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{
		"error": map[string]any{"message": msg, "type": "fake_error", "code": status},
	})
}
