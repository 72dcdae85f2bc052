package answer

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/incidentbot/incidentbot"
	"github.com/incidentbot/incidentbot/corpus"
	"github.com/incidentbot/incidentbot/eval"
	"github.com/incidentbot/incidentbot/retrieval"
	"github.com/incidentbot/incidentbot/uselite"
)

func TestZZDump(t *testing.T) {
	if os.Getenv("DUMP") == "" {
		t.Skip()
	}
	ctx := context.Background()
	dir, _ := uselite.FindWeights("")
	m, _ := uselite.Load(dir)
	st, _, err := retrieval.Open(ctx, retrieval.StoreOptions{DataDir: "/tmp/ibdata", Embedder: m, Load: func() ([]*incidentbot.Article, error) { return corpus.Load(corpus.Default(), "corpus") }})
	if err != nil {
		t.Fatal(err)
	}
	qs, _ := eval.Default()
	for _, q := range qs {
		resp, _ := st.Search(ctx, q.Question, 5)
		qa := analyseQuestion(st.Index(), q.Question)
		cs := candidates(qa, resp)
		b := cs[0]
		rank := -1
		for i, c := range cs {
			if q.Satisfied(c.text) {
				rank = i
				break
			}
		}
		tag := "A"
		if q.Unanswerable {
			tag = "U"
		}
		fmt.Printf("%s %-4s sup=%.2f cos=%.2f cov=%.2f kind=%v(%s) unseen=%.2f ok=%v rank=%d sc=%.2f",
			tag, q.ID, b.support(), b.cosine, b.cover, b.hasKind, qa.kind, qa.unseen/max(qa.total, 0.01), q.Satisfied(b.text), rank, b.score)
		if rank > 0 {
			fmt.Printf(" | good: sc=%.2f cos=%.2f cov=%.2f kind=%v", cs[rank].score, cs[rank].cosine, cs[rank].cover, cs[rank].hasKind)
		}
		if os.Getenv("DUMP") == "2" && !q.Satisfied(b.text) {
			fmt.Printf("\n     Q: %s\n     got: %.150s", q.Question, b.text)
			if rank > 0 {
				fmt.Printf("\n     want: %.150s", cs[rank].text)
			}
		}
		fmt.Println()
	}
}
