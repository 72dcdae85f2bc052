package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/incidentbot/incidentbot"
	"github.com/incidentbot/incidentbot/answer"
	"github.com/incidentbot/incidentbot/eval"
	"github.com/incidentbot/incidentbot/retrieval"
)

func runEval(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c := newCommand("eval", stderr)
	questions := c.fs.String("questions", "", "evaluation file (default: the built-in eval/questions.yaml)")
	tune := c.fs.Bool("tune", false, "search the hybrid weights instead, and print the best ones")
	if err := c.parse(args); err != nil {
		return err
	}
	qs, err := eval.Default()
	if *questions != "" {
		qs, err = eval.Load(*questions)
	}
	if err != nil {
		return err
	}
	a, err := c.open(ctx, openOptions{})
	if err != nil {
		return err
	}
	ix := a.store.Index()
	if *tune {
		res, err := eval.TuneRetrieval(ctx, ix, a.embedder, qs)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "in use: %+v\n", retrieval.DefaultWeights)
		for _, r := range res[:min(10, len(res))] {
			fmt.Fprintf(stdout, "hit@1 %.3f recall@5 %.3f  %+v\n", r.HitAt1, r.RecallAt5, r.Weights)
		}
		return nil
	}
	ret, err := eval.Retrieval(ctx, ix, a.embedder, qs, retrieval.BM25Only, retrieval.VectorOnly, retrieval.RRF, retrieval.Hybrid)
	if err != nil {
		return err
	}
	articles := map[string]*incidentbot.Article{}
	for _, art := range ix.Articles() {
		articles[art.ID] = art
	}
	ask := func(ctx context.Context, q string) (*incidentbot.Answer, error) {
		return a.answerer.Ask(ctx, answer.Request{Question: q})
	}
	ans, err := eval.Answers(ctx, ask, articles, qs)
	if err != nil {
		return err
	}
	if c.flags.json {
		return json.NewEncoder(stdout).Encode(map[string]any{"retrieval": ret, "answers": ans})
	}
	fmt.Fprintf(stdout, "Retrieval (%d answerable questions; an answer passage is from a right article and holds the answer):\n", ret[0].Questions)
	fmt.Fprintf(stdout, "  %-8s %9s %7s %7s\n", "method", "recall@5", "hit@1", "MRR")
	for _, r := range ret {
		fmt.Fprintf(stdout, "  %-8s %9.3f %7.3f %7.3f\n", r.Method, r.RecallAt5, r.HitAt1, r.MRR)
	}
	fmt.Fprintf(stdout, "  hybrid misses (not in top 5): %v\n\n", ret[len(ret)-1].Misses)
	fmt.Fprintf(stdout, "Answers (%s mode):\n", ans.Mode)
	fmt.Fprintf(stdout, "  accuracy           %.3f  (answer holds the required words, %d answerable)\n", ans.Accuracy, ans.Answerable)
	fmt.Fprintf(stdout, "  citation support   %.3f  (cited quotes hold them)\n", ans.CitationSupport)
	fmt.Fprintf(stdout, "  verbatim quotes    %.3f\n", ans.Verbatim)
	fmt.Fprintf(stdout, "  refusals           %.3f  (%d unanswerable questions)\n", ans.RefusalAccuracy, ans.Unanswerable)
	fmt.Fprintf(stdout, "  false refusals     %d\n", ans.FalseRefusals)
	fmt.Fprintf(stdout, "  answer words       median %d, max %d\n", ans.MedianWords, ans.MaxWords)
	fmt.Fprintf(stdout, "  latency            p50 %.1f ms, p99 %.1f ms\n", ans.P50MS, ans.P99MS)
	fmt.Fprintf(stdout, "  wrong: %v\n", ans.Failures)
	return nil
}
