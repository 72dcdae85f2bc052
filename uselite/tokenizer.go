package uselite

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode/utf16"

	"golang.org/x/text/unicode/norm"
)

// reservedPieces is the number of leading vocabulary entries (unknown, <s>,
// </s>, three extra ids) that the reference never matches against text.
const reservedPieces = 6

// unknownID is the id the reference emits for a character no piece starts with.
const unknownID = 0

// tokenizer reproduces the tokenizer of @energetic-ai/embeddings exactly,
// quirks included, because the encoder was trained on its output: a Viterbi
// search over every vocabulary piece that matches, in which a score of 0
// means "not reached yet".
type tokenizer struct {
	scores []float64 // by id; JSON null counts as 0, as it does in JavaScript arithmetic
	// The trie is flattened: edges maps (node<<21 | rune) to the child node,
	// and piece[node] is the id ending at node, or -1.
	edges  map[uint64]int32
	piece  []int32
	length []int32 // by id: piece length in UTF-16 code units, as the reference's walk-back measures it
}

func loadTokenizer(dir string) (*tokenizer, error) {
	path := filepath.Join(dir, "vocab.json")
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var entries [][2]any // [piece, score]
	if err := json.Unmarshal(raw, &entries); err != nil {
		return nil, fmt.Errorf("parse %s: %w", path, err)
	}
	pieces := make([]string, len(entries))
	scores := make([]float64, len(entries))
	for i, e := range entries {
		p, ok := e[0].(string)
		if !ok {
			return nil, fmt.Errorf("%s: entry %d: piece is %T, want a string", path, i, e[0])
		}
		pieces[i] = p
		switch s := e[1].(type) {
		case float64:
			scores[i] = s
		case nil: // seven pieces have no score
		default:
			return nil, fmt.Errorf("%s: entry %d: score is %T, want a number", path, i, e[1])
		}
	}
	if len(pieces) <= reservedPieces {
		return nil, fmt.Errorf("%s: only %d entries", path, len(pieces))
	}
	return newTokenizer(pieces, scores), nil
}

func newTokenizer(pieces []string, scores []float64) *tokenizer {
	tk := &tokenizer{
		scores: scores,
		edges:  make(map[uint64]int32, 3*len(pieces)),
		piece:  []int32{-1},
		length: make([]int32, len(pieces)),
	}
	for id, p := range pieces {
		for _, r := range p {
			tk.length[id] += int32(utf16.RuneLen(r))
		}
		if id < reservedPieces {
			continue
		}
		node := int32(0)
		for _, r := range p {
			key := uint64(node)<<21 | uint64(r)
			child, ok := tk.edges[key]
			if !ok {
				child = int32(len(tk.piece))
				tk.piece = append(tk.piece, -1)
				tk.edges[key] = child
			}
			node = child
		}
		// A duplicate piece (the vocabulary has one) keeps the later id, as
		// the reference trie overwrites on insert.
		tk.piece[node] = int32(id)
	}
	return tk
}

// encode returns the token ids of text, untruncated.
func (tk *tokenizer) encode(text string) []int {
	text = norm.NFKC.String(text)
	if text == "" {
		return nil
	}
	text = "▁" + strings.ReplaceAll(text, " ", "▁")
	symbols := []rune(text)
	n := len(symbols)

	// best[e] is the score of the best path to position e (0 means none yet,
	// exactly as the reference uses it); words[e] the id of its last piece.
	best := make([]float64, n+1)
	words := make([]int32, n+1)
	relax := func(start, end int, id int32, score float64) {
		s := score + best[start]
		if best[end] == 0 || s >= best[end] {
			best[end] = s
			words[end] = id
		}
	}
	// Visiting starts in ascending order relaxes the candidates of every end
	// in ascending start order, which is the reference's tie-breaking, and
	// best[start] is final by then because all its candidates start earlier.
	for i := range n {
		node := int32(0)
		matched := false
		for j := i; j < n; j++ {
			child, ok := tk.edges[uint64(node)<<21|uint64(symbols[j])]
			if !ok {
				break
			}
			node = child
			if id := tk.piece[node]; id >= 0 {
				matched = true
				relax(i, j+1, id, tk.scores[id])
			}
		}
		if !matched {
			// No piece starts here: the reference makes the character a
			// one-character unknown scoring 0.
			relax(i, i+1, unknownID, 0)
		}
	}

	// Walk back from the end, merging runs of unknowns into one.
	var ids []int
	prevUnknown := false
	for e := n; e > 0; {
		id := words[e]
		if !(prevUnknown && id == unknownID) {
			ids = append(ids, int(id))
		}
		prevUnknown = id == unknownID
		e -= int(tk.length[id])
	}
	slices.Reverse(ids)
	return ids
}
