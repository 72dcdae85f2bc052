package fetch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/incidentbot/incidentbot"
	"github.com/incidentbot/incidentbot/corpus"
	"github.com/incidentbot/incidentbot/retrieval"
)

// Text that is on the DW page but is not the article, and must never reach
// a corpus file.
var dwDebris = []string{
	"Skip to", "Skip next section", "Go to homepage", "Image:", "picture alliance", "AP Photo",
	"DW's Top Story", "Bakhmut", "Ukrainian tank", "©", "Share on", "More stories", "Explore more",
}

const dwPath = "/en/albania-blames-iran-for-cyberattacks/a-63136035"

// newsSite serves the saved DW page behind two redirects (as an old link to
// a moved story would be), and whatever else a test adds to mux.
func newsSite(t *testing.T) (*httptest.Server, *http.ServeMux) {
	t.Helper()
	page, err := os.ReadFile("testdata/dw-albania-blames-iran.html")
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/a-63136035", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/en/a-63136035", http.StatusMovedPermanently)
	})
	mux.HandleFunc("/en/a-63136035", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, dwPath, http.StatusFound)
	})
	mux.HandleFunc(dwPath, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(page)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv, mux
}

// seedArticle is the DW article as shipped, saved from the same page.
func seedArticle(t *testing.T) *incidentbot.Article {
	t.Helper()
	arts, err := corpus.Load(corpus.Default(), "corpus")
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range arts {
		if a.ID == "002_013f2565afa33a21" {
			return a
		}
	}
	t.Fatal("the DW seed article is missing")
	return nil
}

func citableSentences(a *incidentbot.Article) []string {
	var out []string
	for _, line := range corpus.CitableSpans(a.Text) {
		for _, s := range retrieval.SplitSentences(a.Text, line) {
			out = append(out, a.Text[s.Start:s.End])
		}
	}
	return out
}

func TestFetchDWPageWritesALoadableVerbatimArticle(t *testing.T) {
	srv, _ := newsSite(t)
	page, err := Fetch(context.Background(), srv.URL+"/a-63136035", Options{Client: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	if page.Title != "Albania blames Iran for cyberattacks" || page.Outlet != "DW" ||
		page.Author != "Elona Elezi, Niloofar Gholami" || page.Date() != "2022-09-16" {
		t.Errorf("metadata from JSON-LD: title %q, outlet %q, author %q, date %q", page.Title, page.Outlet, page.Author, page.Date())
	}
	if page.URL != srv.URL+"/a-63136035" || page.FinalURL != srv.URL+dwPath {
		t.Errorf("URL %q (want the one asked for), final URL %q (want the redirect target)", page.URL, page.FinalURL)
	}

	data, err := page.File([]string{"albania", "iran-response"})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dwDebris {
		if bytes.Contains(data, []byte(d)) {
			t.Errorf("debris %q reached the article file", d)
		}
	}
	dir := t.TempDir()
	if _, err := Save(filepath.Join(dir, page.FileName()), data); err != nil {
		t.Fatal(err)
	}
	if page.FileName() != "2022-09-16-albania-blames-iran-for-cyberattacks.md" {
		t.Errorf("file name %q", page.FileName())
	}
	arts, err := corpus.LoadDir(dir)
	if err != nil {
		t.Fatalf("the written file does not load: %v", err)
	}
	got := arts[0]
	if got.URL != page.URL || got.Outlet != "DW" || got.DateString() != "2022-09-16" || strings.Join(got.Tags, ",") != "albania,iran-response" {
		t.Errorf("front matter read back: %+v", got)
	}

	// Every citable sentence of the new file is verbatim from the page (the
	// shipped seed is the same page's text), and none of the seed's citable
	// sentences went missing.
	seed := seedArticle(t)
	sentences := citableSentences(got)
	if len(sentences) < 40 {
		t.Fatalf("only %d citable sentences extracted", len(sentences))
	}
	for _, s := range sentences {
		if !strings.Contains(seed.Text, s) {
			t.Errorf("sentence not verbatim from the page: %q", s)
		}
	}
	for _, s := range citableSentences(seed) {
		if !strings.Contains(got.Text, s) {
			t.Errorf("sentence of the page missing from the file: %q", s)
		}
	}
	// Links glued to the next word stay glued, exactly as published.
	if !strings.Contains(got.Text, "Iranwas behind") {
		t.Error(`"Iranwas" (a link glued to the next word on the page) was altered`)
	}
}

func TestFetchReadsMetaTagsWithoutJSONLD(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/story", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html") // no charset: valid UTF-8 is taken as UTF-8
		fmt.Fprint(w, `<html><head><title>Montenegro hit by ransomware | Balkan Wire</title>
<meta property="og:site_name" content="Balkan Wire">
<meta property="og:title" content="Montenegro hit by ransomware | Balkan Wire">
<meta name="author" content="By Jelena Radović">
<meta property="article:published_time" content="2022-08-26T09:15:00+02:00">
</head><body><article><h1>Montenegro hit by ransomware</h1>
<p>Montenegro’s government said on Friday that a ransomware attack had disabled the websites of several state institutions since August 20.</p>
<p>Officials said the Cuba ransomware group claimed the attack, and that no data had been lost so far.</p>
<p>Experts from the United States and France arrived in Podgorica to help restore the systems.</p>
<p>Related: Albania cuts ties with Iran</p>
<p>Photo: Reuters</p>
</article></body></html>`)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	page, err := Fetch(context.Background(), srv.URL+"/story", Options{Client: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	if page.Title != "Montenegro hit by ransomware" || page.Outlet != "Balkan Wire" || page.Author != "Jelena Radović" || page.Date() != "2022-08-26" {
		t.Errorf("metadata from meta tags: title %q, outlet %q, author %q, date %q", page.Title, page.Outlet, page.Author, page.Date())
	}
	if !strings.Contains(page.Text, "Montenegro’s government") || strings.Contains(page.Text, "Related:") || strings.Contains(page.Text, "Reuters") {
		t.Errorf("text:\n%s", page.Text)
	}
	if page.FileName() != "2022-08-26-montenegro-hit-by-ransomware.md" {
		t.Errorf("file name %q", page.FileName())
	}
}

func TestFetchBadInputs(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/missing", http.NotFound)
	mux.HandleFunc("/report.pdf", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/pdf")
		w.Write([]byte("%PDF-1.7"))
	})
	// 50 MB of HTML, streamed without a Content-Length: the limit must hold
	// while reading, not only when the server announces a size.
	mux.HandleFunc("/huge", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		chunk := []byte(strings.Repeat("<p>Albania cut ties with Iran after the attack.</p>\n", 1<<10))
		for n := 0; n < 50<<20; n += len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				return // the client stopped reading, as it should
			}
		}
	})
	mux.HandleFunc("/huge-announced", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Content-Length", fmt.Sprint(50<<20))
		w.WriteHeader(http.StatusOK) // and then nothing: the size alone must refuse it
	})
	mux.HandleFunc("/no-article", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<html><head><title>Search</title></head><body><nav><a href="/">Home</a></nav>
<div><a href="/a">Albania</a> <a href="/m">Montenegro</a> <a href="/k">Kosovo</a></div>
<p>Skip to content</p><footer>© 2022 Example News</footer></body></html>`)
	})
	mux.HandleFunc("/loop", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/loop", http.StatusFound)
	})
	mux.HandleFunc("/to-ftp", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "ftp://files.example/article.html", http.StatusFound)
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	closed := httptest.NewServer(http.NotFoundHandler())
	closedURL := closed.URL
	closed.Close()

	for _, tc := range []struct {
		name, url string
		is        error
		want      string
	}{
		{"unreachable", closedURL + "/story", nil, "unreachable"},
		{"404", srv.URL + "/missing", nil, "404 Not Found"},
		{"not HTML", srv.URL + "/report.pdf", ErrNotHTML, "content type application/pdf"},
		{"50 MB page", srv.URL + "/huge", ErrTooLarge, "page larger than 5 MB"},
		{"50 MB announced", srv.URL + "/huge-announced", ErrTooLarge, "page larger than 5 MB"},
		{"no article text", srv.URL + "/no-article", ErrNoArticle, "no article text"},
		{"redirect loop", srv.URL + "/loop", ErrTooManyRedirects, "more than 5"},
		{"redirect to ftp", srv.URL + "/to-ftp", ErrScheme, "ftp://"},
		{"not http", "file:///etc/passwd", ErrScheme, "only http and https"},
		{"timeout", srv.URL + "/slow", nil, "no answer within 200ms"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			timeout := 10 * time.Second
			if tc.name == "timeout" {
				timeout = 200 * time.Millisecond
			}
			_, err := Fetch(context.Background(), tc.url, Options{Client: srv.Client(), Timeout: timeout})
			if err == nil {
				t.Fatal("no error")
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("error %v is not %v", err, tc.is)
			}
			if !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), tc.url) {
				t.Errorf("error %q should name the URL and say %q", err, tc.want)
			}
		})
	}
	var se *StatusError
	if _, err := Fetch(context.Background(), srv.URL+"/missing", Options{Client: srv.Client()}); !errors.As(err, &se) || se.Code != 404 {
		t.Errorf("a 404 is a *StatusError with its code, got %v", err)
	}
}

func TestFetchGivesUpWhenTheCallerDoes(t *testing.T) {
	srv, mux := newsSite(t)
	mux.HandleFunc("/hang", func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	if _, err := Fetch(ctx, srv.URL+"/hang", Options{Client: srv.Client()}); !errors.Is(err, context.Canceled) {
		t.Errorf("want context.Canceled, got %v", err)
	}
	if time.Since(start) > 2*time.Second {
		t.Error("cancelling did not stop the fetch")
	}
}
