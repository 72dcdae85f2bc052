package retrieval

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"strings"

	"github.com/viterin/vek/vek32"

	"github.com/incidentbot/incidentbot"
)

// Method chooses how passages are ranked. Hybrid is what users get; the
// others exist so the evaluation can show what each part contributes.
type Method int

const (
	Hybrid Method = iota
	BM25Only
	VectorOnly
	RRF // reciprocal rank fusion of BM25Only and VectorOnly, for comparison
)

func (m Method) String() string {
	return [...]string{"hybrid", "bm25", "vector", "rrf"}[m]
}

// Weights of the hybrid score. A passage is scored by its best sentence:
// that sentence's BM25 (scaled by the query's best sentence BM25, so [0, 1])
// and its cosine with the query; plus the passage's own BM25 and cosine, and
// a bonus when the sentence holds the kind of answer asked for (a date for
// "when", a number for "how many"). Tuned on eval/questions.yaml with
// `incidentbot eval --tune`.
type Weights struct {
	SentenceBM25, SentenceCosine, PassageBM25, PassageCosine, AnswerKind float64
}

// DefaultWeights are the tuned weights.
var DefaultWeights = Weights{SentenceBM25: 0.25, SentenceCosine: 1.5, PassageBM25: 1, PassageCosine: 0, AnswerKind: 0.6}

// candidates: how many passages each retriever contributes before fusion.
const candidates = 100

// Hit is a passage found for a query, with the parts of its score.
type Hit struct {
	incidentbot.Result
	BM25     float64 // passage BM25 scaled by the query's best, in [0, 1]
	Cosine   float64 // the best sentence cosine
	Sentence int     // index of the best-scoring sentence in Passage.Sentences
	// SentenceCosines holds the cosine of each of the passage's sentences
	// with the query, in order.
	SentenceCosines []float64
}

// Response is the result of one search.
type Response struct {
	Query  string
	Vector []float32 // the query's embedding
	Hits   []Hit
}

// Search returns the k best passages for query.
func (ix *Index) Search(ctx context.Context, e Embedder, query string, k int) (*Response, error) {
	return ix.SearchQuery(ctx, e, ix.Analyze(query), k)
}

// SearchQuery returns the k best passages for an analysed query.
func (ix *Index) SearchQuery(ctx context.Context, e Embedder, q Query, k int) (*Response, error) {
	return ix.searchWith(ctx, e, q, k, Hybrid)
}

// SearchWith ranks with the given method.
func (ix *Index) SearchWith(ctx context.Context, e Embedder, query string, k int, m Method) (*Response, error) {
	return ix.searchWith(ctx, e, ix.Analyze(query), k, m)
}

func (ix *Index) searchWith(ctx context.Context, e Embedder, q Query, k int, m Method) (*Response, error) {
	if e.ID() != ix.EmbedderID {
		return nil, &EmbedderMismatchError{Index: ix.EmbedderID, Configured: e.ID()}
	}
	// The BM25 scores need no vector: they are computed on the other core
	// while the query is embedded (together some 10 ms at 100k passages).
	lexDone := make(chan *lexical, 1)
	go func() { lexDone <- ix.lexical(q) }()
	vecs, err := e.Embed(ctx, []string{q.Text})
	lex := <-lexDone
	defer lex.release()
	if err != nil {
		return nil, fmt.Errorf("embedding the query: %w", err)
	}
	if len(vecs) != 1 || len(vecs[0]) != ix.Dim {
		return nil, fmt.Errorf("embedding the query: got %d vectors, want one of dimension %d", len(vecs), ix.Dim)
	}
	return ix.searchLexical(ctx, q, vecs[0], lex, k, m, DefaultWeights)
}

// SearchVector ranks passages for a query whose embedding is already
// known (the embedding of ix.Analyze(query).Text).
func (ix *Index) SearchVector(ctx context.Context, query string, qv []float32, k int, m Method) (*Response, error) {
	return ix.search(ctx, ix.Analyze(query), qv, k, m, DefaultWeights)
}

// features are what the hybrid score of one passage is made of.
type features struct {
	passBM25, passCos float64
	sentBM25, sentCos []float64 // per sentence of the passage
}

// lexical is a query's BM25 scores over the passages and the sentences,
// with the best candidates of each.
type lexical struct {
	pass, sent       *Sparse
	passTop, sentTop []Scored // the best candidates, best first
}

func (ix *Index) lexical(q Query) *lexical {
	if len(ix.passages) == 0 {
		return nil
	}
	terms := q.weights()
	for _, t := range Terms(strings.Join(formulaic.FindAllString(q.Text, -1), " ")) {
		delete(terms, t) // "stand for" says what is asked, not what about
	}
	l := &lexical{pass: ix.bm25.ScoresWeighted(terms), sent: ix.sentBM25.ScoresWeighted(terms)}
	l.passTop, l.sentTop = l.pass.Top(candidates), l.sent.Top(candidates)
	return l
}

// release gives the score arrays back (Sparse.release).
func (l *lexical) release() {
	if l != nil {
		l.pass.release()
		l.sent.release()
	}
}

// best is the best score of a top list (Sparse.Max: 0 when empty).
func best(top []Scored) float64 {
	if len(top) == 0 {
		return 0
	}
	return math.Max(0, top[0].Score)
}

func (ix *Index) search(ctx context.Context, q Query, qv []float32, k int, m Method, w Weights) (*Response, error) {
	lex := ix.lexical(q)
	defer lex.release()
	return ix.searchLexical(ctx, q, qv, lex, k, m, w)
}

func (ix *Index) searchLexical(ctx context.Context, q Query, qv []float32, lex *lexical, k int, m Method, w Weights) (*Response, error) {
	query := q.Text
	resp := &Response{Query: query, Vector: qv}
	if len(ix.passages) == 0 || k <= 0 {
		return resp, nil
	}
	passBM, sentBM := lex.pass, lex.sent
	passBMMax, sentBMMax := best(lex.passTop), best(lex.sentTop)

	// Cosines of the nearest sentences and passages. Anything not among them
	// gets the lowest cosine seen: it is at most that close.
	sentRes := ix.sentMatrix.nearest(qv, 3*candidates, sentenceCosine)
	sentCos := make(map[int]float64, len(sentRes))
	sentFloor := 1.0
	for _, r := range sentRes {
		sentCos[r.Doc] = r.Score
		sentFloor = math.Min(sentFloor, r.Score)
	}
	// Whole-passage cosines only matter to the vector-only ranking and when
	// the hybrid weighs them; skipping the scan saves a pass over every
	// passage vector.
	var passRes []Scored
	if m == VectorOnly || m == RRF || w.PassageCosine != 0 {
		passRes = ix.passMatrix.nearest(chromemQuery(qv), candidates, chromemCosine)
	}
	passCos := make(map[int]float64, len(passRes))
	passFloor := 1.0
	for _, r := range passRes {
		passCos[r.Doc] = r.Score
		passFloor = math.Min(passFloor, r.Score)
	}

	// Candidates: the best passages of each retriever.
	cand := map[int]bool{}
	for _, s := range lex.passTop {
		cand[s.Doc] = true
	}
	for _, s := range lex.sentTop {
		cand[int(ix.sentOwner[s.Doc])] = true
	}
	for si := range sentCos {
		cand[int(ix.sentOwner[si])] = true
	}
	for pi := range passCos {
		cand[pi] = true
	}
	feat := func(pi int) features {
		f := features{passCos: passFloor}
		if c, ok := passCos[pi]; ok {
			f.passCos = c
		}
		if passBMMax > 0 {
			f.passBM25 = passBM.Get(pi) / passBMMax
		}
		first := int(ix.sentFirst[pi])
		n := len(ix.passages[pi].Sentences)
		f.sentBM25, f.sentCos = make([]float64, n), make([]float64, n)
		for j := 0; j < n; j++ {
			if sentBMMax > 0 {
				f.sentBM25[j] = sentBM.Get(first+j) / sentBMMax
			}
			f.sentCos[j] = sentFloor
			if c, ok := sentCos[first+j]; ok {
				f.sentCos[j] = c
			}
		}
		return f
	}
	want := q.Kind
	// "What does NCSC stand for?" is answered where the article spells it
	// out: "… National Cyber Security Centre (NCSC)".
	var spelledOut string
	if m := acronymQuestion.FindStringSubmatch(query); m != nil {
		spelledOut = "(" + m[1] + ")"
	} else if m := definitionQuestion.FindStringSubmatch(query); m != nil && m[1] == strings.ToUpper(m[1]) {
		spelledOut = "(" + m[1] + ")" // "What is NCSC?"
	}
	// "What is the IRA?" is answered where the article says what it is:
	// "IRA, an armed group", "the IRA is a paramilitary group".
	defines := definition(query)
	scores := map[int]float64{}
	bestSent := map[int]int{}
	switch m {
	case BM25Only:
		scores = passBM.Map()
	case VectorOnly:
		for pi := range cand {
			f := feat(pi)
			j := argmax(f.sentCos)
			scores[pi], bestSent[pi] = f.sentCos[j]+0.25*f.passCos, j
		}
	case RRF:
		vs := map[int]float64{}
		for pi := range cand {
			f := feat(pi)
			vs[pi] = f.sentCos[argmax(f.sentCos)] + 0.25*f.passCos
		}
		for _, ranked := range [][]Scored{lex.passTop, topK(vs, candidates)} {
			for rank, x := range ranked {
				scores[x.Doc] += 1 / float64(60+rank+1)
			}
		}
	default:
		for pi := range cand {
			f := feat(pi)
			best, bj := math.Inf(-1), 0
			for j := range f.sentCos {
				s := w.SentenceBM25*f.sentBM25[j] + w.SentenceCosine*f.sentCos[j]
				if spelledOut != "" && strings.Contains(ix.SentenceText(ix.passages[pi], j), spelledOut) {
					s += w.AnswerKind
				}
				if defines != nil && defines.MatchString(ix.SentenceText(ix.passages[pi], j)) {
					s += w.AnswerKind
				}
				if bits := ix.sentKinds[int(ix.sentFirst[pi])+j]; want != KindAny && bits&(1<<want) != 0 {
					if want == KindDate && bits&dayBit == 0 {
						s += w.AnswerKind / 2 // a month answers "when" less well than a day
					} else {
						s += w.AnswerKind
					}
				}
				if s > best {
					best, bj = s, j
				}
			}
			scores[pi] = best + w.PassageBM25*f.passBM25 + w.PassageCosine*f.passCos
			bestSent[pi] = bj
		}
	}
	scored := topK(scores, k)
	buf := make([]float32, ix.Dim)
	for rank, x := range scored {
		p := ix.passages[x.Doc]
		f := feat(x.Doc)
		h := Hit{
			Result:          incidentbot.Result{Rank: rank + 1, Passage: p, Article: ix.byArticle[p.ArticleID], Score: x.Score},
			BM25:            f.passBM25,
			SentenceCosines: make([]float64, len(p.Sentences)),
		}
		// Exact cosines for the sentences shown (the floor is only a bound).
		for j := range p.Sentences {
			v, err := ix.sentenceVector(p, j, buf)
			if err != nil {
				return nil, err
			}
			h.SentenceCosines[j] = dot(qv, v)
		}
		h.Cosine = h.SentenceCosines[argmax(h.SentenceCosines)]
		h.Sentence = argmax(h.SentenceCosines)
		if j, ok := bestSent[x.Doc]; ok {
			h.Sentence = j
		}
		resp.Hits = append(resp.Hits, h)
	}
	runtime.KeepAlive(ix) // its exact vectors were read until here
	return resp, nil
}

func argmax(xs []float64) int {
	bi := 0
	for i, x := range xs {
		if x > xs[bi] {
			bi = i
		}
	}
	return bi
}

// sentenceCosine is the exact cosine of a query with a sentence vector
// (both unit vectors), as the sentence scan has always computed it.
func sentenceCosine(q, v []float32) float64 { return float64(vek32.Dot(q, v)) }

// chromemQuery and chromemCosine compute passage cosines exactly as
// chromem's QueryEmbedding did before the compact scan replaced it: the
// query normalised unless it already is, a float32 sum in order.
func chromemQuery(q []float32) []float32 { return chromemUnit(q) }

func chromemCosine(q, v []float32) float64 {
	var s float32
	for i := range q {
		s += q[i] * v[i]
	}
	return float64(s)
}

func dot(a, b []float32) float64 {
	var s float32
	for i := range a {
		s += a[i] * b[i]
	}
	return float64(s)
}

// EmbedderMismatchError: the index was built with another embedder.
type EmbedderMismatchError struct{ Index, Configured string }

func (e *EmbedderMismatchError) Error() string {
	return fmt.Sprintf("the index was built with embedder %q but %q is configured; vectors from different models cannot be compared: re-index with `incidentbot index --rebuild`", e.Index, e.Configured)
}

// SearchWeights ranks with the hybrid method and the given weights; the
// evaluation uses it to tune DefaultWeights.
func (ix *Index) SearchWeights(ctx context.Context, query string, qv []float32, k int, w Weights) (*Response, error) {
	return ix.search(ctx, ix.Analyze(query), qv, k, Hybrid, w)
}
