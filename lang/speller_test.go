package lang

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
)

var (
	vocabOnce sync.Once
	vocab     map[string]int
)

// corpusVocab reads the project's articles (corpus/articles/*.md) into the
// lower-cased word counts NewSpeller takes, as the bot does.
func corpusVocab(tb testing.TB) map[string]int {
	tb.Helper()
	vocabOnce.Do(func() {
		root, err := projectRoot()
		if err != nil {
			tb.Fatal(err)
		}
		files, err := filepath.Glob(filepath.Join(root, "corpus", "articles", "*.md"))
		if err != nil || len(files) == 0 {
			tb.Fatalf("no articles in %s/corpus/articles (%v)", root, err)
		}
		word := regexp.MustCompile(`[\pL\pN]+(?:['’][\pL]+)*`)
		vocab = map[string]int{}
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				tb.Fatal(err)
			}
			for _, w := range word.FindAllString(string(b), -1) {
				vocab[strings.ToLower(w)]++
			}
		}
	})
	return vocab
}

func newSpeller(tb testing.TB) *Speller {
	return NewSpeller(load(tb), corpusVocab(tb))
}

func TestSpellerCorrects(t *testing.T) {
	s := newSpeller(t)
	for typed, want := range map[string][]string{
		"wat":         {"what"},
		"wen":         {"when"},
		"abt":         {"about"},
		"govt":        {"government"},
		"ppl":         {"people"},
		"whos":        {"who's", "who is"},
		"montenagro":  {"montenegro"},
		"mandient":    {"mandiant"},
		"stoltenburg": {"stoltenberg"},
		"Montenagro":  {"Montenegro"},
		"GOVT":        {"GOVERNMENT"},
		"dont":        {"don't"},
		"wats":        {"what's"},
		"albanias":    {"albania's"},
		"goverment":   {"government"},
		"recieve":     {"receive"},
		"cyberatack":  {"cyberattack"},
		"tmrw":        {"tomorrow"},
		"dept":        {"department"},
	} {
		got, ok := s.Correct(typed)
		if !ok || !contains(want, got) {
			t.Errorf("Correct(%q) = %q, %v; want one of %q", typed, got, ok, want)
		}
	}
}

// Words the articles use, in any case, are never changed; nor are common
// English words, numbers and short tokens.
func TestSpellerLeavesKnownWords(t *testing.T) {
	s := newSpeller(t)
	r := s.r
	for w := range corpusVocab(t) {
		for _, typed := range []string{w, strings.ToUpper(w[:1]) + w[1:]} {
			if got, ok := s.Correct(typed); ok || got != typed {
				t.Errorf("corpus word %q corrected to %q", typed, got)
			}
		}
	}
	for row := 0; row < commonRank; row++ {
		w := r.term(r.rowTerm[row])
		if got, ok := s.Correct(w); ok {
			t.Errorf("common word %q (rank %d) corrected to %q", w, row+1, got)
		}
	}
	// giza is one vowel from gaza, but a word GloVe knows is only
	// corrected for slips (a left-out, swapped or doubled letter).
	for _, w := range []string{"hack", "hacked", "ransom", "envoy", "expelled", "vat", "giza", "theirs", "2022", "15th", "F-35", "ok", "Kosovo", "Rama", "Mandiant", "Stoltenberg", "IRGC", ""} {
		if got, ok := s.Correct(w); ok || got != w {
			t.Errorf("Correct(%q) = %q, %v; want it unchanged", w, got, ok)
		}
	}
}

// Without the corpus, a corpus-only name is not invented, and a plain typo
// still is fixed.
func TestSpellerWithoutCorpus(t *testing.T) {
	s := NewSpeller(load(t), nil)
	if got, ok := s.Correct("mandient"); ok {
		t.Errorf("Correct(mandient) without a corpus = %q", got)
	}
	if got, _ := s.Correct("goverment"); got != "government" {
		t.Errorf("Correct(goverment) = %q", got)
	}
	if got, _ := s.Correct("teh"); got != "the" {
		t.Errorf("Correct(teh) = %q", got)
	}
}

func BenchmarkCorrect(b *testing.B) {
	s := newSpeller(b)
	words := []string{"wat", "montenagro", "stoltenburg", "govt", "whos", "cyberatack"}
	for b.Loop() {
		for _, w := range words {
			s.Correct(w)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*len(words)), "µs/word")
}

func BenchmarkNewSpeller(b *testing.B) {
	r := load(b)
	v := corpusVocab(b)
	for b.Loop() {
		NewSpeller(r, v)
	}
}

// A correction is at most maxCandLen letters long (the candidates keep
// their length in a byte): a corpus word of that length is still found
// from a typo, a longer one is left out without harm.
func TestSpellerLongWords(t *testing.T) {
	word := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = "bcdfghjklmnpqrstvwxz"[i*7%20]
			if i%3 == 1 {
				b[i] = "aeiou"[i%5]
			}
		}
		return string(b)
	}
	longest, tooLong := word(maxCandLen), word(maxCandLen+40)
	s := NewSpeller(load(t), map[string]int{longest: 3, tooLong: 3})
	typo := func(w string) string { return w[:100] + w[101:] } // a letter left out
	if got, ok := s.Correct(typo(longest)); !ok || got != longest {
		t.Errorf("a typo of a %d-letter corpus word: Correct = %.20q…, %v; want the word", len(longest), got, ok)
	}
	if got, ok := s.Correct(typo(tooLong)); ok || got != typo(tooLong) {
		t.Errorf("a typo of a %d-letter corpus word: Correct = %.20q…, %v; want it unchanged", len(tooLong), got, ok)
	}
}
