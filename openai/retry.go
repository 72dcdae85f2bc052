package openai

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cenkalti/backoff/v5"
	goopenai "github.com/sashabaranov/go-openai"
)

// retryPolicy says how often and how patiently a call is repeated.
type retryPolicy struct {
	maxRetries int
	timeout    time.Duration // per attempt; per piece of reply when streaming
	baseDelay  time.Duration // first backoff, doubled on each retry
	maxDelay   time.Duration // backoff cap
	// maxRetryAfter is the longest Retry-After worth waiting for: a server
	// that asks for more is treated as down rather than holding a Discord
	// user's question for minutes.
	maxRetryAfter time.Duration
}

func defaultRetryPolicy(maxRetries int, timeout time.Duration) retryPolicy {
	return retryPolicy{
		maxRetries:    maxRetries,
		timeout:       timeout,
		baseDelay:     500 * time.Millisecond,
		maxDelay:      10 * time.Second,
		maxRetryAfter: 30 * time.Second,
	}
}

// newBackOff spaces the retries of one call: exponential from baseDelay,
// capped at maxDelay, each wait spread by ±50% so that clients that
// failed together do not retry together.
func (p retryPolicy) newBackOff() backoff.BackOff {
	b := backoff.NewExponentialBackOff()
	b.InitialInterval, b.MaxInterval = p.baseDelay, p.maxDelay
	b.Multiplier, b.RandomizationFactor = 2, 0.5
	return b
}

// attempt is one try at a request. Its ctx is cancelled when the attempt
// times out; streaming calls touch() on every piece of reply to restart
// that clock.
type attempt struct {
	ctx   context.Context
	touch func()
}

// permanentError marks an error the retry loop must not retry even though
// it looks transient: a stream that broke after text reached the caller.
type permanentError struct{ err error }

func (e permanentError) Error() string { return e.err.Error() }
func (e permanentError) Unwrap() error { return e.err }

// do runs fn until it succeeds, fails for good, runs out of retries or ctx
// ends, through backoff.Retry. Each wait is chosen here rather than by
// Retry (and handed to it as a RetryAfterError), because it depends on the
// response: a server's Retry-After replaces the backoff, and a wait that
// would outlast the caller's deadline ends the retries at once. The error
// it returns is an *Error.
func (c *conn) do(ctx context.Context, op string, fn func(a attempt) error) error {
	p := c.retry
	waits := p.newBackOff()
	attempts := 0
	var last error // the last attempt's error, as the caller is to see it
	_, err := backoff.Retry(ctx, func() (struct{}, error) {
		if err := ctx.Err(); err != nil {
			last = err
			return struct{}{}, backoff.Permanent(err)
		}
		attempts++
		rec := &responseRecord{}
		err := runAttempt(ctx, p.timeout, rec, fn)
		if err == nil {
			return struct{}{}, nil
		}
		last = err
		var perm permanentError
		if errors.As(err, &perm) {
			last = perm.err
			return struct{}{}, backoff.Permanent(last)
		}
		if retryable, _ := classify(err); !retryable || ctx.Err() != nil || attempts > p.maxRetries {
			return struct{}{}, backoff.Permanent(err)
		}
		wait := waits.NextBackOff()
		if ra, ok := rec.retryAfter(time.Now()); ok {
			if ra > p.maxRetryAfter {
				last = fmt.Errorf("%w (server asked to retry after %s)", err, ra.Round(time.Second))
				return struct{}{}, backoff.Permanent(last)
			}
			if ra > 0 {
				wait = ra
			}
		}
		// Waiting past the caller's deadline would only turn a clear error
		// into a vaguer one later.
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
			last = fmt.Errorf("%w (no time left to retry in %s)", err, wait.Round(time.Millisecond))
			return struct{}{}, backoff.Permanent(last)
		}
		c.log.DebugContext(ctx, "openai: retrying",
			"op", op, "model", c.name(), "attempt", attempts, "wait", wait, "error", scrub(err.Error(), c.key))
		return struct{}{}, &backoff.RetryAfterError{Duration: wait}
	}, backoff.WithBackOff(&backoff.ZeroBackOff{}), backoff.WithMaxElapsedTime(0))
	switch {
	case err == nil:
		return nil
	case ctx.Err() != nil && last != nil && !errors.Is(last, ctx.Err()):
		// Cancelled while waiting to retry.
		return c.wrap(op, attempts, fmt.Errorf("%w; last error: %w", ctx.Err(), last))
	case last != nil:
		return c.wrap(op, attempts, last)
	}
	return c.wrap(op, attempts, err)
}

// runAttempt gives fn a context that ends when the attempt has been idle
// for timeout, and explains such an end as a timeout rather than the bare
// "context canceled" the HTTP client reports.
func runAttempt(ctx context.Context, timeout time.Duration, rec *responseRecord, fn func(a attempt) error) error {
	actx, cancel := context.WithCancelCause(context.WithValue(ctx, responseRecordKey{}, rec))
	defer cancel(nil)
	timedOut := fmt.Errorf("no response from server within %s: %w", timeout, context.DeadlineExceeded)
	timer := time.AfterFunc(timeout, func() { cancel(timedOut) })
	defer timer.Stop()

	err := fn(attempt{ctx: actx, touch: func() { timer.Reset(timeout) }})
	// net/http reports the cause itself in some places (a request
	// waiting for its response) but not in others (reading a body).
	if err != nil && ctx.Err() == nil && errors.Is(context.Cause(actx), timedOut) && !errors.Is(err, timedOut) {
		var perm permanentError
		if errors.As(err, &perm) {
			return permanentError{fmt.Errorf("%w (%v)", timedOut, perm.err)}
		}
		// Replace rather than wrap: the inner error says "canceled", which
		// callers would read as their own cancellation.
		return fmt.Errorf("%w (%v)", timedOut, err)
	}
	return err
}

// classify says whether err is worth retrying and whether it means the
// server is unavailable (as opposed to the request being wrong).
func classify(err error) (retryable, unavailable bool) {
	// Canceled first: when the caller cancels while waiting to retry
	// after a timeout, both are in the chain, and the caller's word wins.
	// (Attempt timeouts never carry Canceled; see runAttempt.)
	if errors.Is(err, context.Canceled) {
		return false, false
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return true, true
	}
	if status := statusCode(err); status != 0 {
		transient := status == http.StatusTooManyRequests || status == http.StatusRequestTimeout || status >= 500
		return transient, transient
	}
	var apiErr *goopenai.APIError
	if errors.As(err, &apiErr) {
		// An error event in the middle of a stream, which has no HTTP
		// status: the server failed while generating.
		return true, true
	}
	var certErr *tls.CertificateVerificationError
	if errors.As(err, &certErr) {
		return false, false // configuration, not an outage; retrying won't help
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return true, true
	}
	var netErr net.Error
	var urlErr *url.Error
	if errors.As(err, &netErr) || errors.As(err, &urlErr) {
		return true, true
	}
	return false, false
}

// statusCode is the HTTP status of a failed response, or 0.
func statusCode(err error) int {
	var apiErr *goopenai.APIError
	if errors.As(err, &apiErr) && apiErr.HTTPStatusCode != 0 {
		return apiErr.HTTPStatusCode
	}
	var reqErr *goopenai.RequestError
	if errors.As(err, &reqErr) {
		return reqErr.HTTPStatusCode
	}
	return 0
}

// Error is what Embedder and Chat return.
type Error struct {
	Op          string // "chat" or "embeddings"
	Model       string // model@host
	Attempts    int
	StatusCode  int  // HTTP status of the last response, 0 if none
	Unavailable bool // see IsUnavailable
	msg         string
	err         error
}

func (e *Error) Error() string { return e.msg }
func (e *Error) Unwrap() error { return e.err }

// IsUnavailable reports whether err means the server could not be used
// (timeout, connection failure, 429 or 5xx, after retries) rather than that
// the request was rejected; callers fall back instead of reporting a bug.
func IsUnavailable(err error) bool {
	if err == nil {
		return false
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Unavailable
	}
	_, unavailable := classify(err)
	return unavailable
}

// wrap builds the returned error, scrubbing the API key from it and from
// the go-openai errors inside it, which can quote the server's response body
// (OpenAI's 401 message repeats the key it was given).
func (c *conn) wrap(op string, attempts int, err error) error {
	scrubInner(err, c.key)
	_, unavailable := classify(err)
	var tries string
	if attempts > 1 {
		tries = fmt.Sprintf(" (%d attempts)", attempts)
	}
	return &Error{
		Op:          op,
		Model:       c.name(),
		Attempts:    attempts,
		StatusCode:  statusCode(err),
		Unavailable: unavailable,
		msg:         scrub(fmt.Sprintf("openai %s %s%s: %v", op, c.name(), tries, err), c.key),
		err:         err,
	}
}

const maxBodyInError = 512

func scrubInner(err error, key string) {
	var apiErr *goopenai.APIError
	if errors.As(err, &apiErr) {
		apiErr.Message = scrub(apiErr.Message, key)
	}
	var reqErr *goopenai.RequestError
	if errors.As(err, &reqErr) {
		// Proxies answer with whole HTML pages; a few hundred bytes identify them.
		body := scrub(string(reqErr.Body), key)
		if len(body) > maxBodyInError {
			body = body[:maxBodyInError] + "…"
		}
		reqErr.Body = []byte(body)
	}
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		urlErr.URL = scrub(urlErr.URL, key)
	}
}

func scrub(s, key string) string {
	if key == "" {
		return s
	}
	return strings.ReplaceAll(s, key, "[REDACTED]")
}

// responseRecord keeps the Retry-After header of an attempt's response.
type responseRecord struct {
	mu     sync.Mutex
	header string
}

type responseRecordKey struct{}

func (r *responseRecord) set(h http.Header) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.header = h.Get("Retry-After")
}

func (r *responseRecord) retryAfterHeader() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.header
}

func (r *responseRecord) retryAfter(now time.Time) (time.Duration, bool) {
	return parseRetryAfter(r.retryAfterHeader(), now)
}

// parseRetryAfter reads a Retry-After value: delay-seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil {
		if !(secs >= 0 && secs <= 1e6) { // also rejects NaN
			return 0, false
		}
		return time.Duration(secs * float64(time.Second)), true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// recordingDoer is the HTTP client given to go-openai. It notes each
// response's headers in the attempt's responseRecord, because go-openai
// turns an error response into an error value without its headers.
type recordingDoer struct{ hc *http.Client }

func (d recordingDoer) Do(req *http.Request) (*http.Response, error) {
	resp, err := d.hc.Do(req)
	if resp != nil {
		if rec, ok := req.Context().Value(responseRecordKey{}).(*responseRecord); ok {
			rec.set(resp.Header)
		}
	}
	return resp, err
}
