package eval_test

import (
	"context"
	"github.com/incidentbot/incidentbot/internal/wiring"
	"testing"

	"github.com/incidentbot/incidentbot"
	"github.com/incidentbot/incidentbot/answer"
	"github.com/incidentbot/incidentbot/corpus"
	"github.com/incidentbot/incidentbot/eval"
	"github.com/incidentbot/incidentbot/retrieval"
	"github.com/incidentbot/incidentbot/uselite"
)

// Quality floors on the evaluation set at the targets, which the
// system reaches today (`incidentbot eval`), so a change that makes answers
// worse fails here.
func TestQualityDoesNotRegress(t *testing.T) {
	ctx := context.Background()
	st, m := openShipped(t)
	qs, err := eval.Default()
	if err != nil {
		t.Fatal(err)
	}
	ret, err := eval.Retrieval(ctx, st.Index(), m, qs, retrieval.BM25Only, retrieval.Hybrid)
	if err != nil {
		t.Fatal(err)
	}
	bm25, hybrid := ret[0], ret[1]
	t.Logf("bm25 %+v", bm25)
	t.Logf("hybrid %+v", hybrid)
	if hybrid.RecallAt5 < 0.99 || hybrid.HitAt1 < 0.9 || hybrid.MRR < 0.93 {
		t.Errorf("hybrid retrieval regressed: recall@5 %.3f hit@1 %.3f MRR %.3f", hybrid.RecallAt5, hybrid.HitAt1, hybrid.MRR)
	}
	if hybrid.HitAt1 <= bm25.HitAt1 {
		t.Errorf("the encoder no longer adds anything to BM25: hit@1 %.3f vs %.3f", hybrid.HitAt1, bm25.HitAt1)
	}

	articles := map[string]*incidentbot.Article{}
	for _, a := range st.Index().Articles() {
		articles[a.ID] = a
	}
	a := answer.New(st, wiring.AnswerOptions(answer.Options{}, wiring.MustLanguage()))
	s, err := eval.Answers(ctx, func(ctx context.Context, q eval.Question) (*incidentbot.Answer, error) {
		return a.Ask(ctx, answer.Request{Question: q.Question, History: q.History()})
	}, articles, qs)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("answers %+v", s)
	// The targets: accuracy and citation support at least 0.9,
	// every quote verbatim, every unanswerable question refused, at most
	// one false refusal.
	if s.Accuracy < 0.9 || s.CitationSupport < 0.9 || s.Verbatim != 1 || s.FalseRefusals > 1 || s.MaxWords > 60 {
		t.Errorf("answers regressed: %+v", s)
	}
	if s.RefusalAccuracy < 1 {
		t.Errorf("an unanswerable question was answered: refusal accuracy %.3f", s.RefusalAccuracy)
	}
}

// The held-out sets were written after the tuning (the second and third
// blind); their floors sit a little under today's figures (README), so a
// change tuned to the evaluation set that costs questions nobody tuned on
// fails here too.
func TestHeldOutQualityDoesNotRegress(t *testing.T) {
	ctx := context.Background()
	st, _ := openShipped(t)
	articles := map[string]*incidentbot.Article{}
	for _, a := range st.Index().Articles() {
		articles[a.ID] = a
	}
	a := answer.New(st, wiring.AnswerOptions(answer.Options{}, wiring.MustLanguage()))
	for _, c := range []struct {
		file               string
		accuracy, refusals float64
		maxFalseRefusals   int
	}{
		{"train/heldout.yaml", 0.85, 1, 1},
		{"train/heldout2.yaml", 0.7, 0.7, 3},
		{"train/heldout3.yaml", 0.75, 0.9, 2},
	} {
		qs, err := eval.Load(c.file)
		if err != nil {
			t.Fatal(err)
		}
		s, err := eval.Answers(ctx, func(ctx context.Context, q eval.Question) (*incidentbot.Answer, error) {
			return a.Ask(ctx, answer.Request{Question: q.Question, History: q.History()})
		}, articles, qs)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %+v", c.file, s)
		if s.Accuracy < c.accuracy || s.RefusalAccuracy < c.refusals || s.FalseRefusals > c.maxFalseRefusals || s.Verbatim != 1 {
			t.Errorf("%s regressed: accuracy %.3f (floor %.2f), refusals %.3f (floor %.2f), false refusals %d (at most %d), verbatim %.3f",
				c.file, s.Accuracy, c.accuracy, s.RefusalAccuracy, c.refusals, s.FalseRefusals, c.maxFalseRefusals, s.Verbatim)
		}
	}
}

// openShipped indexes the shipped corpus with USE-Lite in a temporary folder.
func openShipped(t *testing.T) (*retrieval.Store, *uselite.Model) {
	t.Helper()
	m, err := uselite.Load("")
	if err != nil {
		t.Fatal(err)
	}
	st, _, err := retrieval.Open(context.Background(), retrieval.StoreOptions{Query: wiring.ShippedQuery(), DataDir: t.TempDir(), Embedder: m,
		Load: func() ([]*incidentbot.Article, error) { return corpus.Load(corpus.Default(), "corpus") }})
	if err != nil {
		t.Fatal(err)
	}
	return st, m
}
