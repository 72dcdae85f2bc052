package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/incidentbot/incidentbot"
	"github.com/incidentbot/incidentbot/answer"
	"github.com/incidentbot/incidentbot/config"
	"github.com/incidentbot/incidentbot/corpus"
	"github.com/incidentbot/incidentbot/internal/wiring"
	"github.com/incidentbot/incidentbot/lang"
	"github.com/incidentbot/incidentbot/openai"
	"github.com/incidentbot/incidentbot/refresh"
	"github.com/incidentbot/incidentbot/retrieval"
	"github.com/incidentbot/incidentbot/uselite"
)

// commonFlags are the flags every command that reads the corpus accepts.
type commonFlags struct {
	config, corpus, data, modelDir string
	json                           bool
}

func (c *commonFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&c.config, "config", "", "configuration file (default: none; everything offline)")
	fs.StringVar(&c.corpus, "corpus", "", "folder of article files (default: the articles built into the program)")
	fs.StringVar(&c.data, "data", "", "folder for the index (default ./data, or the config's)")
	fs.StringVar(&c.modelDir, "model-dir", "", "folder with the USE-Lite weights (default: models/node_modules/…, found from here or the program's folder)")
	fs.BoolVar(&c.json, "json", false, "print JSON, one object per line")
}

// command is one subcommand's flags and configuration.
type command struct {
	flags  commonFlags
	fs     *flag.FlagSet
	cfg    config.Config
	log    *slog.Logger
	stderr io.Writer
}

// newCommand registers the common flags; the caller adds its own to fs
// before parse.
func newCommand(name string, stderr io.Writer) *command {
	c := &command{fs: newFlagSet(name, stderr), stderr: stderr}
	c.flags.register(c.fs)
	return c
}

// parse parses args and loads the configuration they point at.
func (c *command) parse(args []string) error {
	if err := c.fs.Parse(args); err != nil {
		return err
	}
	cfg, err := c.flags.loadConfig()
	if err != nil {
		return err
	}
	c.cfg, c.log = cfg, newLogger(cfg, c.stderr)
	return nil
}

// open wires the index and the answerer, which the corpus's profile
// describes (its subject and summary topics).
func (c *command) open(ctx context.Context, o openOptions) (*app, error) {
	return openApp(ctx, c.cfg, c.log, o)
}

func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// loadConfig reads the config file and applies flag overrides.
func (c *commonFlags) loadConfig() (config.Config, error) {
	cfg, err := config.Load(c.config)
	if err != nil {
		return cfg, err
	}
	if c.corpus != "" {
		cfg.Corpus = c.corpus
	}
	if c.data != "" {
		cfg.Data = c.data
	}
	if c.modelDir != "" {
		cfg.Embedder.ModelDir = c.modelDir
	}
	return cfg, nil
}

// app is the wired program: the index and the answerer over it.
type app struct {
	cfg      config.Config
	log      *slog.Logger
	embedder retrieval.Embedder
	lang     *lang.Resources // general English: word vectors, WordNet
	store    *retrieval.Store
	// state is what the processes of this bot share (snapshots, the
	// refresh lock and history, previews, feedback); refresher the one way
	// the served index changes.
	state     incidentbot.State
	shared    bool
	refresher *refresh.Service
	answerer  *answer.Answerer
	// answerOpts are the answerer's options, for training a reader with
	// the same language resources.
	answerOpts answer.Options
	opened     *retrieval.Report
}

type openOptions struct {
	rebuild  bool
	progress io.Writer // progress bar target, when a terminal
	// forRefresh opens for the refresh command: no refresh on start, and
	// with nothing published yet an empty index to plan against.
	forRefresh bool
	// by is who this process acts as, in the history.
	by incidentbot.Actor
	// serving: the process answers questions (serve, chat, ask, search),
	// and its collector is set for that (wiring.ServingGC).
	serving bool
}

func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	level := slog.LevelInfo
	_ = level.UnmarshalText([]byte(cfg.Log.Level))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.Log.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// openApp loads the embedder and the index (building or refreshing it when
// the corpus changed), and the answerer.
func openApp(ctx context.Context, cfg config.Config, log *slog.Logger, o openOptions) (*app, error) {
	p, err := corpusProfile(cfg.Corpus)
	if err != nil {
		return nil, err
	}
	return openAppWith(ctx, cfg, log, o, corpusLoader(cfg.Corpus), p)
}

// openAppWith is openApp over the articles load returns, about the
// incident profile p describes.
func openAppWith(ctx context.Context, cfg config.Config, log *slog.Logger, o openOptions, load func() ([]*incidentbot.Article, error), p *corpus.Profile) (*app, error) {
	a := &app{cfg: cfg, log: log}
	var err error
	if o.serving {
		wiring.ServingGC()
	}
	if a.embedder, err = newEmbedder(cfg.Embedder, log); err != nil {
		return nil, err
	}
	if a.lang, err = wiring.LoadLanguage(""); err != nil {
		return nil, err
	}
	if o.by.Who == "" {
		o.by = incidentbot.Actor{Who: osUser(), Via: "startup"}
	}
	if a.state, a.shared, err = openState(ctx, cfg, log); err != nil {
		return nil, err
	}
	opts := retrieval.StoreOptions{
		Snapshots:   a.state,
		Embedder:    a.embedder,
		Load:        load,
		ServeLatest: true,
		StartEmpty:  o.forRefresh,
		Query:       wiring.QueryOptions(p, a.lang),
		Rebuild:     o.rebuild,
		By:          o.by,
		Logger:      log,
	}
	if o.progress != nil {
		opts.Progress = progressBar(o.progress)
	}
	if a.store, a.opened, err = retrieval.Open(ctx, opts); err != nil {
		a.state.Close()
		return nil, err
	}
	tps := 0.0
	if cfg.Embedder.Provider != "openai" {
		tps = useLiteTextsPerSecond
	}
	if a.refresher, err = refresh.New(refresh.Options{Store: a.store, Lock: a.state, History: a.state, TextsPerSecond: tps, Logger: log}); err != nil {
		return nil, err
	}
	if !o.forRefresh {
		if err := a.upToDate(ctx, o.by); err != nil {
			a.state.Close()
			return nil, err
		}
	}
	var llm answer.LLM
	if cfg.LLM.Enabled {
		chat, err := openai.NewChat(openai.Config{
			BaseURL: cfg.LLM.BaseURL, APIKey: config.Secret(cfg.LLM.APIKeyEnv), Model: cfg.LLM.Model,
			Temperature: cfg.LLM.Temperature, MaxTokens: cfg.LLM.MaxTokens, Timeout: cfg.LLM.Timeout,
			MaxRetries: cfg.LLM.MaxRetries, Logger: log,
		})
		if err != nil {
			return nil, fmt.Errorf("language model: %w", err)
		}
		llm = chat
	}
	a.answerOpts = answer.Options{TopK: cfg.Answer.TopK, MaxQuestionChars: cfg.Answer.MaxQuestionChars, LLM: llm, Lexicon: a.lang, Logger: log}
	a.answerer = answer.New(answer.WithProfile(a.store, p), a.answerOpts)
	return a, nil
}

// upToDate records a first build as the refresh it was, and, on one
// machine, brings the index up to date with the corpus folder, which is the
// authority there: what a restart after editing the corpus has always done.
func (a *app) upToDate(ctx context.Context, by incidentbot.Actor) error {
	if err := a.refresher.Opened(ctx, a.opened, by); err != nil {
		a.log.Error("recording the first build in the refresh history", "err", err)
	}
	if a.shared || a.opened.Saved {
		return nil
	}
	plan, err := a.refresher.Plan(ctx)
	if err != nil {
		return err
	}
	if !plan.Changed() {
		return nil
	}
	rep, err := a.refresher.Apply(ctx, plan, by)
	var locked *incidentbot.LockedError
	switch {
	case errors.As(err, &locked):
		a.log.Info("not refreshing on start: "+locked.Error()+"; serving the newest index, and the new one once published", "version", a.store.Index().Version())
		return nil
	case err != nil && rep == nil:
		return err
	case err != nil:
		a.log.Error("refreshed on start", "err", err)
	}
	a.opened = &retrieval.Report{Articles: rep.Plan.Articles, Passages: rep.Plan.Passages, ArticlesAdded: rep.Plan.ArticleIDs(incidentbot.Added),
		ArticlesChanged: rep.Plan.ArticleIDs(incidentbot.Changed), ArticlesRemoved: rep.Plan.ArticleIDs(incidentbot.Removed),
		PassagesAdded: rep.Plan.PassagesAdded, PassagesChanged: rep.Plan.PassagesChanged, PassagesRemoved: rep.Plan.PassagesRemoved,
		Embedded: rep.Embedded, Saved: true, Version: rep.Version, BuiltAt: rep.BuiltAt, Seconds: rep.Seconds}
	return nil
}

// saveOnExit bounds how long a process that is exiting waits for a
// refresh it serves to be saved: a 100k-passage snapshot takes seconds to
// write to files and about 15 s into PostgreSQL.
const saveOnExit = time.Minute

// close waits for a refresh applied here to be saved and recorded (what
// every other process, and a restart, will serve), unless saving it is
// failing, then stops saving and releases the shared state.
func (a *app) close() {
	wait := saveOnExit
	if sv := a.store.Saving(); sv != nil {
		if failed, _, _ := sv.Status(); failed > 0 {
			wait = time.Second
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	if err := a.refresher.Wait(ctx); err != nil {
		a.log.Warn("exiting before the refreshed index was saved: other processes keep the previous index, and a restart rebuilds it from the corpus", "err", err)
	}
	cancel()
	a.store.Close()
	if err := a.state.Close(); err != nil {
		a.log.Warn("closing the shared state", "err", err)
	}
}

func newEmbedder(c config.Embedder, log *slog.Logger) (retrieval.Embedder, error) {
	switch c.Provider {
	case "openai":
		e, err := openai.NewEmbedder(openai.Config{BaseURL: c.BaseURL, APIKey: config.Secret(c.APIKeyEnv), Model: c.Model,
			Timeout: c.Timeout, MaxRetries: c.MaxRetries, BatchSize: c.BatchSize, Logger: log})
		if err != nil {
			return nil, fmt.Errorf("embedder: %w", err)
		}
		return e, nil
	default:
		dir, err := uselite.FindWeights(c.ModelDir)
		if err != nil {
			return nil, err
		}
		m, err := uselite.Load(dir)
		if err != nil {
			return nil, fmt.Errorf("loading the sentence encoder: %w", err)
		}
		return m, nil
	}
}

func corpusLoader(dir string) func() ([]*incidentbot.Article, error) {
	if dir == "" {
		return func() ([]*incidentbot.Article, error) { return corpus.Load(corpus.Default(), "corpus (built in)") }
	}
	// A folder with a sources.yaml loads through it; dir may also name a
	// sources file itself (how `refresh --sources FILE` reaches the store).
	return func() ([]*incidentbot.Article, error) { return corpus.LoadPath(dir) }
}

// isTerminal reports whether w is a character device, i.e. a person watches.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// progressBar draws "[#####.....] 120/297 texts embedded" on a terminal,
// at most ten times a second.
func progressBar(w io.Writer) func(done, total int) {
	var last time.Time
	return func(done, total int) {
		if done < total && time.Since(last) < 100*time.Millisecond {
			return
		}
		last = time.Now()
		const width = 30
		filled := width * done / max(total, 1)
		fmt.Fprintf(w, "\r[%s%s] %d/%d texts embedded", strings.Repeat("#", filled), strings.Repeat(".", width-filled), done, total)
		if done >= total {
			fmt.Fprintln(w)
		}
	}
}

// readLines calls f for each non-empty line of r, stopping at the first error.
func readLines(ctx context.Context, r io.Reader, f func(string) error) error {
	// Line by line, so a person typing gets each answer as they go.
	br := bufio.NewReader(r)
	for {
		line, err := br.ReadString('\n')
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if s := strings.TrimSpace(line); s != "" {
			if ferr := f(s); ferr != nil {
				return ferr
			}
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("reading stdin: %w", err)
		}
	}
}
