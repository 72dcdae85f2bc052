package bot

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"
)

// restClient returns an HTTP client that sends what discordgo addresses to
// https://discord.com/api/v9 to apiBase instead (nirn-proxy, or any
// Discord-compatible server), over base's transport.
func restClient(apiBase string, base *http.Client) (*http.Client, error) {
	to := strings.TrimRight(apiBase, "/")
	u, err := url.Parse(to)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("bot: discord.api_base %q is not an http(s) URL", apiBase)
	}
	// The default transport keeps two idle connections per host; a burst
	// of 100 acknowledgements would open (and TLS-handshake) most of a
	// hundred. Keep enough around, and let HTTP/2 multiplex where offered.
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns, tr.MaxIdleConnsPerHost = 128, 128
	var next http.RoundTripper = tr
	timeout := 20 * time.Second
	if base != nil {
		if base.Transport != nil {
			next = base.Transport
		}
		if base.Timeout > 0 {
			timeout = base.Timeout
		}
	}
	from := strings.TrimRight(discordgo.EndpointAPI, "/")
	if to == from {
		return &http.Client{Transport: next, Timeout: timeout}, nil
	}
	return &http.Client{Transport: apiRewrite{from: from, to: to, next: next}, Timeout: timeout}, nil
}

type apiRewrite struct {
	from, to string
	next     http.RoundTripper
}

func (t apiRewrite) RoundTrip(req *http.Request) (*http.Response, error) {
	s := req.URL.String()
	if s != t.from && !strings.HasPrefix(s, t.from+"/") {
		return t.next.RoundTrip(req)
	}
	u, err := url.Parse(t.to + strings.TrimPrefix(s, t.from))
	if err != nil {
		return nil, fmt.Errorf("rewriting %s to the API base: %w", req.URL.Redacted(), err)
	}
	r2 := req.Clone(req.Context())
	r2.URL, r2.Host = u, ""
	return t.next.RoundTrip(r2)
}
