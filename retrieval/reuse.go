package retrieval

import (
	"crypto/sha256"
	"encoding/hex"
	"runtime"

	"github.com/incidentbot/incidentbot"
)

// A refresh that changes one article of a large index should cost that
// article, not the corpus: reading every text again (sentence splitting,
// BM25 terms, answer kinds) and coding every vector again took minutes at
// 100k passages. So an article the refresh finds unchanged keeps what the
// live index made of it: its passages and sentence splits, its sentences'
// answer kinds and hashes, its BM25 postings (merged, mergeBM25), its
// vectors' codes and exact vectors (copied, not read and coded again) and
// its words' counts in the vocabulary. Only the articles that are new or
// changed are read.

// reuse is what a build takes from the previous index: passage i of the
// new index is prev's passage of[i], or new when of[i] < 0. The passages
// kept come in their old order (the articles are sorted by ID both times).
type reuse struct {
	prev *Index
	of   []int32
	// kept holds the IDs of the articles whose passages all come from
	// prev, unchanged.
	kept map[string]bool
}

// articleSpans gives the range of each article's passages in ix.
type articleSpans struct {
	ix    *Index
	first map[string][2]int32 // article ID → passages [first, end)
}

func spansOf(ix *Index) *articleSpans {
	s := &articleSpans{ix: ix, first: make(map[string][2]int32, len(ix.articles))}
	for i := 0; i < len(ix.passages); {
		j := i
		for j < len(ix.passages) && ix.passages[j].ArticleID == ix.passages[i].ArticleID {
			j++
		}
		s.first[ix.passages[i].ArticleID] = [2]int32{int32(i), int32(j)}
		i = j
	}
	return s
}

// passagesOf returns a's passages as the live index made them, when it
// holds a as it is (hash is articleHash(a)): copies, whose text is a's,
// so that the previous article's text is not kept alive by them.
func (s *articleSpans) passagesOf(a *incidentbot.Article, hash string) (ps []*incidentbot.Passage, from int, ok bool) {
	old := s.ix.byArticle[a.ID]
	if old == nil || s.ix.artHash[a.ID] != hash {
		return nil, 0, false
	}
	span := s.first[a.ID]
	ps = make([]*incidentbot.Passage, 0, span[1]-span[0])
	for _, p := range s.ix.passages[span[0]:span[1]] {
		c := *p
		c.Text = a.Text[p.Start:p.End]
		ps = append(ps, &c)
	}
	return ps, int(span[0]), true
}

// chunkAll chunks the articles that need it (need[i]) on every core:
// sentence splitting is a third of the cost of reading a text.
func chunkAll(articles []*incidentbot.Article, need func(i int) bool) [][]*incidentbot.Passage {
	chunks := make([][]*incidentbot.Passage, len(articles))
	onEveryCore(runtime.GOMAXPROCS(0), len(articles), func(_, i int) {
		if need == nil || need(i) {
			chunks[i] = Chunk(articles[i])
		}
	})
	return chunks
}

// articleHashes hashes every article, on every core.
func articleHashes(articles []*incidentbot.Article) []string {
	out := make([]string, len(articles))
	onEveryCore(runtime.GOMAXPROCS(0), len(articles), func(_, i int) { out[i] = articleHash(articles[i]) })
	return out
}

// digestSize is the bytes of a text's hash kept for each sentence: Hash
// is their hex.
const digestSize = 16

func digestOf(text string) [digestSize]byte {
	sum := sha256.Sum256([]byte(text))
	return [digestSize]byte(sum[:digestSize])
}

// sentenceHash is the Hash of sentence doc d's text, from the digest kept
// for it.
func (ix *Index) sentenceHash(d int) string {
	return hex.EncodeToString(ix.sentHash[d*digestSize : (d+1)*digestSize])
}

// vocabularyFrom is prev's vocabulary less the words of its articles that
// are not kept and plus those of the new articles that are not: the same
// counts as countVocabulary of articles, without reading the rest.
func vocabularyFrom(prev map[string]int, old, articles []*incidentbot.Article, kept map[string]bool) map[string]int {
	vocab := make(map[string]int, len(prev))
	for w, n := range prev {
		vocab[w] = n
	}
	count := func(a *incidentbot.Article, d int) {
		for _, text := range []string{a.Text, a.Title} {
			for _, word := range words(text) {
				if vocab[word] += d; vocab[word] == 0 {
					delete(vocab, word)
				}
			}
		}
	}
	for _, a := range old {
		if !kept[a.ID] {
			count(a, -1)
		}
	}
	for _, a := range articles {
		if !kept[a.ID] {
			count(a, 1)
		}
	}
	return vocab
}

// vectorRun gathers the copies of the exact vectors of kept passages that
// follow each other in both indexes into one: the kernel copied them a
// passage at a time, 100k system calls (half a second) for a one-article
// refresh at 100k passages, where the passages kept make two or three
// runs. The copies' room is taken at once (their slices are the rows'),
// the copy made when the run ends (flush, before anything reads them).
type vectorRun struct {
	dst, src       *exactVectors
	srcOff, dstOff int
	n              int // floats
}

// add takes room in dst for the n floats of src from its float off on,
// to be copied with the run, and returns it.
func (r *vectorRun) add(dst, src *exactVectors, off, n int) []float32 {
	if r.n > 0 && (src != r.src || off != r.srcOff+r.n || dst.used != r.dstOff+r.n) {
		r.flush()
	}
	if r.n == 0 {
		r.dst, r.src, r.srcOff, r.dstOff = dst, src, off, dst.used
	}
	r.n += n
	return dst.reserve(n)
}

// flush copies the run's vectors.
func (r *vectorRun) flush() {
	if r.n > 0 {
		r.dst.copyRange(r.src, r.srcOff, r.dstOff, r.n)
		r.n = 0
	}
}

// addFrom appends row i of src, whose exact vector is now v (a copy of
// src's): its codes are copied, not computed again.
func (m *matrix) addFrom(src *matrix, i int, v []float32) {
	m.codes = append(m.codes, src.codes[i*m.dim:(i+1)*m.dim]...)
	m.scales = append(m.scales, src.scales[i])
	m.exact = append(m.exact, v)
	nb := signBytes(m.dim)
	m.signs = append(m.signs, src.signs[i*nb:(i+1)*nb]...)
	m.invL1 = append(m.invL1, src.invL1[i])
	m.ones = append(m.ones, src.ones[i])
}
