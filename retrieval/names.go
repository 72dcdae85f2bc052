package retrieval

import (
	"strings"
	"unicode"
)

// People write names as they heard them: "Jens Stoltenberg" for an
// article's "Jehns Stoltenberg", "nasser kanani" for "Nasser Ka’nani". A
// name the corpus does not have, one letter (or only an apostrophe or a
// hyphen) away from one it does, is that name. The speller leaves such
// words alone when English knows them ("Jens"), and weighs corpus words
// against all of English; this step only looks at the corpus.

// minNameLen: shorter words are one letter away from too many others.
const minNameLen = 4

// nearName returns the corpus word (lower-case, as in the vocabulary)
// that the unknown word w names, or "": one that differs only in its
// apostrophes and hyphens, or, when w may be a name (nameLike), by one
// letter.
func (r *queryReader) nearName(w string, nameLike bool) string {
	if len([]rune(w)) < minNameLen || r.vocab[w] > 0 {
		return ""
	}
	bare := bareName(w)
	best, bestN := "", 0
	for v, n := range r.vocab {
		if len(v) < len(bare)-1 || len(v) > len(bare)+3 || v[0] != w[0] || IsDigits(v) {
			continue
		}
		if b := bareName(v); (b == bare || nameLike && oneEdit(b, bare)) && n > bestN {
			best, bestN = v, n
		}
	}
	return best
}

// bareName drops the apostrophes and hyphens of a name.
func bareName(w string) string {
	return strings.Map(func(r rune) rune {
		if r == '\'' || r == '’' || r == '-' {
			return -1
		}
		return r
	}, w)
}

// oneEdit reports whether a and b differ by one inserted, deleted or
// substituted letter, or two adjacent letters swapped.
func oneEdit(a, b string) bool {
	ra, rb := []rune(a), []rune(b)
	if len(ra) < len(rb) {
		ra, rb = rb, ra
	}
	switch len(ra) - len(rb) {
	case 0:
		diff := -1
		for i := range ra {
			if ra[i] != rb[i] {
				if diff >= 0 {
					// A swap of two adjacent letters is one slip.
					return diff == i-1 && ra[diff] == rb[i] && ra[i] == rb[diff] && string(ra[i+1:]) == string(rb[i+1:])
				}
				diff = i
			}
		}
		return diff >= 0
	case 1:
		for i := range rb {
			if ra[i] != rb[i] {
				return string(ra[i+1:]) == string(rb[i:])
			}
		}
		return true
	}
	return false
}

// isNameLike: a word written capitalised, or one English does not know,
// may be a name.
func (r *queryReader) isNameLike(orig string) bool {
	rs := []rune(orig)
	if len(rs) == 0 {
		return false
	}
	if unicode.IsUpper(rs[0]) {
		return true
	}
	rk, ok := r.opts.Vectors.(interface{ Rank(string) int })
	return ok && rk.Rank(strings.ToLower(orig)) == 0
}
