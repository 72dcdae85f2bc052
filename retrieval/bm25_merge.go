package retrieval

import (
	"encoding/binary"
	"slices"
)

// mergeBM25 is the BM25 index of a refreshed corpus made from the previous
// one's postings and those of the docs that are new, so a refresh that
// changes one article reads only that article's texts: reading them (Terms)
// is most of the cost of indexing. Doc d of the result is old doc j where
// oldOf[d] = j ≥ 0, else doc -oldOf[d]-1 of fresh. The old docs kept must
// come in their old order, as the new docs come in fresh's (a refresh keeps
// the articles sorted by ID), so each term's postings are one merge of two
// sorted runs; a doc of old that oldOf does not name is dropped.
func mergeBM25(old, fresh *BM25, oldOf []int32) *BM25 {
	oldTo := make([]int32, len(old.docLen))
	for i := range oldTo {
		oldTo[i] = -1
	}
	freshTo := make([]int32, len(fresh.docLen))
	docLen := make([]uint32, len(oldOf))
	total := 0
	for d, j := range oldOf {
		if j >= 0 {
			oldTo[j] = int32(d)
			docLen[d] = old.docLen[j]
		} else {
			freshTo[-j-1] = int32(d)
			docLen[d] = fresh.docLen[-j-1]
		}
		total += int(docLen[d])
	}
	ix := &BM25{k1: old.k1, b: old.b, postings: make(map[string]postingList, len(old.postings)), docLen: docLen}
	ix.data = make([]byte, 0, len(old.data)+len(fresh.data))
	// In a fixed order, so that the buffer comes out the same on every run.
	terms := make([]string, 0, len(old.postings)+len(fresh.postings))
	for t := range old.postings {
		terms = append(terms, t)
	}
	for t := range fresh.postings {
		if _, ok := old.postings[t]; !ok {
			terms = append(terms, t)
		}
	}
	slices.Sort(terms)
	for _, t := range terms {
		a := postingReader{data: old.list(t), to: oldTo}
		b := postingReader{data: fresh.list(t), to: freshTo}
		a.next()
		b.next()
		start := len(ix.data)
		var n uint32
		last := 0
		for a.ok || b.ok {
			r := &a
			if !a.ok || (b.ok && b.doc < a.doc) {
				r = &b
			}
			ix.data = binary.AppendUvarint(ix.data, uint64(r.doc-last))
			ix.data = binary.AppendUvarint(ix.data, r.freq)
			last = r.doc
			n++
			r.next()
		}
		if n > 0 {
			ix.postings[t] = postingList{off: uint64(start), size: uint32(len(ix.data) - start), n: n}
		}
	}
	if len(docLen) > 0 {
		ix.avgLen = float64(total) / float64(len(docLen))
	}
	ix.norm = make([]float64, len(docLen))
	for doc, n := range docLen {
		ix.norm[doc] = ix.k1 * (1 - ix.b + ix.b*float64(n)/ix.avgLen)
	}
	ix.buildBlocks()
	return ix
}

// list returns the encoded postings of term.
func (ix *BM25) list(term string) []byte {
	pl, ok := ix.postings[term]
	if !ok {
		return nil
	}
	return ix.data[pl.off : pl.off+uint64(pl.size)]
}

// postingReader walks one term's postings, numbering each doc as the
// merged index does (to) and skipping the docs it drops (-1).
type postingReader struct {
	data []byte
	to   []int32
	at   int // the doc as numbered in data
	doc  int // as numbered in the merged index
	freq uint64
	ok   bool
}

func (r *postingReader) next() {
	for len(r.data) > 0 {
		gap, k := binary.Uvarint(r.data)
		freq, m := binary.Uvarint(r.data[k:])
		r.data = r.data[k+m:]
		r.at += int(gap)
		if d := r.to[r.at]; d >= 0 {
			r.doc, r.freq, r.ok = int(d), freq, true
			return
		}
	}
	r.ok = false
}
