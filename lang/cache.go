package lang

import lru "github.com/hashicorp/golang-lru/v2"

// The reader asks the same few thousand words (a corpus's, its
// questions') again and again: their vectors and the synsets IsA reaches
// from them are kept, up to cacheWords words each, so an unending stream
// of new words cannot grow memory without bound.
const cacheWords = 1 << 15

type caches struct {
	vectors *lru.Cache[string, []float32]
	kinds   *lru.Cache[string, map[uint32]int]
}

func newCaches() caches {
	v, _ := lru.New[string, []float32](cacheWords) // errors only for a size ≤ 0
	k, _ := lru.New[string, map[uint32]int](cacheWords)
	return caches{vectors: v, kinds: k}
}
