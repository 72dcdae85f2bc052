package bot

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/incidentbot/incidentbot"
)

var edgeMarkerRe = regexp.MustCompile(`(^\d*\])|(\[\d*$)`)

func TestSplitTextProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	words := []string{"Albania", "cut", "ties", "with", "Iran.", "The", "attack", "hit", "e-Albania", "on", "July", "15,", "2022.",
		"Kosovo", "said", "so!", "„Quoted“", "Ж", "💥", "<https://example.org/a/very/long/link>", "\n", "\n\n", "—"}
	for trial := 0; trial < 300; trial++ {
		var b strings.Builder
		n := r.IntN(900)
		for i := 0; i < n; i++ {
			b.WriteString(words[r.IntN(len(words))])
			if r.IntN(6) == 0 {
				fmt.Fprintf(&b, " [%d]", r.IntN(15)+1)
			}
			b.WriteString(" ")
		}
		text := b.String()
		limit := 50 + r.IntN(300)
		parts := splitText(text, limit)
		for i, p := range parts {
			if c := utf8.RuneCountInString(p); c > limit || c == 0 {
				t.Fatalf("trial %d: part %d has %d code points (limit %d)", trial, i, c, limit)
			}
			if edgeMarkerRe.MatchString(p) {
				t.Fatalf("trial %d: part %d cuts a marker: %q", trial, i, p)
			}
			if !utf8.ValidString(p) {
				t.Fatalf("trial %d: part %d is not valid UTF-8", trial, i)
			}
			if strings.Count(p, "<https://") != strings.Count(p, "link>") {
				t.Fatalf("trial %d: part %d cuts a link: %q", trial, i, p)
			}
		}
		if got, want := strings.Fields(strings.Join(parts, " ")), strings.Fields(text); strings.Join(got, " ") != strings.Join(want, " ") {
			t.Fatalf("trial %d: the parts do not add up to the text", trial)
		}
	}
}

func TestSplitTextPrefersParagraphsThenSentences(t *testing.T) {
	para := strings.Repeat("A sentence about the attack. [1] ", 10) // 330 code points
	parts := splitText(para+"\n\n"+para, 400)
	if len(parts) != 2 || parts[0] != strings.TrimSpace(para) {
		t.Errorf("want a cut between the paragraphs, got %q", parts)
	}
	parts = splitText(para, 100)
	for _, p := range parts {
		if !strings.HasSuffix(p, "[1]") || !strings.HasPrefix(p, "A sentence") {
			t.Errorf("want cuts after a sentence's marker, got %q", p)
		}
	}
	// No spaces at all: a hard cut, still outside markers.
	parts = splitText(strings.Repeat("x[12]", 100), 33)
	for _, p := range parts {
		if edgeMarkerRe.MatchString(p) {
			t.Errorf("hard cut inside a marker: %q", p)
		}
	}
}

func TestRenderAnswer(t *testing.T) {
	long := strings.Repeat("word ", 100)
	a := &incidentbot.Answer{
		Mode: incidentbot.ModeLLM,
		Text: "Albania cut ties on 7 September 2022. [1]", Notice: "The model was down.",
		Citations: []incidentbot.Citation{
			{N: 1, Doc: "d1", Title: "Albania cuts ties", Outlet: "DW", Date: "2022-09-16", URL: "https://dw.com/x", Quote: long},
			{N: 2, Doc: "d2", Quote: "Short\nquote."},
		},
	}
	text, trimmed := renderAnswer(a, "When did\nAlbania cut ties?")
	for _, want := range []string{
		"**Q:** When did Albania cut ties?\n\nAlbania cut ties on 7 September 2022. [1]\n",
		"*Note:* The model was down.", "**Sources**\n**[1]** *Albania cuts ties* — DW, 2022-09-16\n> “word word",
		"…”\n<https://dw.com/x>\n**[2]** *d2*\n> “Short quote.”",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("rendered answer lacks %q:\n%s", want, text)
		}
	}
	if !trimmed {
		t.Error("a 500-character quote should be trimmed")
	}
	if !strings.Contains(renderSourceList(a), strings.TrimSpace(long)) {
		t.Error("the full source list trims quotes")
	}

	refused := &incidentbot.Answer{Refused: true, Closest: []incidentbot.Citation{{N: 1, Doc: "d3", Title: "Nearby", Quote: "Something else."}}}
	text, _ = renderAnswer(refused, "")
	if !strings.HasPrefix(text, refusalText) || !strings.Contains(text, "**Closest sources** (related passages; they do not answer the question)") || strings.Contains(text, "**Sources**") {
		t.Errorf("refusal:\n%s", text)
	}
}

// An extractive answer is its quotes: the sources under it say where each
// quote stands (title, outlet, date, the words around it) instead of
// printing the same sentence a second time.
func TestRenderQuotedAnswerDoesNotRepeatTheQuote(t *testing.T) {
	quote := "The ministry confirmed the outage on March 3."
	a := &incidentbot.Answer{Mode: incidentbot.ModeExtractive, Text: quote + " [1]",
		Citations: []incidentbot.Citation{{N: 1, Doc: "d1", Title: "Outage", Outlet: "Herald", Date: "2023-03-04", Quote: quote,
			Before: "…after two days of silence.", After: "Engineers worked through the night…"}}}
	text, trimmed := renderAnswer(a, "")
	if strings.Count(text, quote) != 1 {
		t.Errorf("the quote should appear once, in the answer:\n%s", text)
	}
	if !strings.Contains(text, "**[1]** *Outage* — Herald, 2023-03-04\n> …after two days of silence. ⟨[1]⟩ Engineers worked through the night…") {
		t.Errorf("the source should show where the quote stands:\n%s", text)
	}
	if !trimmed || !strings.Contains(renderSourceList(a), quote) {
		t.Error("the full source list (the button) should still hold the quote")
	}
}

func TestLimiter(t *testing.T) {
	l := newLimiter(2, 3, time.Minute)
	now := time.Unix(1000, 0)
	for i := 0; i < 2; i++ {
		if ok, _, _ := l.allow("u1", "c1", now); !ok {
			t.Fatalf("request %d refused", i)
		}
	}
	ok, wait, scope := l.allow("u1", "c1", now)
	if ok || scope != scopeUser || wait <= 0 || wait > 30*time.Second {
		t.Fatalf("third = %v %v %q, want refused for the user for up to 30s", ok, wait, scope)
	}
	if ok, _, _ := l.allow("u2", "c1", now); !ok {
		t.Fatal("another user refused")
	}
	// The channel is spent (u1 twice, u2 once); u1's refused attempt took nothing.
	if ok, _, scope := l.allow("u3", "c1", now); ok || scope != scopeChannel {
		t.Fatalf("channel limit not applied: %v %q", ok, scope)
	}
	if ok, _, _ := l.allow("u1", "c2", now.Add(30*time.Second)); !ok {
		t.Fatal("user not refilled after half a window")
	}
	l.allow("x", "y", now.Add(3*time.Minute)) // sweeps idle buckets
	if len(l.users) != 1 || len(l.channels) != 1 {
		t.Errorf("idle buckets kept: %d users, %d channels", len(l.users), len(l.channels))
	}
	if newLimiter(0, 0, time.Minute) != nil {
		t.Error("no limits should mean no limiter")
	}
}

func TestQueueAdmitsAndBounds(t *testing.T) {
	q := newQueue(1, 1, 0)
	a, ok1 := q.admit()
	b, ok2 := q.admit()
	_, ok3 := q.admit()
	if !ok1 || !ok2 || ok3 {
		t.Fatalf("admit = %v %v %v, want two places", ok1, ok2, ok3)
	}
	if err := a.wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := b.wait(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("second wait = %v, want to wait for the slot", err)
	}
	a.done()
	a.done() // idempotent
	if err := b.wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	b.done()
	if q.depth() != 0 {
		t.Errorf("depth %d after all done", q.depth())
	}
}

// Acknowledgements first: an answer does not start while another
// question of the burst still waits to be acknowledged, and starts once it
// is; nor does it wait longer than acksFirst for one that never is.
func TestAnswersLetTheBurstBeAcknowledgedFirst(t *testing.T) {
	q := newQueue(4, 10, 0)
	if q.ackWait != acksFirst || acksFirst > 3*time.Second {
		t.Errorf("answers wait %v for acknowledgements, want acksFirst (%v), at most Discord's 3 s", q.ackWait, acksFirst)
	}
	q.ackWait = 200 * time.Millisecond // for the test's sake
	a, _ := q.admit()
	b, _ := q.admit()
	started := make(chan time.Duration, 1)
	t0 := time.Now()
	go func() {
		if err := a.wait(context.Background()); err != nil {
			t.Error(err)
		}
		started <- time.Since(t0)
	}()
	select {
	case <-started:
		t.Fatal("an answer started while another question of the burst was not yet acknowledged")
	case <-time.After(50 * time.Millisecond):
	}
	b.acked()
	if d := <-started; d >= q.ackWait {
		t.Errorf("the answer started %v after the burst was acknowledged, want at once", d)
	}
	// One that is never acknowledged holds the others back only so long.
	c, _ := q.admit()
	d, _ := q.admit()
	t1 := time.Now()
	if err := c.wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	if waited := time.Since(t1); waited < q.ackWait {
		t.Errorf("waited %v for an unacknowledged question, want ackWait (%v)", waited, q.ackWait)
	}
	d.done() // given up before its acknowledgement
	for _, x := range []*ticket{a, b, c} {
		x.done()
	}
	if q.unacked != 0 || q.depth() != 0 {
		t.Errorf("after all done: %d unacknowledged, depth %d", q.unacked, q.depth())
	}
}

// Admission by expected wait: with answers measured at one second and two
// slots, a question that would wait more than the budget is turned away,
// and once answers are measured fast, a burst of hundreds is admitted.
func TestQueueAdmitsByExpectedWait(t *testing.T) {
	q := newQueue(2, 10000, 3*time.Second)
	q.perAnswer = 1
	admitted := 0
	for {
		if _, ok := q.admit(); !ok {
			break
		}
		admitted++
	}
	// Places 0-1 start at once, 2-3 after one answer, …, 6-7 after three.
	if admitted != 8 {
		t.Errorf("admitted %d at 1 s per answer, 2 slots, a 3 s budget; want 8", admitted)
	}
	fast := newQueue(8, 10000, 10*time.Second)
	for i := 0; i < 50; i++ {
		fast.observe(10 * time.Millisecond)
	}
	for i := 0; i < 300; i++ {
		if _, ok := fast.admit(); !ok {
			t.Fatalf("question %d of a burst of 300 turned away at %v per answer", i, time.Duration(fast.perAnswer*float64(time.Second)))
		}
	}
}

func TestInflightDrain(t *testing.T) {
	f := newInflight()
	if !f.enter() {
		t.Fatal("enter refused")
	}
	done := make(chan int)
	go func() { done <- f.drain(context.Background()) }()
	time.Sleep(10 * time.Millisecond)
	if f.enter() {
		t.Fatal("entered while draining")
	}
	f.leave()
	if left := <-done; left != 0 {
		t.Errorf("drain left %d", left)
	}
}

func TestAnswerCacheSharesAndExpires(t *testing.T) {
	c := newAnswerCache(2, time.Hour)
	var calls atomic.Int32
	release := make(chan struct{})
	f := func() (*incidentbot.Answer, error) {
		calls.Add(1)
		<-release
		return &incidentbot.Answer{Text: "x"}, nil
	}
	key := cacheKey{question: "q"}
	var wg sync.WaitGroup
	for i := 0; i < 5; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if a, err := c.do(context.Background(), key, f); err != nil || a.Text != "x" {
				t.Errorf("do = %v, %v", a, err)
			}
		}()
	}
	time.Sleep(20 * time.Millisecond)
	close(release)
	wg.Wait()
	if n := calls.Load(); n != 1 {
		t.Errorf("%d computations for 5 identical questions at once", n)
	}
	// Errors are not kept.
	boom := errors.New("boom")
	if _, err := c.do(context.Background(), cacheKey{question: "e"}, func() (*incidentbot.Answer, error) { return nil, boom }); err != boom {
		t.Fatal(err)
	}
	if _, err := c.do(context.Background(), cacheKey{question: "e"}, func() (*incidentbot.Answer, error) { return &incidentbot.Answer{}, nil }); err != nil {
		t.Errorf("an error was cached: %v", err)
	}
	// A panic reaches its caller; the entry is not left waiting forever.
	func() {
		defer func() { _ = recover() }()
		c.do(context.Background(), cacheKey{question: "p"}, func() (*incidentbot.Answer, error) { panic("x") })
	}()
	if _, err := c.do(context.Background(), cacheKey{question: "p"}, func() (*incidentbot.Answer, error) { return &incidentbot.Answer{}, nil }); err != nil {
		t.Errorf("after a panic: %v", err)
	}
	if c.lru.Len() > 2 {
		t.Errorf("%d entries, cap 2", c.lru.Len())
	}
}

func TestAPIBaseRewrite(t *testing.T) {
	var got []string
	var mu sync.Mutex
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, r.Method+" "+r.URL.RequestURI()+" auth="+r.Header.Get("Authorization"))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"url": "ws://127.0.0.1:1/gateway"}`)
	}))
	defer proxy.Close()
	client, err := restClient(proxy.URL+"/nirn/api/v9/", &http.Client{Transport: proxy.Client().Transport})
	if err != nil {
		t.Fatal(err)
	}
	s, _ := discordgo.New("Bot secret")
	s.Client = client
	if _, err := s.Gateway(); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("PATCH", discordgo.EndpointWebhookMessage("1", "tok", "@original")+"?wait=true", nil)
	req.Header.Set("Authorization", "Bot secret")
	if resp, err := client.Do(req); err != nil {
		t.Fatal(err)
	} else {
		resp.Body.Close()
	}
	want := []string{"GET /nirn/api/v9/gateway auth=Bot secret", "PATCH /nirn/api/v9/webhooks/1/tok/messages/@original?wait=true auth=Bot secret"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("requests:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if _, err := restClient("discord.com", nil); err == nil {
		t.Error("a base without a scheme should be refused")
	}
}

func TestParseRendered(t *testing.T) {
	a := &incidentbot.Answer{Text: "It was Iran. [1]", Citations: []incidentbot.Citation{{N: 1, Doc: "d", Quote: "q"}}, Notice: "n"}
	text, _ := renderAnswer(a, "Who did it?")
	q, ans := parseRendered(text)
	if q != "Who did it?" || ans != "It was Iran. [1]" {
		t.Errorf("parseRendered = %q, %q", q, ans)
	}
	if q, ans := parseRendered("It was Iran. [1]\n\n**Sources**\nx"); q != "" || ans != "It was Iran. [1]" {
		t.Errorf("without echo: %q, %q", q, ans)
	}
}

func TestAnswerCacheDropsFallbacks(t *testing.T) {
	c := newAnswerCache(8, time.Hour)
	calls := 0
	f := func() (*incidentbot.Answer, error) {
		calls++
		return &incidentbot.Answer{Mode: incidentbot.ModeFallback}, nil
	}
	c.do(context.Background(), cacheKey{question: "q"}, f)
	c.do(context.Background(), cacheKey{question: "q"}, f)
	if calls != 2 {
		t.Errorf("a fallback answer was reused (%d computations)", calls)
	}
}
