package bench

import (
	"context"
	"github.com/incidentbot/incidentbot/internal/wiring"
	"os"
	"sync"
	"testing"

	"github.com/incidentbot/incidentbot"
	"github.com/incidentbot/incidentbot/answer"
	"github.com/incidentbot/incidentbot/corpus"
	"github.com/incidentbot/incidentbot/eval"
	"github.com/incidentbot/incidentbot/retrieval"
	"github.com/incidentbot/incidentbot/uselite"
)

// Go benchmarks of the figures `incidentbot bench` prints. Run with
//
//	go test -run '^$' -bench . -benchtime 20x ./bench/

func load() ([]*incidentbot.Article, error) { return corpus.Load(corpus.Default(), "corpus") }

var model = sync.OnceValues(func() (*uselite.Model, error) { return uselite.Load("") })

func setup(b *testing.B) (*uselite.Model, *retrieval.Store, []string) {
	b.Helper()
	m, err := model()
	if err != nil {
		b.Fatal(err)
	}
	data := b.TempDir()
	s, _, err := retrieval.Open(context.Background(), retrieval.StoreOptions{Query: wiring.ShippedQuery(), DataDir: data, Embedder: m, Load: load})
	if err != nil {
		b.Fatal(err)
	}
	qs, err := eval.Default()
	if err != nil {
		b.Fatal(err)
	}
	var questions []string
	for _, q := range qs {
		questions = append(questions, q.Question)
	}
	return m, s, questions
}

// BenchmarkQuery: question embedding + hybrid search on the shipped corpus.
func BenchmarkQuery(b *testing.B) {
	_, s, qs := setup(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := s.Search(context.Background(), qs[i%len(qs)], 5); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAsk: a whole extractive answer, warm.
func BenchmarkAsk(b *testing.B) {
	_, s, qs := setup(b)
	a := answer.New(s, wiring.AnswerOptions(answer.Options{}, wiring.MustLanguage()))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := a.Ask(context.Background(), answer.Request{Question: qs[i%len(qs)]}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkIndexBuild: embedding and indexing the shipped corpus from nothing.
func BenchmarkIndexBuild(b *testing.B) {
	m, err := model()
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < b.N; i++ {
		dir, _ := os.MkdirTemp("", "incidentbot-bench-")
		if _, _, err := retrieval.Open(context.Background(), retrieval.StoreOptions{Query: wiring.ShippedQuery(), DataDir: dir, Embedder: m, Load: load}); err != nil {
			b.Fatal(err)
		}
		os.RemoveAll(dir)
	}
}

// BenchmarkColdStart: loading the model and a persisted index, as a new
// process does.
func BenchmarkColdStart(b *testing.B) {
	m, err := model()
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	if _, _, err := retrieval.Open(context.Background(), retrieval.StoreOptions{Query: wiring.ShippedQuery(), DataDir: dir, Embedder: m, Load: load}); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m2, err := uselite.Load("")
		if err != nil {
			b.Fatal(err)
		}
		_, rep, err := retrieval.Open(context.Background(), retrieval.StoreOptions{Query: wiring.ShippedQuery(), DataDir: dir, Embedder: m2, Load: load})
		if err != nil || rep.Embedded != 0 {
			b.Fatalf("cold start re-embedded %d texts: %v", rep.Embedded, err)
		}
	}
}

func benchmarkSynthetic(b *testing.B, n int) {
	m, err := model()
	if err != nil {
		b.Fatal(err)
	}
	base, err := load()
	if err != nil {
		b.Fatal(err)
	}
	ix, err := retrieval.NewIndex(m.ID(), SyntheticArticles(base, n, 1), SyntheticVectors(m.Dim()))
	if err != nil {
		b.Fatal(err)
	}
	qs, _ := eval.Default()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := ix.Search(context.Background(), m, qs[i%len(qs)].Question, 5); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkQuerySynthetic10k(b *testing.B)  { benchmarkSynthetic(b, 10_000) }
func BenchmarkQuerySynthetic100k(b *testing.B) { benchmarkSynthetic(b, 100_000) }
