package retrieval

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/philippgille/chromem-go"

	"github.com/incidentbot/incidentbot"
)

// chromem collections: one vector per passage and one per sentence. Sentence
// vectors matter because USE-Lite compares a question with a single sentence
// far better than with a 70-word passage.
const (
	passagesCollection  = "passages"
	sentencesCollection = "sentences"
)

// Index is an immutable, searchable snapshot of the corpus: the articles,
// their passages, a BM25 index and the passage and sentence vectors. A
// refresh builds a new Index and swaps it in; searches in flight finish on
// the one they started with.
type Index struct {
	EmbedderID string
	Dim        int
	BuiltAt    time.Time
	// Version is the published snapshot this index is ("" before it is
	// published).
	Version string

	articles  []*incidentbot.Article
	byArticle map[string]*incidentbot.Article
	passages  []*incidentbot.Passage
	byPassage map[string]int
	bm25      *BM25
	// Sentence-level BM25: the answer to a question usually sits in one
	// sentence that holds most of its words.
	sentBM25  *BM25
	sentOwner []int32 // sentence doc → passage number
	sentFirst []int32 // passage number → its first sentence doc
	sentKinds []uint8 // sentence doc → kinds of answer it holds (kindsOf)

	db        *chromem.DB
	passVecs  *chromem.Collection
	sentVecs  *chromem.Collection
	sentCount int
	// reader reads queries against this index (query.go).
	reader queryReader
	// sentMatrix holds the sentence vectors in sentence-doc order (see
	// sentOwner); chromem's sentence documents share its memory.
	sentMatrix *matrix
}

// Articles returns the indexed articles, sorted by ID.
func (ix *Index) Articles() []*incidentbot.Article { return ix.articles }

// Article returns the article with the given ID, or nil.
func (ix *Index) Article(id string) *incidentbot.Article { return ix.byArticle[id] }

// Passages returns every passage, in article order.
func (ix *Index) Passages() []*incidentbot.Passage { return ix.passages }

// Passage returns the passage with the given ID, or nil.
func (ix *Index) Passage(id string) *incidentbot.Passage {
	if i, ok := ix.byPassage[id]; ok {
		return ix.passages[i]
	}
	return nil
}

// SentenceCount is the number of sentence vectors.
func (ix *Index) SentenceCount() int { return ix.sentCount }

func sentenceID(passageID string, i int) string { return passageID + "/" + strconv.Itoa(i) }

// vectorSet holds vectors by content hash, so a refresh reuses the vector of
// any text it has seen before.
type vectorSet map[string][]float32

// newIndex assembles an index from articles and vectors for every passage
// and sentence text (by hash). It fails if a vector is missing.
func newIndex(embedderID string, articles []*incidentbot.Article, passages []*incidentbot.Passage, vecs vectorSet) (*Index, error) {
	ctx := context.Background()
	ix := &Index{
		EmbedderID: embedderID,
		BuiltAt:    time.Now().UTC(),
		articles:   articles,
		byArticle:  make(map[string]*incidentbot.Article, len(articles)),
		passages:   passages,
		byPassage:  make(map[string]int, len(passages)),
		db:         chromem.NewDB(),
	}
	for _, a := range articles {
		ix.byArticle[a.ID] = a
	}
	texts := make([]string, len(passages))
	var sentTexts []string
	var pdocs, sdocs []chromem.Document
	for i, p := range passages {
		if v, ok := vecs[p.Hash]; ok && ix.sentMatrix == nil {
			ix.sentMatrix = newMatrix(len(v), len(passages)*3)
		}
		ix.byPassage[p.ID] = i
		texts[i] = p.Heading + "\n" + p.Text
		v, ok := vecs[p.Hash]
		if !ok {
			return nil, fmt.Errorf("no vector for passage %s", p.ID)
		}
		if ix.Dim == 0 {
			ix.Dim = len(v)
		}
		if len(v) != ix.Dim {
			return nil, fmt.Errorf("passage %s: vector has %d dimensions, others %d", p.ID, len(v), ix.Dim)
		}
		pdocs = append(pdocs, chromem.Document{ID: p.ID, Embedding: v, Metadata: map[string]string{"hash": p.Hash}})
		for j, s := range p.Sentences {
			text := articleText(ix, p)[s.Start:s.End]
			if j == 0 {
				ix.sentFirst = append(ix.sentFirst, int32(len(sentTexts)))
			}
			sentTexts = append(sentTexts, text)
			ix.sentKinds = append(ix.sentKinds, kindsOf(text))
			ix.sentOwner = append(ix.sentOwner, int32(i))
			sv, ok := vecs[Hash(text)]
			if !ok {
				return nil, fmt.Errorf("no vector for sentence %d of passage %s", j, p.ID)
			}
			if len(sv) != ix.Dim {
				return nil, fmt.Errorf("sentence %d of passage %s: vector has %d dimensions, others %d", j, p.ID, len(sv), ix.Dim)
			}
			sdocs = append(sdocs, chromem.Document{ID: sentenceID(p.ID, j), Embedding: ix.sentMatrix.add(sv), Metadata: map[string]string{"hash": Hash(text)}})
		}
	}
	ix.bm25 = NewBM25(texts)
	ix.sentBM25 = NewBM25(sentTexts)
	ix.sentCount = len(sdocs)
	noEmbed := func(context.Context, string) ([]float32, error) {
		return nil, fmt.Errorf("retrieval: vectors are computed before they reach chromem")
	}
	var err error
	if ix.passVecs, err = ix.db.CreateCollection(passagesCollection, nil, noEmbed); err != nil {
		return nil, fmt.Errorf("creating passage collection: %w", err)
	}
	if ix.sentVecs, err = ix.db.CreateCollection(sentencesCollection, nil, noEmbed); err != nil {
		return nil, fmt.Errorf("creating sentence collection: %w", err)
	}
	if len(pdocs) == 0 {
		return ix, nil // an empty index (nothing published yet); chromem refuses empty batches
	}
	if err := ix.passVecs.AddDocuments(ctx, pdocs, 4); err != nil {
		return nil, fmt.Errorf("adding passage vectors: %w", err)
	}
	if err := ix.sentVecs.AddDocuments(ctx, sdocs, 4); err != nil {
		return nil, fmt.Errorf("adding sentence vectors: %w", err)
	}
	return ix, nil
}

func articleText(ix *Index, p *incidentbot.Passage) string { return ix.byArticle[p.ArticleID].Text }

// SentenceText returns the text of sentence i of passage p.
func (ix *Index) SentenceText(p *incidentbot.Passage, i int) string {
	s := p.Sentences[i]
	return articleText(ix, p)[s.Start:s.End]
}

// SentenceVector returns the stored vector of sentence i of passage p.
func (ix *Index) SentenceVector(ctx context.Context, p *incidentbot.Passage, i int) ([]float32, error) {
	pi, ok := ix.byPassage[p.ID]
	if !ok || i < 0 || i >= len(p.Sentences) {
		return nil, fmt.Errorf("no sentence %d in passage %s", i, p.ID)
	}
	return ix.sentMatrix.row(int(ix.sentFirst[pi]) + i), nil
}

// NewIndex chunks articles and builds an index in memory, without
// persisting it, taking every vector from vectorFor. Benchmarks use it to
// build large synthetic indexes; the program goes through Open.
func NewIndex(embedderID string, articles []*incidentbot.Article, vectorFor func(text string) []float32) (*Index, error) {
	var passages []*incidentbot.Passage
	vecs := vectorSet{}
	for _, a := range articles {
		for _, p := range Chunk(a) {
			passages = append(passages, p)
			vecs[p.Hash] = vectorFor(p.Text)
			for _, s := range p.Sentences {
				t := a.Text[s.Start:s.End]
				vecs[Hash(t)] = vectorFor(t)
			}
		}
	}
	return newIndex(embedderID, articles, passages, vecs)
}

// TermIDF is how rare an analysed term is among the corpus's sentences; 0
// when no sentence has it.
func (ix *Index) TermIDF(term string) float64 { return ix.sentBM25.IDF(term) }

// KnowsTerm reports whether the corpus uses term or a word of the same
// root ("Bektashi" / "Bektashian").
func (ix *Index) KnowsTerm(term string) bool { return ix.sentBM25.HasWordLike(term) }
