package bot_test

import (
	"bytes"
	"context"
	"fmt"
	"github.com/incidentbot/incidentbot/filestate"
	"github.com/incidentbot/incidentbot/refresh"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/incidentbot/incidentbot/internal/wiring"

	"github.com/incidentbot/incidentbot"
	"github.com/incidentbot/incidentbot/answer"
	"github.com/incidentbot/incidentbot/bot"
	"github.com/incidentbot/incidentbot/bot/discordtest"
	"github.com/incidentbot/incidentbot/corpus"
	"github.com/incidentbot/incidentbot/ops"
	"github.com/incidentbot/incidentbot/retrieval"
	"github.com/incidentbot/incidentbot/uselite"
)

// The index is built once per test binary (embedding the corpus takes
// seconds, many more under -race) into a data folder that tests needing a
// store of their own copy, so their Open only re-reads the snapshot.
var shared struct {
	once    sync.Once
	model   *uselite.Model
	dataDir string
	store   *retrieval.Store
	err     error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shared.dataDir != "" {
		os.RemoveAll(shared.dataDir)
	}
	os.Exit(code)
}

func sharedIndex(tb testing.TB) {
	tb.Helper()
	shared.once.Do(func() {
		dir, err := uselite.FindWeights("")
		if err != nil {
			shared.err = err
			return
		}
		if shared.model, err = uselite.Load(dir); err != nil {
			shared.err = err
			return
		}
		if shared.dataDir, err = os.MkdirTemp("", "incidentbot-bot-test-"); err != nil {
			shared.err = err
			return
		}
		shared.store, _, shared.err = retrieval.Open(context.Background(), retrieval.StoreOptions{Query: wiring.ShippedQuery(),
			DataDir: shared.dataDir, Embedder: shared.model,
			Load: func() ([]*incidentbot.Article, error) { return corpus.Load(corpus.Default(), "corpus") },
		})
	})
	if shared.err != nil {
		tb.Fatalf("building the test index: %v", shared.err)
	}
}

// sharedStore is the store over the shipped corpus. Tests must not
// refresh it.
func sharedStore(tb testing.TB) *retrieval.Store {
	sharedIndex(tb)
	return shared.store
}

// privateStore opens a store of its own over the articles in corpusDir,
// starting from a copy of the shared snapshot so nothing already embedded
// is embedded again.
func privateStore(tb testing.TB, corpusDir string) *retrieval.Store {
	tb.Helper()
	sharedIndex(tb)
	data := tb.TempDir()
	if err := os.CopyFS(data, os.DirFS(shared.dataDir)); err != nil {
		tb.Fatal(err)
	}
	st, _, err := retrieval.Open(context.Background(), retrieval.StoreOptions{Query: wiring.ShippedQuery(),
		DataDir: data, Embedder: shared.model,
		Load: func() ([]*incidentbot.Article, error) { return corpus.LoadDir(corpusDir) },
	})
	if err != nil {
		tb.Fatal(err)
	}
	return st
}

// corpusCopy copies the shipped articles into a new folder.
func corpusCopy(tb testing.TB) string {
	tb.Helper()
	dir := tb.TempDir()
	if err := os.CopyFS(dir, corpus.Default()); err != nil {
		tb.Fatal(err)
	}
	return dir
}

// loopbackClient can only dial loopback addresses, so a bot under test can
// never reach the real Discord even if the API base rewrite were broken.
func loopbackClient() *http.Client {
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	return &http.Client{
		Timeout: 20 * time.Second,
		Transport: &http.Transport{
			Proxy:               nil,
			MaxIdleConnsPerHost: 128,
			IdleConnTimeout:     30 * time.Second,
			DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
				host, _, err := net.SplitHostPort(addr)
				if err != nil {
					return nil, err
				}
				if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
					return nil, fmt.Errorf("test client: refusing to dial %s: loopback only", addr)
				}
				return dialer.DialContext(ctx, network, addr)
			},
		},
	}
}

// syncBuffer collects log output from many goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// harness is a fake Discord with a running bot attached.
type harness struct {
	t      testing.TB
	srv    *discordtest.Server
	bot    *bot.Bot
	client *http.Client
	cfg    bot.Config
	// ops is /healthz and /metrics for the bot; opsAddr is where they are
	// served, when the setup asked for a listener.
	ops     http.Handler
	opsAddr string
	data    string
	logs    *syncBuffer
	cancel  context.CancelFunc
	done    chan error
}

type setup struct {
	srv      discordtest.Config
	cfg      func(*bot.Config)
	answerer incidentbot.Answerer
	// library, when set, is the store searched and refreshed instead of
	// the shared one.
	library  *retrieval.Store
	listen   string
	data     string
	srvReady func(*discordtest.Server) // run before the bot starts
	// corpusDir, when set, is what /refresh previews against.
	corpusDir string
	// about, when set, replaces what the built-in profile says.
	about *bot.About
	// tokenTTL, when set, is how long the bot takes an interaction token
	// to live (bot.Options.InteractionTokenTTL).
	tokenTTL time.Duration
}

// aboutOf is what cmd/incidentbot tells the bot of a corpus profile.
func aboutOf(p *corpus.Profile) bot.About {
	a := bot.About{Subject: p.Subject(), Description: p.Description, Example: p.Example}
	for _, t := range p.Topics {
		a.Topics = append(a.Topics, bot.Topic{ID: t.ID, Title: t.Title})
	}
	return a
}

// builtIn is what the bot says of the built-in corpus, which the tests use.
func builtIn() bot.About { return aboutOf(corpus.DefaultProfile()) }

// topicTitle is the built-in profile's title for topic id.
func topicTitle(tb testing.TB, id string) string {
	t, ok := corpus.DefaultProfile().Topic(id)
	if !ok {
		tb.Fatalf("the built-in profile has no topic %q", id)
	}
	return t.Title
}

// testConfig is the configuration tests start from: limits out of the way
// unless a test sets them.
func testConfig() bot.Config {
	c := bot.DefaultConfig()
	c.RateLimit.PerUser, c.RateLimit.PerChannel = 0, 0
	c.MaxConcurrent, c.QueueSize = 8, 256
	c.ShutdownTimeout = 5 * time.Second
	c.StreamEditInterval = 100 * time.Millisecond
	c.GuildID = discordtest.DefaultGuildID
	return c
}

func start(tb testing.TB, s setup) *harness {
	tb.Helper()
	srv := discordtest.New(tb, s.srv)
	if s.srvReady != nil {
		s.srvReady(srv)
	}
	h := newBot(tb, srv, s)
	h.run()
	return h
}

// newBot builds a bot for srv without starting it.
func newBot(tb testing.TB, srv *discordtest.Server, s setup) *harness {
	tb.Helper()
	cfg := testConfig()
	if s.cfg != nil {
		s.cfg(&cfg)
	}
	cfg.APIBase = srv.APIBase()
	if s.answerer == nil {
		s.answerer = answer.New(sharedStore(tb), wiring.AnswerOptions(answer.Options{}, wiring.MustLanguage()))
	}
	if s.library == nil {
		s.library = sharedStore(tb)
	}
	if s.data == "" {
		s.data = tb.TempDir()
	}
	logs := &syncBuffer{}
	client := loopbackClient()
	about := builtIn()
	if s.about != nil {
		about = *s.about
	}
	// The state this bot shares with other processes: votes, previews,
	// the refresh lock and history, in its data folder.
	st, err := filestate.Open(s.data, filestate.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	refresher, err := refresh.New(refresh.Options{Store: s.library, Lock: st, History: st})
	if err != nil {
		tb.Fatal(err)
	}
	reg := ops.NewRegistry()
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	b, err := bot.New(bot.Options{
		Config: cfg, Token: srv.Token(), Metrics: reg, Refresher: refresher, Previews: st, Feedback: st,
		Answerer: s.answerer, Library: wiring.Library(s.library), HTTPClient: client, About: about, InteractionTokenTTL: s.tokenTTL,
		Logger: log,
	})
	if err != nil {
		tb.Fatal(err)
	}
	h := &harness{t: tb, srv: srv, bot: b, client: client, cfg: cfg, data: s.data, logs: logs, ops: ops.Handler(b.Health, reg)}
	if s.listen != "" {
		// As cmd/incidentbot serves it beside the bot.
		srv, err := ops.Listen(s.listen, h.ops, log)
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(srv.Close)
		h.opsAddr = srv.Addr()
	}
	tb.Cleanup(func() {
		if tb.Failed() {
			tb.Logf("bot log:\n%s", tail(logs.String(), 8000))
			if f := os.Getenv("BOT_LOG_DUMP"); f != "" {
				_ = os.WriteFile(f, []byte(logs.String()), 0o644)
			}
		}
	})
	return h
}

// run starts the bot and waits until it is ready; the test's cleanup
// stops it before the fake server closes.
func (h *harness) run() {
	h.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel, h.done = cancel, make(chan error, 1)
	go func() { h.done <- h.bot.Run(ctx) }()
	h.t.Cleanup(func() { h.stop() })
	select {
	case <-h.bot.Ready():
	case err := <-h.done:
		h.done <- err
		h.t.Fatalf("bot stopped before it was ready: %v", err)
	case <-time.After(30 * time.Second):
		h.t.Fatal("bot not ready after 30s")
	}
}

// stop shuts the bot down and returns what Run returned.
func (h *harness) stop() error {
	if h.cancel == nil {
		return nil
	}
	h.cancel()
	select {
	case err := <-h.done:
		h.done <- err
		h.client.CloseIdleConnections()
		return err
	case <-time.After(30 * time.Second):
		h.t.Error("bot did not stop within 30s")
		return nil
	}
}

func ctxT(tb testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	tb.Cleanup(cancel)
	return ctx
}

// send dispatches an interaction.
func (h *harness) send(in *discordtest.Interaction) *discordtest.Interaction {
	h.t.Helper()
	if err := h.srv.SendInteraction(in); err != nil {
		h.t.Fatalf("sending interaction: %v", err)
	}
	return in
}

// ask sends /ask question.
func (h *harness) ask(question string) *discordtest.Interaction {
	h.t.Helper()
	return h.send(discordtest.SlashCommand("ask", discordtest.StringOption("question", question)))
}

// answered waits until the interaction's reply carries the buttons that
// come with a finished answer, and returns the record.
func (h *harness) answered(id string) *discordtest.InteractionRecord {
	h.t.Helper()
	rec, err := h.srv.WaitInteraction(ctxT(h.t, 60*time.Second), id, hasButtons)
	if err != nil {
		h.t.Fatalf("waiting for an answer: %v", err)
	}
	return rec
}

// replied waits until @original has content containing want.
func (h *harness) replied(id, want string) *discordtest.InteractionRecord {
	h.t.Helper()
	rec, err := h.srv.WaitInteraction(ctxT(h.t, 30*time.Second), id, func(r *discordtest.InteractionRecord) bool {
		return r.Original != nil && strings.Contains(r.Original.Content, want)
	})
	if err != nil {
		content := ""
		if rec != nil && rec.Original != nil {
			content = rec.Original.Content
		}
		h.t.Fatalf("waiting for a reply containing %q: %v; @original is %q", want, err, content)
	}
	return rec
}

func hasButtons(r *discordtest.InteractionRecord) bool {
	for _, m := range messagesOf(r) {
		if len(m.Buttons()) > 0 {
			return true
		}
	}
	return false
}

// messagesOf is @original and the followups, in order.
func messagesOf(r *discordtest.InteractionRecord) []*discordtest.Message {
	var out []*discordtest.Message
	if r.Original != nil {
		out = append(out, r.Original)
	}
	return append(out, r.Followups...)
}

// text joins the contents of an interaction's messages.
func text(r *discordtest.InteractionRecord) string {
	var parts []string
	for _, m := range messagesOf(r) {
		parts = append(parts, m.Content)
	}
	return strings.Join(parts, "\n")
}

// checkSafeWrites asserts that every message the bot created or edited
// with content said allowed_mentions.parse = [] and pinged nobody, and that
// the bot called no route the fake does not know.
func checkSafeWrites(tb testing.TB, srv *discordtest.Server) {
	tb.Helper()
	for _, w := range srv.Writes() {
		if w.Content == nil && !w.ComponentsSet {
			continue // the empty "thinking…" message of a deferral
		}
		if !w.AllowedMentions.ParseIsEmptyList() || !w.AllowedMentions.SuppressesAll() {
			tb.Errorf("%s on message %s: allowed_mentions %s, want parse: [] and nothing else", w.Route, w.MessageID, rawOf(w.AllowedMentions))
		}
		if !w.Pings.None() {
			tb.Errorf("%s on message %s pings %+v", w.Route, w.MessageID, w.Pings)
		}
	}
	for _, c := range srv.UnknownCalls() {
		tb.Errorf("bot called a route the fake does not implement: %s %s", c.Method, c.Path)
	}
}

func rawOf(a *discordtest.AllowedMentions) string {
	if a == nil {
		return "absent"
	}
	return string(a.Raw)
}

var markerAtEdgeRe = regexp.MustCompile(`(^\d*\])|(\[\d*$)`)

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

// writeArticle writes an article file into a corpus folder.
func writeArticle(tb testing.TB, dir, id, title, date, body string) {
	tb.Helper()
	content := fmt.Sprintf("---\ntitle: %q\noutlet: \"Test Wire\"\nauthor: \"\"\ndate: %q\nurl: \"https://example.org/%s\"\ntags: [albania]\n---\n%s\n", title, date, id, body)
	if err := os.WriteFile(filepath.Join(dir, id+".md"), []byte(content), 0o644); err != nil {
		tb.Fatal(err)
	}
}

var _ = io.Discard

// refresherFor is the refresh service over store, with its lock and history
// in a folder of the test's own.
func refresherFor(tb testing.TB, store *retrieval.Store) *refresh.Service {
	tb.Helper()
	st, err := filestate.Open(tb.TempDir(), filestate.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	svc, err := refresh.New(refresh.Options{Store: store, Lock: st, History: st})
	if err != nil {
		tb.Fatal(err)
	}
	return svc
}
