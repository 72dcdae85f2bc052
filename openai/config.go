// Package openai adapts any OpenAI-compatible server (OpenAI itself, Ollama's
// /v1, vLLM, llama.cpp's server) to incidentbot: an Embedder for passage and
// query vectors and a Chat for answers.
//
// go-openai does the wire format; this package adds what it lacks: retries
// with backoff that honour Retry-After, per-attempt timeouts, errors that say
// whether the server was unavailable or the request was bad, and care that the
// API key never reaches an error message or a log line.
package openai

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	goopenai "github.com/sashabaranov/go-openai"
)

// Config configures an Embedder or a Chat.
type Config struct {
	// BaseURL is the API root, e.g. https://api.openai.com/v1 or
	// http://localhost:11434/v1. Required: silently defaulting to a remote
	// service would send data somewhere the operator did not choose.
	BaseURL string
	// APIKey is the key itself (the caller reads it from an environment
	// variable). It may be empty for local servers. It is never logged and
	// is removed from every error message.
	APIKey string
	Model  string
	// Temperature 0 is allowed: go-openai drops a zero temperature from the
	// request (omitempty), which would leave the server's default (often
	// 0.7-1.0), so 0 is sent as a tiny positive value instead.
	Temperature float32
	// MaxTokens caps the reply length; 0 leaves it to the server.
	MaxTokens int
	// Timeout bounds one attempt (0: 2 minutes, long enough for a local
	// server to load a model on first use). When streaming it bounds the
	// wait for each piece of the reply rather than the whole reply, so that
	// a long answer that keeps arriving is not cut off.
	Timeout time.Duration
	// MaxRetries is how many times a failed attempt is repeated on 429, 408,
	// 5xx, network errors and attempt timeouts; 0 means no retries.
	MaxRetries int
	// BatchSize is the number of texts per embeddings request (0: 64).
	BatchSize int
	// HTTPClient is optional, e.g. for tests or a proxy.
	HTTPClient *http.Client
	// Logger receives a debug line per retry; nil logs nothing.
	Logger *slog.Logger
}

const (
	defaultTimeout   = 2 * time.Minute
	defaultBatchSize = 64
	// zeroTemperature stands in for a configured temperature of 0, which
	// go-openai would otherwise omit from the JSON. Servers treat it as
	// greedy decoding for all practical purposes.
	zeroTemperature float32 = 1e-6
)

// conn is what Embedder and Chat share: the go-openai client and the retry
// policy that wraps every call.
type conn struct {
	client *goopenai.Client
	model  string
	host   string // host[:port] of BaseURL, to tell servers apart
	key    string // only to scrub it from errors
	log    *slog.Logger
	retry  retryPolicy
}

func newConn(cfg Config) (*conn, error) {
	if cfg.Model == "" {
		return nil, errors.New("openai: Model is required")
	}
	// The URL is only echoed back in errors when it is well-formed and
	// carries no credentials, so a misconfigured key pasted into it cannot
	// leak.
	u, err := url.Parse(cfg.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errors.New("openai: BaseURL must be an absolute http(s) URL such as http://localhost:11434/v1")
	}
	if u.User != nil || u.RawQuery != "" {
		return nil, errors.New("openai: BaseURL must not contain user info or a query string; put the key in APIKey")
	}
	if cfg.MaxRetries < 0 || cfg.Timeout < 0 || cfg.BatchSize < 0 || cfg.MaxTokens < 0 {
		return nil, errors.New("openai: MaxRetries, Timeout, BatchSize and MaxTokens must not be negative")
	}
	if cfg.Temperature < 0 || cfg.Temperature > 2 {
		return nil, fmt.Errorf("openai: Temperature %g is outside [0, 2]", cfg.Temperature)
	}

	hc := cfg.HTTPClient
	if hc == nil {
		// Not http.DefaultClient: no shared state between adapters.
		hc = &http.Client{}
	}
	oc := goopenai.DefaultConfig(cfg.APIKey)
	oc.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	// go-openai keeps the response headers of failed requests to itself, so
	// Retry-After is captured on the way through (see recordingDoer).
	oc.HTTPClient = recordingDoer{hc}

	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	timeout := cfg.Timeout
	if timeout == 0 {
		timeout = defaultTimeout
	}
	return &conn{
		client: goopenai.NewClientWithConfig(oc),
		model:  cfg.Model,
		host:   u.Host,
		key:    cfg.APIKey,
		log:    log,
		retry:  defaultRetryPolicy(cfg.MaxRetries, timeout),
	}, nil
}

// name identifies the model and server in errors and logs.
func (c *conn) name() string { return c.model + "@" + c.host }
