package openaitest

import (
	"math"
	"strings"
	"testing"
)

func TestSplitKeepsText(t *testing.T) {
	for _, s := range []string{"", "one", "one two", "  lead and trail  ", "a\nb\tc", "héllo wörld ünïcode"} {
		pieces := Split(s)
		if strings.Join(pieces, "") != s {
			t.Errorf("Split(%q) = %q", s, pieces)
		}
	}
	if n := len(Split("The quick brown fox")); n != 4 {
		t.Errorf("%d pieces, want 4", n)
	}
}

func cosine(a, b []float32) float64 {
	var ab, aa, bb float64
	for i := range a {
		ab += float64(a[i]) * float64(b[i])
		aa += float64(a[i]) * float64(a[i])
		bb += float64(b[i]) * float64(b[i])
	}
	return ab / math.Sqrt(aa*bb)
}

func TestHashEmbedSimilarity(t *testing.T) {
	q := HashEmbed("Who blamed Montenegro for the outage?")
	near := HashEmbed("Montenegro blamed the outage on hackers.")
	far := HashEmbed("Recipe: bake bread at two hundred degrees.")
	if cosine(q, near) <= cosine(q, far) {
		t.Errorf("similar %g <= dissimilar %g", cosine(q, near), cosine(q, far))
	}
	if cosine(HashEmbed(""), HashEmbed("")) != 1 {
		t.Error("empty text must still get a usable vector")
	}
}

func TestNormalizePath(t *testing.T) {
	for _, p := range []string{"/v1/embeddings", "/embeddings", "embeddings"} {
		if got := normalizePath(p); got != PathEmbeddings {
			t.Errorf("normalizePath(%q) = %q", p, got)
		}
	}
}
