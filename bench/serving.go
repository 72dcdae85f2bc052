package bench

import (
	"context"
	"fmt"
	"runtime"
	"time"

	"github.com/incidentbot/incidentbot"
	"github.com/incidentbot/incidentbot/answer"
	"github.com/incidentbot/incidentbot/corpus"
	"github.com/incidentbot/incidentbot/internal/wiring"
	"github.com/incidentbot/incidentbot/retrieval"
	"github.com/incidentbot/incidentbot/uselite"
)

// Serving is what a process serving a persisted index does and costs, as
// `incidentbot serve`, `chat` or `ask` would: start cold (load the
// encoder, the language pack and the index), refresh against an
// unchanged corpus (as a serving process does on start), then answer the
// evaluation questions as searches and as asks.
type Serving struct {
	ColdStartSeconds        float64 `json:"cold_start_seconds"`
	RefreshUnchangedSeconds float64 `json:"refresh_unchanged_seconds"`
	Query                   Latency `json:"query"`
	Ask                     Latency `json:"ask"`
	// PeakRSSMB is the process's peak resident memory (start-up
	// included), meaningful when it did nothing else: see MeasureServing.
	PeakRSSMB float64 `json:"peak_rss_mb"`
	// HeapMB is the live heap after a GC at the end.
	HeapMB float64 `json:"heap_mb"`
}

// MeasureServing measures a serving process on the index persisted in
// dataDir, in this process: what a child started by Options.Serving runs.
// Its peak_rss_mb is this process's, so it must do nothing else; its
// collector is set as a serving process's (wiring.ServingGC).
func MeasureServing(ctx context.Context, o Options, dataDir string) (*Serving, error) {
	wiring.ServingGC()
	dir, err := uselite.FindWeights(o.ModelDir)
	if err != nil {
		return nil, err
	}
	questions, err := evalQuestions()
	if err != nil {
		return nil, err
	}
	profile := o.Profile
	if profile == nil {
		profile = corpus.DefaultProfile()
	}
	s, err := serve(ctx, o.Load, dir, dataDir, profile, questions)
	if err != nil {
		return nil, err
	}
	s.PeakRSSMB = peakRSSMB()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	s.HeapMB = float64(ms.HeapAlloc) / (1 << 20)
	return s, nil
}

// serve starts cold on the index persisted in dataDir (the weights in
// modelDir) and times a refresh of the unchanged corpus, then a search and
// an ask of each question.
func serve(ctx context.Context, load func() ([]*incidentbot.Article, error), modelDir, dataDir string, profile *corpus.Profile, questions []string) (*Serving, error) {
	s := &Serving{}
	t := time.Now()
	model, err := uselite.Load(modelDir)
	if err != nil {
		return nil, err
	}
	// Start-up loads the language resources too (WordNet, word vectors).
	res, err := wiring.LoadLanguage("")
	if err != nil {
		return nil, err
	}
	store, rep, err := retrieval.Open(ctx, retrieval.StoreOptions{DataDir: dataDir, Embedder: model, Load: load, Query: wiring.QueryOptions(profile, res)})
	if err != nil {
		return nil, err
	}
	defer store.Close()
	s.ColdStartSeconds = time.Since(t).Seconds()
	if rep.Embedded != 0 {
		return nil, fmt.Errorf("cold start embedded %d texts: the persisted index was not reused", rep.Embedded)
	}
	t = time.Now()
	if _, err := store.Refresh(ctx, false); err != nil {
		return nil, err
	}
	s.RefreshUnchangedSeconds = time.Since(t).Seconds()

	if s.Query, err = timeEach(questions, func(q string) error { _, err := store.Search(ctx, q, 5); return err }); err != nil {
		return nil, err
	}
	ans := answer.New(answer.WithProfile(store, profile), wiring.AnswerOptions(answer.Options{}, res))
	if s.Ask, err = timeEach(questions, func(q string) error { _, err := ans.Ask(ctx, answer.Request{Question: q}); return err }); err != nil {
		return nil, err
	}
	return s, nil
}
