// Package bench measures what users and operators feel: how fast the local
// encoder embeds, how long an index takes to build and to load, and how long
// a question takes, on the shipped corpus and on synthetic corpora of 10k and
// 100k passages. `incidentbot bench` prints its report; bench_test.go holds
// the same measurements as Go benchmarks.
package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/incidentbot/incidentbot/corpus"

	"github.com/incidentbot/incidentbot"
	"github.com/incidentbot/incidentbot/eval"
	"github.com/incidentbot/incidentbot/internal/wiring"
	"github.com/incidentbot/incidentbot/retrieval"
	"github.com/incidentbot/incidentbot/uselite"
)

// Report holds the figures.
type Report struct {
	Encoder struct {
		Passages       int     `json:"passages"`
		MeanTokens     float64 `json:"mean_tokens"`
		Seconds        float64 `json:"seconds"`
		PassagesPerSec float64 `json:"passages_per_sec"`
		TokensPerSec   float64 `json:"tokens_per_sec"`
	} `json:"encoder"`
	ModelLoadSeconds  float64 `json:"model_load_seconds"`
	IndexBuildSeconds float64 `json:"index_build_seconds"`
	// ColdStartSeconds, RefreshUnchangedSeconds, Query and Ask are a
	// serving process's (see Serving) when Options.Serving is set, else
	// measured in this process.
	ColdStartSeconds        float64     `json:"cold_start_seconds"`
	RefreshUnchangedSeconds float64     `json:"refresh_unchanged_seconds"`
	Query                   Latency     `json:"query"`
	Ask                     Latency     `json:"ask"`
	Synthetic               []Synthetic `json:"synthetic"`
	// ServingPeakRSSMB is the peak resident memory of a process that
	// serves the shipped corpus and does nothing else (Serving): what a
	// user sees of `incidentbot serve`, `chat` or `ask`. 0 without
	// Options.Serving.
	ServingPeakRSSMB float64 `json:"serving_peak_rss_mb,omitempty"`
	// BenchPeakRSSMB is this process's peak resident memory, which has
	// embedded the whole corpus and built its index (and, without
	// Options.Serving, loaded a second encoder for the cold start): the
	// shipped corpus's alone when the synthetic sizes run in processes of
	// their own. It used to be reported as peak_rss_mb, and read as the
	// serving figure, which it is not.
	BenchPeakRSSMB float64 `json:"bench_peak_rss_mb"`
}

// Latency is a latency distribution in milliseconds.
type Latency struct {
	N     int     `json:"n"`
	P50MS float64 `json:"p50_ms"`
	P99MS float64 `json:"p99_ms"`
}

// Synthetic is what an index of a generated corpus costs: time to build,
// memory, query latency, and what the compact scan loses.
type Synthetic struct {
	Passages     int     `json:"passages"`
	Sentences    int     `json:"sentences"`
	BuildSeconds float64 `json:"build_seconds"`
	// HeapMB is the live heap after a GC with the index loaded (and the
	// encoder, which embeds the queries).
	HeapMB float64 `json:"heap_mb"`
	// CodesMB is the compact scan's vectors, resident but outside the Go
	// heap; ExactVectorsMB the exact float32 vectors, in a mapped file
	// (the page cache, not the process's resident memory).
	CodesMB        float64 `json:"codes_mb"`
	ExactVectorsMB float64 `json:"exact_vectors_mb"`
	// PeakRSSMB is the peak resident memory of a process that loads the
	// encoder, builds this index and queries it, and does nothing else.
	PeakRSSMB float64 `json:"peak_rss_mb"`
	Query     Latency `json:"query"`
	// RecallAt10 is the share of the exact 10 nearest sentence vectors (a
	// scan of every float32 vector) that the compact scan finds, over the
	// queries timed.
	RecallAt10 float64 `json:"recall_at_10"`
	// RefreshOneSeconds is how long a refresh takes that finds one article
	// of this corpus changed (a paragraph added), as /refresh makes it
	// (Store.RefreshServing), from reading the corpus until the new index
	// answers a query that finds the new paragraph, on a store built by
	// Open (in a data folder of its own, after the figures above, which it
	// does not count in: see refreshOne); RefreshSavedSeconds is how long
	// from the same start until its snapshot is published (saved in the
	// background meanwhile), and RefreshEmbedded how many texts it
	// embedded. 0 for sizes above Options.RefreshUpTo.
	RefreshOneSeconds   float64 `json:"refresh_one_seconds,omitempty"`
	RefreshSavedSeconds float64 `json:"refresh_saved_seconds,omitempty"`
	RefreshEmbedded     int     `json:"refresh_embedded,omitempty"`
}

// Options says what to measure.
type Options struct {
	ModelDir  string
	Load      func() ([]*incidentbot.Article, error)
	Synthetic []int // passage counts, e.g. 10000, 100000
	// Profile describes the corpus Load reads (default: the built-in one).
	Profile  *corpus.Profile
	Progress func(string)
	// Child, if set, starts a process that measures one synthetic size
	// alone (with MeasureSynthetic) and writes its Synthetic as JSON to
	// stdout, so that its peak memory is that size's own. Without it the
	// sizes are measured in this process, and their peak_rss_mb is the
	// process's peak so far.
	Child func(ctx context.Context, passages int) *exec.Cmd
	// Serving, if set, starts a process that measures a serving
	// process on the index persisted in dataDir (with MeasureServing) and
	// writes its Serving as JSON to stdout, so that its peak memory is a
	// serving process's own. Without it the cold start and the latencies
	// are measured in this process, and no serving peak is reported.
	Serving func(ctx context.Context, dataDir string) *exec.Cmd
	// RefreshUpTo is the largest synthetic size whose one-article refresh
	// is timed (0: 100000). Timing it builds the index a second time
	// through Open and publishes it twice: 1.2 GB of snapshot each time at
	// 100k, and gob, whose format the snapshot's vectors are in, reads no
	// message over 8 GB (about 650k passages).
	RefreshUpTo int
}

// Run takes every measurement. It builds indexes in temporary folders and
// removes them.
func Run(ctx context.Context, o Options) (*Report, error) {
	say := func(s string) {
		if o.Progress != nil {
			o.Progress(s)
		}
	}
	r := &Report{}
	dir, err := uselite.FindWeights(o.ModelDir)
	if err != nil {
		return nil, err
	}
	t := time.Now()
	model, err := uselite.Load(dir)
	if err != nil {
		return nil, err
	}
	r.ModelLoadSeconds = time.Since(t).Seconds()
	articles, err := o.Load()
	if err != nil {
		return nil, err
	}

	say("encoder throughput")
	var texts []string
	tokens := 0
	for _, a := range articles {
		for _, p := range retrieval.Chunk(a) {
			texts = append(texts, p.Text)
			tokens += min(len(model.Tokenize(p.Text)), 128)
		}
	}
	t = time.Now()
	if _, err := model.Embed(ctx, texts); err != nil {
		return nil, err
	}
	sec := time.Since(t).Seconds()
	r.Encoder.Passages, r.Encoder.Seconds = len(texts), sec
	r.Encoder.MeanTokens = float64(tokens) / float64(len(texts))
	r.Encoder.PassagesPerSec, r.Encoder.TokensPerSec = float64(len(texts))/sec, float64(tokens)/sec

	say("index build")
	data, err := os.MkdirTemp("", "incidentbot-bench-")
	if err != nil {
		return nil, fmt.Errorf("temp folder: %w", err)
	}
	defer os.RemoveAll(data)
	t = time.Now()
	if _, _, err := retrieval.Open(ctx, retrieval.StoreOptions{DataDir: data, Embedder: model, Load: o.Load}); err != nil {
		return nil, err
	}
	r.IndexBuildSeconds = time.Since(t).Seconds()

	profile := o.Profile
	if profile == nil {
		profile = corpus.DefaultProfile()
	}
	questions, err := evalQuestions()
	if err != nil {
		return nil, err
	}
	var sv *Serving
	if o.Serving != nil {
		say("a serving process: cold start, query and ask latency, memory")
		if sv, err = inChild[Serving](ctx, o.Serving(ctx, data)); err != nil {
			return nil, fmt.Errorf("the serving process: %w", err)
		}
	} else {
		say("cold start, query and ask latency")
		if sv, err = serve(ctx, o.Load, dir, data, profile, questions); err != nil {
			return nil, err
		}
	}
	r.ColdStartSeconds, r.RefreshUnchangedSeconds = sv.ColdStartSeconds, sv.RefreshUnchangedSeconds
	r.Query, r.Ask, r.ServingPeakRSSMB = sv.Query, sv.Ask, sv.PeakRSSMB

	// The shipped corpus's figures first: bench_peak_rss_mb is theirs
	// when the synthetic sizes run in processes of their own.
	r.BenchPeakRSSMB = peakRSSMB()
	for _, n := range o.Synthetic {
		say(fmt.Sprintf("synthetic corpus of %d passages", n))
		var s *Synthetic
		if o.Child != nil {
			s, err = inChild[Synthetic](ctx, o.Child(ctx, n))
		} else {
			var query retrieval.QueryOptions
			if query, err = o.queryOptions(); err == nil {
				s, err = synthetic(ctx, model, articles, n, questions, o.refreshUpTo(), query)
			}
		}
		if err != nil {
			return nil, fmt.Errorf("synthetic corpus of %d passages: %w", n, err)
		}
		r.Synthetic = append(r.Synthetic, *s)
	}
	if o.Child == nil {
		r.BenchPeakRSSMB = peakRSSMB()
	}
	return r, nil
}

// inChild runs cmd, which measures one synthetic size or a serving
// process and writes its figures (a T) as JSON: its peak memory too, as
// only it can (see peakRSSMB).
func inChild[T any](ctx context.Context, cmd *exec.Cmd) (*T, error) {
	var out bytes.Buffer
	cmd.Stdout = &out
	if cmd.Stderr == nil {
		cmd.Stderr = os.Stderr
	}
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("measuring in a child process: %w", err)
	}
	v := new(T)
	if err := json.Unmarshal(out.Bytes(), v); err != nil {
		return nil, fmt.Errorf("reading the child's figures: %w", err)
	}
	return v, ctx.Err()
}

// MeasureSynthetic measures one synthetic size in this process: what a
// child started by Options.Child runs. Its peak_rss_mb is this process's.
func MeasureSynthetic(ctx context.Context, o Options, passages int) (*Synthetic, error) {
	dir, err := uselite.FindWeights(o.ModelDir)
	if err != nil {
		return nil, err
	}
	model, err := uselite.Load(dir)
	if err != nil {
		return nil, err
	}
	articles, err := o.Load()
	if err != nil {
		return nil, err
	}
	questions, err := evalQuestions()
	if err != nil {
		return nil, err
	}
	query, err := o.queryOptions()
	if err != nil {
		return nil, err
	}
	return synthetic(ctx, model, articles, passages, questions, o.refreshUpTo(), query)
}

// queryOptions are how a served index reads questions about o's corpus,
// what a refreshed index prepares before it answers (prepareQueries).
func (o Options) queryOptions() (retrieval.QueryOptions, error) {
	res, err := wiring.LoadLanguage("")
	if err != nil {
		return retrieval.QueryOptions{}, err
	}
	profile := o.Profile
	if profile == nil {
		profile = corpus.DefaultProfile()
	}
	return wiring.QueryOptions(profile, res), nil
}

func timeEach(items []string, f func(string) error) (Latency, error) {
	var ms []float64
	for _, it := range items {
		t := time.Now()
		if err := f(it); err != nil {
			return Latency{}, err
		}
		ms = append(ms, float64(time.Since(t).Microseconds())/1000)
	}
	return Latency{N: len(ms), P50MS: eval.Percentile(ms, 50), P99MS: eval.Percentile(ms, 99)}, nil
}

// SyntheticArticles makes articles from the corpus's sentences in random
// order until they hold at least n passages: real words for BM25, and
// (from RandomVector) vectors spread like real ones.
func SyntheticArticles(base []*incidentbot.Article, n int, seed uint64) []*incidentbot.Article {
	var sents []string
	for _, a := range base {
		for _, p := range retrieval.Chunk(a) {
			for _, s := range p.Sentences {
				sents = append(sents, a.Text[s.Start:s.End])
			}
		}
	}
	rng := rand.New(rand.NewPCG(seed, 1))
	var out []*incidentbot.Article
	passages := 0
	for passages < n {
		var paras []string
		for range 10 {
			var p []string
			for range 3 {
				p = append(p, sents[rng.IntN(len(sents))])
			}
			paras = append(paras, strings.Join(p, " "))
		}
		a := &incidentbot.Article{ID: fmt.Sprintf("synthetic-%06d", len(out)), Title: "Synthetic", Text: strings.Join(paras, "\n\n")}
		passages += len(retrieval.Chunk(a))
		out = append(out, a)
	}
	return out
}

// RandomVector is a unit vector determined by text.
func RandomVector(text string, dim int) []float32 {
	h := fnv.New64a()
	h.Write([]byte(text))
	rng := rand.New(rand.NewPCG(h.Sum64(), 7))
	v := make([]float32, dim)
	var norm float64
	for i := range v {
		x := rng.NormFloat64()
		v[i] = float32(x)
		norm += x * x
	}
	for i := range v {
		v[i] /= float32(math.Sqrt(norm))
	}
	return v
}

// SyntheticVectors gives every text a RandomVector, and each repetition
// of a text another one: the synthetic articles repeat the shipped
// corpus's few hundred sentences, where a real corpus's are distinct, and
// shared vectors would understate the index's memory and make the scan's
// recall trivially perfect (every neighbour tied with its copies).
func SyntheticVectors(dim int) func(text string) []float32 {
	seen := map[string]int{}
	return func(text string) []float32 {
		n := seen[text]
		seen[text]++
		if n == 0 {
			return RandomVector(text, dim)
		}
		return RandomVector(text+"\x00"+strconv.Itoa(n), dim)
	}
}

func (o Options) refreshUpTo() int {
	if o.RefreshUpTo == 0 {
		return 100000
	}
	return o.RefreshUpTo
}

func synthetic(ctx context.Context, model *uselite.Model, base []*incidentbot.Article, n int, questions []string, refreshUpTo int, query retrieval.QueryOptions) (*Synthetic, error) {
	arts := SyntheticArticles(base, n, uint64(n))
	t := time.Now()
	ix, err := retrieval.NewIndex(model.ID(), arts, SyntheticVectors(model.Dim()))
	if err != nil {
		return nil, err
	}
	s := &Synthetic{Passages: len(ix.Passages()), Sentences: ix.SentenceCount(), BuildSeconds: time.Since(t).Seconds()}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	s.HeapMB = float64(ms.HeapAlloc) / (1 << 20)
	codes, exact := ix.VectorBytes()
	s.CodesMB, s.ExactVectorsMB = float64(codes)/(1<<20), float64(exact)/(1<<20)
	questions = questions[:min(len(questions), 40)]
	s.Query, err = timeEach(questions, func(q string) error {
		_, err := ix.Search(ctx, model, q, 5)
		return err
	})
	if err != nil {
		return nil, err
	}
	var recall float64
	for _, q := range questions {
		vs, err := model.Embed(ctx, []string{ix.Analyze(q).Text})
		if err != nil {
			return nil, err
		}
		recall += ix.CompactRecall(vs[0], 10)
	}
	s.RecallAt10 = recall / float64(len(questions))
	// The peak so far is this size's: the refresh below builds another
	// index of it.
	s.PeakRSSMB = peakRSSMB()
	if n <= refreshUpTo {
		ix = nil
		runtime.GC()
		if s.RefreshOneSeconds, s.RefreshSavedSeconds, s.RefreshEmbedded, err = refreshOne(ctx, arts, model.Dim(), query); err != nil {
			return nil, fmt.Errorf("timing a one-article refresh: %w", err)
		}
	}
	return s, nil
}

// refreshOne builds a store of arts through Open, in a data folder of its
// own, with vectors made from the texts (RandomVector: an embedder, unlike
// SyntheticVectors, gives a text the same vector every time), then adds a
// paragraph to the article in the middle and times the refresh that
// follows as /refresh makes it: until the new index answers a query that
// finds the new paragraph (serving), and until its snapshot is published
// (saved). It returns both in seconds and how many texts it embedded.
func refreshOne(ctx context.Context, arts []*incidentbot.Article, dim int, query retrieval.QueryOptions) (serving, saved float64, embedded int, err error) {
	data, err := os.MkdirTemp("", "incidentbot-bench-refresh-")
	if err != nil {
		return 0, 0, 0, err
	}
	defer os.RemoveAll(data)
	current := arts
	load := func() ([]*incidentbot.Article, error) {
		// Fresh copies each time, as reading the corpus files gives.
		out := make([]*incidentbot.Article, len(current))
		for i, a := range current {
			c := *a
			out[i] = &c
		}
		return out, nil
	}
	store, _, err := retrieval.Open(ctx, retrieval.StoreOptions{DataDir: data, Embedder: randomEmbedder(dim), Load: load, Query: query})
	if err != nil {
		return 0, 0, 0, err
	}
	defer store.Close()
	next := append([]*incidentbot.Article(nil), arts...)
	mid := *next[len(next)/2]
	const added = "The article was updated with this closing paragraph after it was first published."
	mid.Text += "\n\n" + added
	next[len(next)/2] = &mid
	current = next
	t := time.Now()
	rep, saving, err := store.RefreshServing(ctx)
	if err != nil {
		return 0, 0, 0, err
	}
	if len(rep.ArticlesChanged) != 1 || saving == nil {
		return 0, 0, 0, fmt.Errorf("the refresh found %d articles changed, not 1 (saving: %v)", len(rep.ArticlesChanged), saving != nil)
	}
	// Served means answered: the first query waits for what reading
	// queries needs (prepareQueries), which is built after the swap.
	resp, err := store.Search(ctx, "closing paragraph updated after it was first published", 3)
	if err != nil {
		return 0, 0, 0, err
	}
	serving = time.Since(t).Seconds()
	if len(resp.Hits) == 0 || resp.Hits[0].Article.ID != mid.ID {
		return 0, 0, 0, fmt.Errorf("the refreshed index does not find the paragraph added to %s first", mid.ID)
	}
	if _, _, err := saving.Wait(ctx); err != nil {
		return 0, 0, 0, err
	}
	return serving, time.Since(t).Seconds(), rep.Embedded, nil
}

// randomEmbedder embeds a text as RandomVector of it.
type randomEmbedder int

func (d randomEmbedder) ID() string { return "bench-random-" + strconv.Itoa(int(d)) }

func (d randomEmbedder) Embed(_ context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	for i, t := range texts {
		out[i] = RandomVector(t, int(d))
	}
	return out, nil
}

// peakRSSMB is this process's peak resident memory: the kernel's high-water
// mark of its address space (VmHWM). Not getrusage's ru_maxrss, which a
// child started by exec inherits from its parent's at the fork.
func peakRSSMB() float64 {
	if status, err := os.ReadFile("/proc/self/status"); err == nil {
		for _, line := range strings.Split(string(status), "\n") {
			if f := strings.Fields(line); len(f) == 3 && f[0] == "VmHWM:" && f[2] == "kB" {
				if kb, err := strconv.ParseFloat(f[1], 64); err == nil {
					return kb / 1024
				}
			}
		}
	}
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Maxrss) / 1024 // kilobytes on Linux
}

// evalQuestions are the questions of the main evaluation set, the load
// the latencies are measured on.
func evalQuestions() ([]string, error) {
	qs, err := eval.Default()
	if err != nil {
		return nil, err
	}
	var out []string
	for _, q := range qs {
		out = append(out, q.Question)
	}
	return out, nil
}
