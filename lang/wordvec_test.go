package lang

import (
	"bufio"
	"encoding/json"
	"math"
	"os"
	"testing"
)

// gloveHead streams the first n vectors (the n most frequent words) of the
// real GloVe JSON, as float32, without reading the rest of the file.
func gloveHead(tb testing.TB, n int) ([]string, [][]float32) {
	tb.Helper()
	root, err := projectRoot()
	if err != nil {
		tb.Fatal(err)
	}
	opt := DefaultBuildOptions(root + "/models")
	f, err := os.Open(opt.GloVeFile)
	if err != nil {
		tb.Fatalf(`%v: run "make model"`, err)
	}
	defer f.Close()
	dec := json.NewDecoder(bufio.NewReaderSize(f, 1<<20))
	if _, err := dec.Token(); err != nil {
		tb.Fatal(err)
	}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			tb.Fatal(err)
		}
		if key != "vectors" {
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				tb.Fatal(err)
			}
			continue
		}
		if _, err := dec.Token(); err != nil {
			tb.Fatal(err)
		}
		var words []string
		var vecs [][]float32
		for dec.More() && len(words) < n {
			tok, err := dec.Token()
			if err != nil {
				tb.Fatal(err)
			}
			var raw []float64
			if err := dec.Decode(&raw); err != nil {
				tb.Fatal(err)
			}
			v := make([]float32, 100)
			for i := range v {
				v[i] = float32(raw[i])
			}
			words = append(words, tok.(string))
			vecs = append(vecs, v)
		}
		return words, vecs
	}
	tb.Fatal("no vectors in the GloVe JSON")
	return nil, nil
}

func unit(v []float32) []float64 {
	var n float64
	for _, x := range v {
		n += float64(x) * float64(x)
	}
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x) / math.Sqrt(n)
	}
	return out
}

func cos64(a, b []float64) float64 {
	var d float64
	for i := range a {
		d += a[i] * b[i]
	}
	return d
}

// The stored int8 vectors agree with the float32 values of the JSON: each
// vector within 1e-4 of cosine 1 (the converter measured 9.8e-5 at worst over
// all 118,933), and cosines between words within 0.006 (measured: 7.2e-4 on
// average, 5.0e-3 at worst over two million pairs).
func TestVectorsMatchJSON(t *testing.T) {
	r := load(t)
	q := r.Meta().Quant
	if q.MaxVectorError > 1e-4 || q.MaxPairError > 0.006 || q.MeanPairError > 1e-3 {
		t.Errorf("the converter measured %+v", q)
	}
	words, vecs := gloveHead(t, 1500)
	stored := make([][]float64, len(words))
	for i, w := range words {
		id, ok := r.lookup(w)
		if !ok || r.termRow[id] == 0 {
			t.Fatalf("%q (rank %d) has no vector in the pack", w, i+1)
		}
		stored[i] = unit(r.rowFloat(int(r.termRow[id]-1), nil))
		if e := 1 - cos64(stored[i], unit(vecs[i])); e > q.MaxVectorError+1e-9 || e > 1e-4 {
			t.Errorf("%q: 1 - cos(stored, JSON) = %.2e", w, e)
		}
	}
	worst := 0.0
	for i := 0; i < len(words); i += 3 {
		ui := unit(vecs[i])
		for j := i + 1; j < len(words); j += 3 {
			d := math.Abs(r.dot(int(r.termRow[r.mustLookup(t, words[i])]-1), int(r.termRow[r.mustLookup(t, words[j])]-1)) - cos64(ui, unit(vecs[j])))
			worst = max(worst, d)
		}
	}
	if worst > 0.006 {
		t.Errorf("cosine error up to %.4f", worst)
	}
	t.Logf("worst cosine error over the pairs of 500 frequent words: %.2e", worst)
}

func (r *Resources) mustLookup(t *testing.T, w string) uint32 {
	id, ok := r.lookup(w)
	if !ok {
		t.Fatalf("%q not in the pack", w)
	}
	return id
}

func TestSimilarity(t *testing.T) {
	r := load(t)
	if a, b := r.Similarity("hack", "cyberattack"), r.Similarity("hack", "banana"); !(a > b) {
		t.Errorf("Similarity(hack, cyberattack) = %.3f, not above Similarity(hack, banana) = %.3f", a, b)
	}
	if a, b := r.Similarity("embassy", "diplomat"), r.Similarity("embassy", "football"); !(a > b+0.2) {
		t.Errorf("Similarity(embassy, diplomat) = %.3f, Similarity(embassy, football) = %.3f", a, b)
	}
	if s := r.Similarity("Iran", "iran"); math.Abs(s-1) > 1e-6 {
		t.Errorf("Similarity(Iran, iran) = %v", s)
	}
	if s := r.Similarity("hack", "qqzzxq"); s != 0 {
		t.Errorf("Similarity with an unknown word = %v", s)
	}
}

func TestVector(t *testing.T) {
	r := load(t)
	for _, w := range []string{"the", "albania", "ransom", "expel", "cyberattack", "ransomware"} {
		v := r.Vector(w)
		if len(v) != 100 {
			t.Fatalf("Vector(%q) has %d dims", w, len(v))
		}
		var n float64
		for _, x := range v {
			n += float64(x) * float64(x)
		}
		if math.Abs(n-1) > 1e-5 {
			t.Errorf("|Vector(%q)|² = %v", w, n)
		}
	}
	if v := r.Vector("qqzzxq"); v != nil {
		t.Errorf("Vector of an unknown word = %v", v)
	}
}

func TestRank(t *testing.T) {
	r := load(t)
	for w, want := range map[string]int{"the": 1, ",": 2, "The": 1, "whos": 112014, "qqzzxq": 0} {
		if got := r.Rank(w); got != want {
			t.Errorf("Rank(%q) = %d, want %d", w, got, want)
		}
	}
}

func TestNearest(t *testing.T) {
	r := load(t)
	got := r.Nearest("albania", 10)
	if len(got) != 10 {
		t.Fatalf("Nearest(albania, 10) = %v", got)
	}
	found := false
	for i, n := range got {
		if n.Word == "albania" {
			t.Errorf("Nearest lists the word itself")
		}
		if i > 0 && n.Similarity > got[i-1].Similarity {
			t.Errorf("Nearest not sorted: %v", got)
		}
		if math.Abs(n.Similarity-r.Similarity("albania", n.Word)) > 1e-9 {
			t.Errorf("Nearest says %v for %s, Similarity %v", n.Similarity, n.Word, r.Similarity("albania", n.Word))
		}
		found = found || n.Word == "montenegro" || n.Word == "macedonia"
	}
	if !found {
		t.Errorf("Nearest(albania) = %v, want its neighbours (macedonia, montenegro)", got)
	}
	if got := r.Nearest("ransom", 5); len(got) != 5 || got[0].Word != "kidnappers" {
		t.Errorf("Nearest(ransom, 5) = %v", got)
	}
	if got := r.Nearest("qqzzxq", 5); got != nil {
		t.Errorf("Nearest of an unknown word = %v", got)
	}
}

func BenchmarkNearest(b *testing.B) {
	r := load(b)
	for b.Loop() {
		r.Nearest("cyberattack", 10)
	}
}
