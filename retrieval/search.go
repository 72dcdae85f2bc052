package retrieval

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"slices"
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
// and its cosine with the query; plus the passage's own BM25 and cosine,
// its neighbours' and its article's BM25, and a bonus when the sentence
// holds the kind of answer asked for (a date for "when", a number for "how
// many"). Fitted on every training set with `incidentbot eval --tune`.
type Weights struct {
	SentenceBM25, SentenceCosine, PassageBM25, PassageCosine, AnswerKind float64
	// ArticleBM25 weighs the best passage BM25 of the passage's article,
	// NeighbourBM25 the better of the passages before and after it: an
	// answer often sits beside the passage that has the question's words.
	ArticleBM25, NeighbourBM25 float64
}

// DefaultWeights are the fitted weights.
var DefaultWeights = Weights{SentenceBM25: 0.25, SentenceCosine: 1.5, PassageBM25: 1, PassageCosine: 0, AnswerKind: 0.6, NeighbourBM25: 0.1}

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
	// The BM25 top lists need no vector: they are found on the other core
	// while the query is embedded.
	lexDone := make(chan *lexical, 1)
	go func() { lexDone <- ix.lexical(q, k) }()
	vecs, err := e.Embed(ctx, []string{q.Text})
	if err != nil {
		return nil, fmt.Errorf("embedding the query: %w", err)
	}
	if len(vecs) != 1 || len(vecs[0]) != ix.Dim {
		return nil, fmt.Errorf("embedding the query: got %d vectors, want one of dimension %d", len(vecs), ix.Dim)
	}
	// The vector scans do not wait for them either: at a million passages
	// the sentences' BM25 top outlasts the embedding, and the scans,
	// bound by memory, share the cores with it better than they wait.
	nv := ix.nearestVectors(vecs[0], m, DefaultWeights)
	return ix.searchLexical(ctx, q, vecs[0], <-lexDone, nv, k, m, DefaultWeights)
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

// lexical is a query's BM25 over the passages and the sentences: the best
// candidates of each, and the query prepared to score any other doc.
type lexical struct {
	pass, sent *bm25Query
	// passTop holds the best max(candidates, k) passages, sentTop the best
	// candidates sentences, best first.
	passTop, sentTop []Scored
	// passScore and sentScore hold the scores of the docs features reads
	// (lookUp).
	passScore, sentScore map[int]float64
}

func (ix *Index) lexical(q Query, k int) *lexical {
	if len(ix.passages) == 0 {
		return nil
	}
	terms := q.weights()
	for _, t := range Terms(strings.Join(formulaic.FindAllString(q.Text, -1), " ")) {
		delete(terms, t) // "stand for" says what is asked, not what about
	}
	l := &lexical{pass: ix.bm25.prepare(terms), sent: ix.sentBM25.prepare(terms)}
	// The two lists on two goroutines: with two cores the wait is the
	// longer of the two (the sentences', at a million passages), not
	// their sum.
	sentTop := make(chan []Scored, 1)
	go func() { sentTop <- l.sent.top(candidates) }()
	l.passTop = l.pass.top(max(candidates, k))
	l.sentTop = <-sentTop
	return l
}

// candidates is passTop cut to the candidates every method starts from.
func (l *lexical) candidates() []Scored { return l.passTop[:min(candidates, len(l.passTop))] }

// lookUp scores passages (sorted) and all their sentences, the passages'
// and the sentences' on a core each.
func (l *lexical) lookUp(ix *Index, passages []int) {
	var sents []int
	for _, pi := range passages {
		first := int(ix.sentFirst[pi])
		for j := range ix.passages[pi].Sentences {
			sents = append(sents, first+j)
		}
	}
	done := make(chan []float64, 1)
	go func() { done <- l.sent.scores(sents) }()
	ps := l.pass.scores(passages)
	ss := <-done
	l.passScore, l.sentScore = make(map[int]float64, len(passages)), make(map[int]float64, len(sents))
	for i, d := range passages {
		l.passScore[d] = ps[i]
	}
	for i, d := range sents {
		l.sentScore[d] = ss[i]
	}
}

// passageBM25 and sentenceBM25 are a doc's BM25, looked up if lookUp did
// not.
func (l *lexical) passageBM25(pi int) float64 {
	if s, ok := l.passScore[pi]; ok {
		return s
	}
	return l.pass.scores([]int{pi})[0]
}

func (l *lexical) sentenceBM25(si int) float64 {
	if s, ok := l.sentScore[si]; ok {
		return s
	}
	return l.sent.scores([]int{si})[0]
}

// best is the best score of a top list (Sparse.Max: 0 when empty).
func best(top []Scored) float64 {
	if len(top) == 0 {
		return 0
	}
	return math.Max(0, top[0].Score)
}

func (ix *Index) search(ctx context.Context, q Query, qv []float32, k int, m Method, w Weights) (*Response, error) {
	return ix.searchLexical(ctx, q, qv, ix.lexical(q, k), ix.nearestVectors(qv, m, w), k, m, w)
}

// nearestVectors are the cosines of the sentences and passages nearest to
// a query vector. Anything not among them gets the lowest cosine seen (the
// floor): it is at most that close.
type nearestVectors struct {
	sentCos, passCos     map[int]float64
	sentFloor, passFloor float64
}

func (ix *Index) nearestVectors(qv []float32, m Method, w Weights) *nearestVectors {
	nv := &nearestVectors{sentFloor: 1, passFloor: 1}
	sentRes := ix.sentMatrix.nearest(qv, 3*candidates, sentenceCosine)
	nv.sentCos = make(map[int]float64, len(sentRes))
	for _, r := range sentRes {
		nv.sentCos[r.Doc] = r.Score
		nv.sentFloor = math.Min(nv.sentFloor, r.Score)
	}
	// Whole-passage cosines only matter to the vector-only ranking and when
	// the hybrid weighs them; skipping the scan saves a pass over every
	// passage vector.
	var passRes []Scored
	if m == VectorOnly || m == RRF || w.PassageCosine != 0 {
		passRes = ix.passMatrix.nearest(chromemQuery(qv), candidates, chromemCosine)
	}
	nv.passCos = make(map[int]float64, len(passRes))
	for _, r := range passRes {
		nv.passCos[r.Doc] = r.Score
		nv.passFloor = math.Min(nv.passFloor, r.Score)
	}
	return nv
}

func (ix *Index) searchLexical(ctx context.Context, q Query, qv []float32, lex *lexical, nv *nearestVectors, k int, m Method, w Weights) (*Response, error) {
	query := q.Text
	resp := &Response{Query: query, Vector: qv}
	if len(ix.passages) == 0 || k <= 0 {
		return resp, nil
	}
	passBMMax, sentBMMax := best(lex.passTop), best(lex.sentTop)
	sentCos, sentFloor, passCos, passFloor := nv.sentCos, nv.sentFloor, nv.passCos, nv.passFloor

	// Candidates: the best passages of each retriever.
	cand := map[int]bool{}
	for _, s := range lex.candidates() {
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
	// The BM25 of every candidate and its sentences, and of the best
	// passages by BM25 that BM25Only returns.
	look := make([]int, 0, len(cand)+k)
	for pi := range cand {
		look = append(look, pi)
	}
	if m == BM25Only {
		for _, s := range lex.passTop[:min(k, len(lex.passTop))] {
			look = append(look, s.Doc)
		}
	}
	slices.Sort(look)
	lex.lookUp(ix, slices.Compact(look))
	feat := func(pi int) features {
		f := features{passCos: passFloor}
		if c, ok := passCos[pi]; ok {
			f.passCos = c
		}
		if passBMMax > 0 {
			f.passBM25 = lex.passageBM25(pi) / passBMMax
		}
		first := int(ix.sentFirst[pi])
		n := len(ix.passages[pi].Sentences)
		f.sentBM25, f.sentCos = make([]float64, n), make([]float64, n)
		for j := 0; j < n; j++ {
			if sentBMMax > 0 {
				f.sentBM25[j] = lex.sentenceBM25(first+j) / sentBMMax
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
		// The best k by BM25: what topK below keeps of every score.
		for _, s := range lex.passTop[:min(k, len(lex.passTop))] {
			scores[s.Doc] = s.Score
		}
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
		for _, ranked := range [][]Scored{lex.candidates(), topK(vs, candidates)} {
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
		if w.ArticleBM25 != 0 || w.NeighbourBM25 != 0 {
			ix.addContext(scores, lex, passBMMax, w)
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

// addContext adds to each scored passage its article's best passage BM25
// and its neighbours' (both scaled to [0, 1] like the passage's own).
func (ix *Index) addContext(scores map[int]float64, lex *lexical, passBMMax float64, w Weights) {
	if passBMMax <= 0 {
		return
	}
	// A neighbour that is no candidate is scored alone: there are few,
	// and looking them up with the candidates would score their
	// sentences too.
	bm := func(pi int) float64 { return lex.passageBM25(pi) / passBMMax }
	byArticle := map[string]float64{}
	for pi := range scores {
		if w.ArticleBM25 != 0 {
			a := ix.passages[pi].ArticleID
			byArticle[a] = max(byArticle[a], bm(pi))
		}
	}
	for pi := range scores {
		var nb float64
		for _, q := range ix.neighbours(pi) {
			nb = max(nb, bm(q))
		}
		scores[pi] += w.ArticleBM25*byArticle[ix.passages[pi].ArticleID] + w.NeighbourBM25*nb
	}
}

// neighbours are the passages just before and after passage pi in its
// article.
func (ix *Index) neighbours(pi int) []int {
	var out []int
	for _, q := range []int{pi - 1, pi + 1} {
		if q >= 0 && q < len(ix.passages) && ix.passages[q].ArticleID == ix.passages[pi].ArticleID {
			out = append(out, q)
		}
	}
	return out
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

// SearchWeights ranks an analysed query, whose embedding is qv, with the
// hybrid method and the given weights; the evaluation uses it to fit
// DefaultWeights.
func (ix *Index) SearchWeights(ctx context.Context, q Query, qv []float32, k int, w Weights) (*Response, error) {
	return ix.search(ctx, q, qv, k, Hybrid, w)
}
