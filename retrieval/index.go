package retrieval

import (
	"context"
	"encoding/hex"
	"fmt"
	"math"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/incidentbot/incidentbot"
)

// The collections of a snapshot's chromem-go export: one vector per passage
// and one per sentence. Sentence vectors matter because USE-Lite compares a
// question with a single sentence far better than with a 70-word passage.
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
	// version is the published snapshot this index is (Version).
	version atomic.Pointer[string]

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
	// sentHash holds the digest of each sentence doc's text (digestSize
	// bytes each), and artHash each article's articleHash: what a
	// refresh compares the corpus with and a snapshot's manifest lists,
	// kept rather than computed over the whole corpus again each time.
	sentHash []byte
	artHash  map[string]string

	sentCount int
	// reader reads queries against this index (query.go); names counts
	// the articles' names it looks up in the dictionary (corpus_names.go),
	// and prepared is closed once prepareQueries has built what it needs.
	reader   queryReader
	names    *lazyNames
	prepared chan struct{}
	// sentMatrix and passMatrix are what queries scan: the sentence
	// vectors in sentence-doc order (see sentOwner) and the passage
	// vectors in passage order, compact, with the exact vectors beside.
	sentMatrix, passMatrix *matrix
	// exact holds the float32 vectors: the matrices' rows are slices of
	// it, and a snapshot's chromem-go export is written from them
	// (export.go). No chromem-go DB is kept beside them: nothing queried
	// it since the scan matrices replaced its queries, and filling one
	// cost a refresh a map entry and a check of every vector (0.7 s at
	// 100k passages) for its export alone. It and the codes are outside
	// the Go heap and given back when the Index is collected, so whatever
	// reads them keeps the Index reachable meanwhile (runtime.KeepAlive),
	// as writing a snapshot must.
	exact *exactVectors
}

// Version is the published snapshot this index is: "" until it is
// published, which a refresh that serves first does after the index is
// served (Store.RefreshServing).
func (ix *Index) Version() string {
	if v := ix.version.Load(); v != nil {
		return *v
	}
	return ""
}

func (ix *Index) setVersion(v string) { ix.version.Store(&v) }

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

// vectorLookup returns the vector of a text, or false when there is none;
// hash is the text's Hash, or "" when it is not known yet.
type vectorLookup func(hash, text string) ([]float32, bool)

// newIndex assembles an index from articles and vectors for every passage
// and sentence text (by hash). It fails if a vector is missing.
func newIndex(embedderID string, articles []*incidentbot.Article, passages []*incidentbot.Passage, vecs vectorSet) (*Index, error) {
	return buildIndex(embedderID, articles, nil, passages, nil, func(hash, text string) ([]float32, bool) {
		if hash == "" {
			hash = Hash(text)
		}
		v, ok := vecs[hash]
		return v, ok
	})
}

// buildIndex assembles an index, one passage at a time: each vector is
// copied once into the exact vectors, which the scan matrix's row is (and
// a snapshot's export is written from), and coded for the scan; each text
// goes to the BM25 indexes; so no list of every document, text or vector
// is held beside the index while it is built. hashes are the articles' articleHash
// (nil: computed here). With from, the passages it names are taken from
// the previous index instead (reuse.go), and lookup is asked only for the
// vectors of the others.
func buildIndex(embedderID string, articles []*incidentbot.Article, hashes []string, passages []*incidentbot.Passage, from *reuse, lookup vectorLookup) (*Index, error) {
	ix := &Index{
		EmbedderID: embedderID,
		BuiltAt:    time.Now().UTC(),
		articles:   articles,
		byArticle:  make(map[string]*incidentbot.Article, len(articles)),
		passages:   passages,
		byPassage:  make(map[string]int, len(passages)),
	}
	if hashes == nil {
		hashes = articleHashes(articles)
	}
	ix.names = namesOf(func() *nameCounts { return countNames(articles) })
	ix.artHash = make(map[string]string, len(articles))
	for i, a := range articles {
		ix.byArticle[a.ID] = a
		ix.artHash[a.ID] = hashes[i]
	}
	var err error
	for _, p := range passages {
		ix.sentCount += len(p.Sentences)
	}
	ix.sentOwner = make([]int32, 0, ix.sentCount)
	ix.sentFirst = make([]int32, 0, len(passages))
	ix.sentKinds = make([]uint8, 0, ix.sentCount)
	ix.sentHash = make([]byte, 0, ix.sentCount*digestSize)
	passBM, sentBM := newBM25Builder(len(passages)), newBM25Builder(ix.sentCount)
	// With from, the BM25 builders index the new passages alone, and
	// passOld and sentOld say where each doc of the index comes from
	// (mergeBM25).
	var passOld, sentOld []int32
	var prev *Index
	run := &vectorRun{}
	reused := func(int) bool { return false }
	if from != nil {
		prev = from.prev
		passOld, sentOld = make([]int32, 0, len(passages)), make([]int32, 0, ix.sentCount)
		reused = func(i int) bool { return from.of[i] >= 0 }
	}
	err = readTexts(ix, passages, reused, func(i int, t *passageTexts) error {
		p := passages[i]
		ix.byPassage[p.ID] = i
		if reused(i) {
			return ix.addReused(prev, p, int(from.of[i]), run, &passOld, &sentOld)
		}
		run.flush() // the vectors added below come after the run's
		if from != nil {
			passOld = append(passOld, -int32(len(passBM.docLen))-1)
		}
		passBM.addTerms(t.terms)
		v, ok := lookup(p.Hash, p.Text)
		if !ok {
			return fmt.Errorf("no vector for passage %s", p.ID)
		}
		if ix.Dim == 0 {
			if err := ix.allocate(len(v)); err != nil {
				return err
			}
		}
		if len(v) != ix.Dim {
			return fmt.Errorf("passage %s: vector has %d dimensions, others %d", p.ID, len(v), ix.Dim)
		}
		v = ix.exact.add(chromemUnit(v))
		ix.passMatrix.add(v)
		ix.sentFirst = append(ix.sentFirst, int32(len(ix.sentOwner)))
		for j, s := range p.Sentences {
			text := articleText(ix, p)[s.Start:s.End]
			if from != nil {
				sentOld = append(sentOld, -int32(len(sentBM.docLen))-1)
			}
			sentBM.addTerms(t.sentTerms[j])
			ix.sentKinds = append(ix.sentKinds, t.kinds[j])
			ix.sentOwner = append(ix.sentOwner, int32(i))
			d := digestOf(text)
			ix.sentHash = append(ix.sentHash, d[:]...)
			sv, ok := lookup(hex.EncodeToString(d[:]), text)
			if !ok {
				return fmt.Errorf("no vector for sentence %d of passage %s", j, p.ID)
			}
			if len(sv) != ix.Dim {
				return fmt.Errorf("sentence %d of passage %s: vector has %d dimensions, others %d", j, p.ID, len(sv), ix.Dim)
			}
			sv = ix.exact.add(unit(sv))
			ix.sentMatrix.add(sv)
		}
		return nil
	})
	run.flush()
	if err != nil {
		return nil, err
	}
	if ix.passMatrix == nil {
		ix.passMatrix, ix.sentMatrix = newMatrix(0, 0), newMatrix(0, 0)
		ix.exact, _ = newExactVectors(0)
	}
	if from != nil {
		ix.bm25, ix.sentBM25 = mergeBM25(prev.bm25, passBM.finish(), passOld), mergeBM25(prev.sentBM25, sentBM.finish(), sentOld)
		ix.reader.vocab = vocabularyFrom(prev.reader.vocab, prev.articles, articles, from.kept)
	} else {
		ix.bm25, ix.sentBM25 = passBM.finish(), sentBM.finish()
		ix.reader.vocab = countVocabulary(articles)
	}
	return ix, nil
}

// allocate makes room for the index's vectors, of dim dimensions, outside
// the Go heap: the exact vectors and the matrices' codes.
func (ix *Index) allocate(dim int) error {
	ix.Dim = dim
	passages := len(ix.passages)
	var err error
	if ix.exact, err = newExactVectors((passages + ix.sentCount) * ix.Dim); err != nil {
		return err
	}
	runtime.AddCleanup(ix, func(e *exactVectors) { e.close() }, ix.exact)
	for _, m := range []struct {
		to   **matrix
		rows int
	}{{&ix.passMatrix, passages}, {&ix.sentMatrix, ix.sentCount}} {
		codes, release, err := offHeapCodes(m.rows * ix.Dim)
		if err != nil {
			return err
		}
		runtime.AddCleanup(ix, func(release func()) { release() }, release)
		signs, releaseSigns, err := offHeapBytes(m.rows * signBytes(ix.Dim))
		if err != nil {
			return err
		}
		runtime.AddCleanup(ix, func(release func()) { release() }, releaseSigns)
		*m.to = newMatrixIn(ix.Dim, m.rows, codes, signs)
		(*m.to).load = ix.exact.load
	}
	return nil
}

// addReused adds passage p as prev's passage j: its vector and its
// sentences' with their codes, their kinds and hashes, all copied (the
// vectors by run, with those of the passages kept next to it); its BM25
// postings are merged in at the end (passOld, sentOld).
func (ix *Index) addReused(prev *Index, p *incidentbot.Passage, j int, run *vectorRun, passOld, sentOld *[]int32) error {
	if ix.Dim == 0 {
		if err := ix.allocate(prev.Dim); err != nil {
			return err
		}
	}
	first, n := int(prev.sentFirst[j]), len(p.Sentences)
	// The passage's vector and its sentences' lie together in prev's
	// exact vectors, as they do in ix's.
	block := run.add(ix.exact, prev.exact, prev.exact.offsetOf(prev.passMatrix.exact[j]), (1+n)*ix.Dim)
	v := block[:ix.Dim:ix.Dim]
	ix.passMatrix.addFrom(prev.passMatrix, j, v)
	*passOld = append(*passOld, int32(j))
	i := len(ix.sentFirst)
	ix.sentFirst = append(ix.sentFirst, int32(len(ix.sentOwner)))
	for k := range n {
		sv := block[(1+k)*ix.Dim : (2+k)*ix.Dim : (2+k)*ix.Dim]
		ix.sentMatrix.addFrom(prev.sentMatrix, first+k, sv)
		ix.sentOwner = append(ix.sentOwner, int32(i))
		*sentOld = append(*sentOld, int32(first+k))
	}
	ix.sentKinds = append(ix.sentKinds, prev.sentKinds[first:first+n]...)
	ix.sentHash = append(ix.sentHash, prev.sentHash[first*digestSize:(first+n)*digestSize]...)
	return nil
}

// passageTexts is what is read from a passage's texts to index it: the
// terms of the passage (with its heading) and of each sentence for BM25,
// and the kinds of answer each sentence holds.
type passageTexts struct {
	terms     []string
	sentTerms [][]string
	kinds     []uint8
}

// textBatch is how many passages' texts are read at once.
const textBatch = 1024

// readTexts reads the texts of passages on every core, a batch at a time
// (reading them is most of the cost of building an index), and hands each
// passage's to use in passage order; those of the passages skip names are
// not read (use gets nothing for them).
func readTexts(ix *Index, passages []*incidentbot.Passage, skip func(i int) bool, use func(i int, t *passageTexts) error) error {
	workers := runtime.GOMAXPROCS(0)
	batch := make([]passageTexts, textBatch)
	for lo := 0; lo < len(passages); lo += textBatch {
		n := min(textBatch, len(passages)-lo)
		var wg sync.WaitGroup
		for w := range min(workers, n) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for k := w; k < n; k += workers {
					if skip(lo + k) {
						continue
					}
					p := passages[lo+k]
					t := passageTexts{terms: Terms(p.Heading + "\n" + p.Text)}
					for _, s := range p.Sentences {
						text := articleText(ix, p)[s.Start:s.End]
						t.sentTerms = append(t.sentTerms, Terms(text))
						t.kinds = append(t.kinds, kindsOf(text))
					}
					batch[k] = t
				}
			}()
		}
		wg.Wait()
		for k := range n {
			if err := use(lo+k, &batch[k]); err != nil {
				return err
			}
			batch[k] = passageTexts{}
		}
	}
	return nil
}

// isUnit is chromem-go's test of a unit vector (isNormalized): a document
// whose vector passes it is kept as it is, others are normalized. The
// vectors are made unit here, once, so that what a snapshot's export holds
// is what chromem-go would hold, and what the scan matrices hold.
func isUnit(v []float32) bool {
	var n float64
	for _, x := range v {
		n += float64(x) * float64(x)
	}
	return math.Abs(math.Sqrt(n)-1) < 1e-6
}

// unit returns v if it is a unit vector, else a copy scaled to unit length
// (as the sentence matrix always scaled them).
func unit(v []float32) []float32 {
	if isUnit(v) {
		return v
	}
	var n float64
	for _, x := range v {
		n += float64(x) * float64(x)
	}
	if n == 0 {
		return v
	}
	scale := float32(1 / math.Sqrt(n))
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = x * scale
	}
	return out
}

// chromemUnit is unit as chromem computes it (a float32 norm, a division):
// passage cosines come out exactly as chromem's queries gave them.
func chromemUnit(v []float32) []float32 {
	if isUnit(v) {
		return v
	}
	var n float32
	for _, x := range v {
		n += x * x
	}
	n = float32(math.Sqrt(float64(n)))
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = x / n
	}
	return out
}

func articleText(ix *Index, p *incidentbot.Passage) string { return ix.byArticle[p.ArticleID].Text }

// SentenceText returns the text of sentence i of passage p.
func (ix *Index) SentenceText(p *incidentbot.Passage, i int) string {
	s := p.Sentences[i]
	return articleText(ix, p)[s.Start:s.End]
}

// SentenceVector returns a copy of the stored vector of sentence i of
// passage p (a copy: the stored one lives only as long as the index).
func (ix *Index) SentenceVector(ctx context.Context, p *incidentbot.Passage, i int) ([]float32, error) {
	out := make([]float32, ix.Dim)
	v, err := ix.sentenceVector(p, i, out)
	if err != nil {
		return nil, err
	}
	if &v[0] != &out[0] {
		copy(out, v)
	}
	runtime.KeepAlive(ix)
	return out, nil
}

// PassageVector returns a copy of the stored vector of passage p.
func (ix *Index) PassageVector(p *incidentbot.Passage) ([]float32, bool) {
	i, ok := ix.byPassage[p.ID]
	if !ok {
		return nil, false
	}
	out := make([]float32, ix.Dim)
	v := ix.passMatrix.vector(i, out)
	if &v[0] != &out[0] {
		copy(out, v)
	}
	runtime.KeepAlive(ix)
	return out, true
}

// sentenceVector returns the stored vector, read into buf or the stored
// slice itself, for use while ix is in use.
func (ix *Index) sentenceVector(p *incidentbot.Passage, i int, buf []float32) ([]float32, error) {
	pi, ok := ix.byPassage[p.ID]
	if !ok || i < 0 || i >= len(p.Sentences) {
		return nil, fmt.Errorf("no sentence %d in passage %s", i, p.ID)
	}
	return ix.sentMatrix.vector(int(ix.sentFirst[pi])+i, buf), nil
}

// NewIndex chunks articles and builds an index in memory, without
// persisting it, asking vectorFor for the vector of each passage and
// sentence as it is indexed (once for each occurrence of a text).
// Benchmarks use it to build large synthetic indexes; the program goes
// through Open.
func NewIndex(embedderID string, articles []*incidentbot.Article, vectorFor func(text string) []float32) (*Index, error) {
	var passages []*incidentbot.Passage
	for _, c := range chunkAll(articles, nil) {
		passages = append(passages, c...)
	}
	return buildIndex(embedderID, articles, nil, passages, nil, func(_, text string) ([]float32, bool) { return vectorFor(text), true })
}

// TermIDF is how rare an analysed term is among the corpus's sentences; 0
// when no sentence has it.
func (ix *Index) TermIDF(term string) float64 { return ix.sentBM25.IDF(term) }

// KnowsTerm reports whether the corpus uses term or a word of the same
// root ("Bektashi" / "Bektashian").
func (ix *Index) KnowsTerm(term string) bool { return ix.sentBM25.HasWordLike(term) }

// CompactRecall is the share of the k sentences nearest to qv (a unit
// vector) by an exact scan of every float32 vector that the compact scan
// which searches use finds too: what the int8 codes lose (1 when nothing).
func (ix *Index) CompactRecall(qv []float32, k int) float64 {
	// The full exact scan reads every vector: their pages are dropped
	// from the resident set as it goes, as after the build.
	exact := ix.sentMatrix.exactNearest(qv, k, sentenceCosine, ix.exact.dropAll)
	defer runtime.KeepAlive(ix)
	if len(exact) == 0 {
		return 1
	}
	found := map[int]bool{}
	for _, s := range ix.sentMatrix.nearest(qv, k, sentenceCosine) {
		found[s.Doc] = true
	}
	n := 0
	for _, s := range exact {
		if found[s.Doc] {
			n++
		}
	}
	return float64(n) / float64(len(exact))
}

// VectorBytes is the memory the index's vectors take outside the Go heap:
// the scan's int8 and sign codes (resident) and the exact float32 vectors (in the page
// cache, mapped; see exactVectors).
func (ix *Index) VectorBytes() (codes, exact int) {
	codes = len(ix.passMatrix.codes) + len(ix.sentMatrix.codes) + len(ix.passMatrix.signs) + len(ix.sentMatrix.signs)
	return codes, 4 * (ix.passMatrix.rows() + ix.sentMatrix.rows()) * ix.Dim
}
