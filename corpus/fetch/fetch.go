// Package fetch downloads a news article page and turns it into a corpus
// article: plain-text paragraphs, verbatim from the page, with the page's
// metadata (title, outlet, author, publish date). It is what
// `incidentbot corpus add URL` runs; loading the corpus never touches the
// network, only the file this package's output is saved to.
package fetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"time"
)

// Limits a maintainer's fetch stays within. A news article is tens of
// kilobytes; anything near MaxBytes is not an article page.
const (
	DefaultTimeout      = 30 * time.Second
	DefaultMaxBytes     = 5 << 20
	DefaultMaxRedirects = 5
)

// Errors a caller may want to tell apart. Each is wrapped with the URL.
var (
	ErrScheme           = errors.New("only http and https URLs can be fetched")
	ErrTooLarge         = errors.New("page too large")
	ErrNotHTML          = errors.New("not an HTML page")
	ErrNoArticle        = errors.New("no article text found on the page")
	ErrTooManyRedirects = errors.New("too many redirects")
)

// StatusError is an HTTP response other than 200 OK.
type StatusError struct {
	Code   int
	Status string
}

func (e *StatusError) Error() string { return "the server answered " + e.Status }

// Options configures Fetch. The zero value is usable.
type Options struct {
	// Client does the requests; tests inject one. It is copied, never
	// modified: Fetch adds its own redirect policy to the copy.
	Client       *http.Client
	Timeout      time.Duration // whole fetch, including reading the body
	MaxBytes     int64
	MaxRedirects int
	UserAgent    string
}

func (o Options) withDefaults() Options {
	if o.Client == nil {
		o.Client = http.DefaultClient
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	if o.MaxRedirects <= 0 {
		o.MaxRedirects = DefaultMaxRedirects
	}
	if o.UserAgent == "" {
		o.UserAgent = "incidentbot-corpus/1 (+maintainer fetch)"
	}
	return o
}

// Fetch downloads rawURL and extracts its article. Errors say which URL and
// what went wrong in words a maintainer can act on.
func Fetch(ctx context.Context, rawURL string, opts Options) (*Page, error) {
	opts = opts.withDefaults()
	u, err := checkURL(rawURL)
	if err != nil {
		return nil, err
	}
	body, contentType, final, err := download(ctx, u, opts)
	if err != nil {
		return nil, fmt.Errorf("fetching %s: %w", rawURL, err)
	}
	page, err := Extract(body, contentType, final)
	if err != nil {
		return nil, fmt.Errorf("reading the article at %s: %w", rawURL, err)
	}
	page.URL = rawURL
	return page, nil
}

func checkURL(rawURL string) (*url.URL, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("bad URL %q: %w", rawURL, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("%q: %w", rawURL, ErrScheme)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("%q has no host", rawURL)
	}
	return u, nil
}

// download returns the body of an HTML page, its content type and the URL
// it was finally served from (after redirects), which relative links resolve
// against.
func download(ctx context.Context, u *url.URL, opts Options) (body []byte, contentType string, final *url.URL, err error) {
	ctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()
	client := *opts.Client
	client.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) > opts.MaxRedirects {
			return fmt.Errorf("%w: more than %d", ErrTooManyRedirects, opts.MaxRedirects)
		}
		if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
			return fmt.Errorf("redirected to %s: %w", req.URL, ErrScheme)
		}
		return nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, "", nil, fmt.Errorf("building the request: %w", err)
	}
	req.Header.Set("User-Agent", opts.UserAgent)
	req.Header.Set("Accept", "text/html,application/xhtml+xml;q=0.9")
	resp, err := client.Do(req)
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return nil, "", nil, fmt.Errorf("cancelled: %w", err)
		}
		var uerr *url.Error
		if errors.As(err, &uerr) && uerr.Timeout() {
			return nil, "", nil, fmt.Errorf("no answer within %s: %w", opts.Timeout, err)
		}
		return nil, "", nil, fmt.Errorf("unreachable: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, "", nil, &StatusError{Code: resp.StatusCode, Status: resp.Status}
	}
	ct := resp.Header.Get("Content-Type")
	mt, _, _ := mime.ParseMediaType(ct)
	if mt != "text/html" && mt != "application/xhtml+xml" {
		if ct == "" {
			ct = "none"
		}
		return nil, "", nil, fmt.Errorf("%w (content type %s)", ErrNotHTML, ct)
	}
	tooLarge := fmt.Errorf("%w: page larger than %s", ErrTooLarge, size(opts.MaxBytes))
	if resp.ContentLength > opts.MaxBytes {
		return nil, "", nil, tooLarge // said up front: no need to read it
	}
	// Read one byte past the limit to tell "exactly the limit" from "more".
	body, err = io.ReadAll(io.LimitReader(resp.Body, opts.MaxBytes+1))
	if err != nil {
		return nil, "", nil, fmt.Errorf("reading the page: %w", err)
	}
	if int64(len(body)) > opts.MaxBytes {
		return nil, "", nil, tooLarge
	}
	return body, ct, resp.Request.URL, nil
}

func size(n int64) string {
	if n%(1<<20) == 0 {
		return fmt.Sprintf("%d MB", n>>20)
	}
	if n%(1<<10) == 0 {
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
