package lang

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// The WordNet half of the converter: it reads the standard database files
// (data.* and index.* for the four parts of speech, and index.sense for the
// SemCor tag counts) into the tables the pack stores.

// wnPOSFiles are the database files' suffixes, in the order of the posBit
// flags.
var wnPOSFiles = [4]string{"noun", "verb", "adj", "adv"}

// Lemma flags, one byte per WordNet lemma.
const (
	flagNoun  = 1 << 0
	flagVerb  = 1 << 1
	flagAdj   = 1 << 2
	flagAdv   = 1 << 3
	flagLower = 1 << 4 // some synset lists the lemma in lower case (a common word, not only a name or an abbreviation)
)

// posBit maps a part of speech (n, v, a/s, r) to its flag.
func posBit(pos byte) uint8 {
	switch pos {
	case 'n':
		return flagNoun
	case 'v':
		return flagVerb
	case 'a', 's':
		return flagAdj
	case 'r':
		return flagAdv
	}
	return 0
}

// posFile maps a part of speech letter to the index of its database file.
func posFile(pos byte) int {
	switch pos {
	case 'n':
		return 0
	case 'v':
		return 1
	case 'a', 's':
		return 2
	case 'r':
		return 3
	}
	return -1
}

type wnSense struct {
	syn int
	tag int // SemCor tag count of this sense
}

type wnPointer struct {
	sym      string
	file     int
	offset   uint32
	src, dst int // word numbers, 1-based; 0 means the whole synset
}

type wnSynset struct {
	pos    byte
	offset uint32
	words  []int // lemma ids, in the synset's word order
	ptrs   []wnPointer
	hyper  []uint32 // synset ids, instanceBit for @i
	sim    []uint32
	// examples holds the distinct lower-case words of the quoted example
	// sentences in a verb synset's gloss (for mineIrregular).
	examples []string
	// definition holds the distinct lower-case words of the gloss's
	// definition (before its examples).
	definition []string
}

// instanceBit marks an instance hypernym (@i) in the hypernym table.
const instanceBit = 1 << 31

type wordNet struct {
	lemmas  []string // normalised: lower case, spaces for underscores
	lemmaID map[string]int
	flags   []uint8
	senses  [][]wnSense
	synsets []wnSynset
	synID   [4]map[uint32]int // per file: byte offset -> synset id
	deriv   []map[int]bool    // lemma -> derivationally related lemmas
	pertain []map[int]bool    // lemma -> pertainyms
	files   []string          // every file read, for the input hash
	// glossWords holds every lower-case word of every gloss: evidence that
	// a form exists in English (for mineIrregular).
	glossWords map[string]bool
	pointers   int // pointers kept
}

func (wn *wordNet) lemma(s string) int {
	if id, ok := wn.lemmaID[s]; ok {
		return id
	}
	id := len(wn.lemmas)
	wn.lemmas = append(wn.lemmas, s)
	wn.lemmaID[s] = id
	wn.flags = append(wn.flags, 0)
	wn.senses = append(wn.senses, nil)
	wn.deriv = append(wn.deriv, nil)
	wn.pertain = append(wn.pertain, nil)
	return id
}

// normLemmaForm turns a WordNet lemma as written in the files into the form
// the pack stores: lower case, words separated by single spaces.
func normLemmaForm(s string) string {
	return strings.ToLower(strings.ReplaceAll(s, "_", " "))
}

// stripAdjMarker drops the syntactic marker WordNet appends to some
// adjectives in data.adj: "(a)", "(p)" or "(ip)".
func stripAdjMarker(w string) string {
	if i := strings.IndexByte(w, '('); i > 0 && strings.HasSuffix(w, ")") {
		return w[:i]
	}
	return w
}

func readWordNet(dir string) (*wordNet, error) {
	wn := &wordNet{lemmaID: make(map[string]int, 160000), glossWords: make(map[string]bool, 100000)}
	for f := range wnPOSFiles {
		wn.synID[f] = make(map[uint32]int)
	}
	for f, name := range wnPOSFiles {
		if err := wn.readData(filepath.Join(dir, "data."+name), f); err != nil {
			return nil, err
		}
	}
	for f, name := range wnPOSFiles {
		if err := wn.readIndex(filepath.Join(dir, "index."+name), f); err != nil {
			return nil, err
		}
	}
	if err := wn.readSenseIndex(filepath.Join(dir, "index.sense")); err != nil {
		return nil, err
	}
	if err := wn.resolvePointers(); err != nil {
		return nil, err
	}
	return wn, nil
}

// eachLine calls fn for every line of path that is not part of the license
// header (those lines start with spaces).
func (wn *wordNet) eachLine(path string, fn func(line string, n int) error) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("lang: WordNet: %w", err)
	}
	defer f.Close()
	wn.files = append(wn.files, path)
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		if line == "" || line[0] == ' ' {
			continue
		}
		if err := fn(line, n); err != nil {
			return fmt.Errorf("lang: WordNet %s:%d: %w", filepath.Base(path), n, err)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("lang: WordNet %s: %w", path, err)
	}
	return nil
}

// readData parses data.<pos>: offset lex_filenum ss_type w_cnt (word lex_id)×w_cnt
// p_cnt (symbol offset pos source/target)×p_cnt [frames] | gloss
func (wn *wordNet) readData(path string, file int) error {
	return wn.eachLine(path, func(line string, _ int) error {
		gloss := ""
		if i := strings.Index(line, " | "); i >= 0 {
			line, gloss = line[:i], line[i+3:]
		}
		fs := strings.Fields(line)
		if len(fs) < 6 {
			return fmt.Errorf("short data line")
		}
		off, err := strconv.ParseUint(fs[0], 10, 32)
		if err != nil {
			return fmt.Errorf("offset: %w", err)
		}
		if len(fs[2]) != 1 || posFile(fs[2][0]) != file {
			return fmt.Errorf("synset type %q in the wrong file", fs[2])
		}
		s := wnSynset{pos: fs[2][0], offset: uint32(off)}
		wcnt, err := strconv.ParseUint(fs[3], 16, 16)
		if err != nil {
			return fmt.Errorf("w_cnt: %w", err)
		}
		i := 4
		id := len(wn.synsets)
		for k := 0; k < int(wcnt); k++ {
			if i+1 >= len(fs) {
				return fmt.Errorf("words run past the line")
			}
			raw := stripAdjMarker(fs[i])
			l := wn.lemma(normLemmaForm(raw))
			s.words = append(s.words, l)
			if raw == strings.ToLower(raw) {
				wn.flags[l] |= flagLower
			}
			wn.flags[l] |= posBit(s.pos)
			i += 2
		}
		if i >= len(fs) {
			return fmt.Errorf("no pointer count")
		}
		pcnt, err := strconv.Atoi(fs[i])
		if err != nil {
			return fmt.Errorf("p_cnt: %w", err)
		}
		i++
		for k := 0; k < pcnt; k++ {
			if i+3 >= len(fs) {
				return fmt.Errorf("pointers run past the line")
			}
			sym, poff, ppos, st := fs[i], fs[i+1], fs[i+2], fs[i+3]
			i += 4
			switch sym {
			case "@", "@i", "&", "+", "\\":
			default:
				continue
			}
			o, err := strconv.ParseUint(poff, 10, 32)
			if err != nil || len(ppos) != 1 || posFile(ppos[0]) < 0 || len(st) != 4 {
				return fmt.Errorf("bad pointer %s %s %s %s", sym, poff, ppos, st)
			}
			src, err1 := strconv.ParseUint(st[:2], 16, 8)
			dst, err2 := strconv.ParseUint(st[2:], 16, 8)
			if err1 != nil || err2 != nil {
				return fmt.Errorf("bad source/target %q", st)
			}
			s.ptrs = append(s.ptrs, wnPointer{sym: sym, file: posFile(ppos[0]), offset: uint32(o), src: int(src), dst: int(dst)})
		}
		if file == 1 {
			s.examples = exampleWords(gloss)
		}
		for _, w := range glossWords(gloss) {
			wn.glossWords[w] = true
		}
		s.definition = definitionWords(gloss)
		wn.synID[file][uint32(off)] = id
		wn.synsets = append(wn.synsets, s)
		return nil
	})
}

// readIndex parses index.<pos>: lemma pos synset_cnt p_cnt [ptr_symbol×p_cnt]
// sense_cnt tagsense_cnt synset_offset×synset_cnt. The offsets come in
// WordNet's sense order (most frequent sense first).
func (wn *wordNet) readIndex(path string, file int) error {
	return wn.eachLine(path, func(line string, _ int) error {
		fs := strings.Fields(line)
		if len(fs) < 6 {
			return fmt.Errorf("short index line")
		}
		l := wn.lemma(normLemmaForm(fs[0]))
		if posFile(fs[1][0]) != file {
			return fmt.Errorf("part of speech %q in the wrong file", fs[1])
		}
		wn.flags[l] |= posBit(fs[1][0])
		cnt, err1 := strconv.Atoi(fs[2])
		pcnt, err2 := strconv.Atoi(fs[3])
		if err1 != nil || err2 != nil {
			return fmt.Errorf("bad counts")
		}
		first := 4 + pcnt + 2
		if first+cnt != len(fs) {
			return fmt.Errorf("%d synset offsets, line has %d fields", cnt, len(fs))
		}
		for _, o := range fs[first:] {
			off, err := strconv.ParseUint(o, 10, 32)
			if err != nil {
				return fmt.Errorf("offset: %w", err)
			}
			syn, ok := wn.synID[file][uint32(off)]
			if !ok {
				return fmt.Errorf("offset %s is no synset of data.%s", o, wnPOSFiles[file])
			}
			wn.addSense(l, syn)
		}
		return nil
	})
}

func (wn *wordNet) addSense(l, syn int) *wnSense {
	for i := range wn.senses[l] {
		if wn.senses[l][i].syn == syn {
			return &wn.senses[l][i]
		}
	}
	wn.senses[l] = append(wn.senses[l], wnSense{syn: syn})
	return &wn.senses[l][len(wn.senses[l])-1]
}

// readSenseIndex reads the SemCor tag counts: sense_key synset_offset
// sense_number tag_cnt, where sense_key is lemma%ss_type:lex_filenum:...
func (wn *wordNet) readSenseIndex(path string) error {
	return wn.eachLine(path, func(line string, _ int) error {
		fs := strings.Fields(line)
		if len(fs) != 4 {
			return fmt.Errorf("want 4 fields")
		}
		pct := strings.IndexByte(fs[0], '%')
		if pct < 0 || pct+2 > len(fs[0]) {
			return fmt.Errorf("bad sense key %q", fs[0])
		}
		file := -1
		switch fs[0][pct+1] {
		case '1':
			file = 0
		case '2':
			file = 1
		case '3', '5':
			file = 2
		case '4':
			file = 3
		}
		if file < 0 {
			return fmt.Errorf("bad synset type in %q", fs[0])
		}
		off, err := strconv.ParseUint(fs[1], 10, 32)
		if err != nil {
			return err
		}
		tag, err := strconv.Atoi(fs[3])
		if err != nil {
			return err
		}
		syn, ok := wn.synID[file][uint32(off)]
		if !ok {
			return fmt.Errorf("offset %s is no synset", fs[1])
		}
		l, ok := wn.lemmaID[normLemmaForm(fs[0][:pct])]
		if !ok {
			return fmt.Errorf("sense key of unknown lemma %q", fs[0])
		}
		wn.addSense(l, syn).tag += tag
		return nil
	})
}

// resolvePointers turns the kept pointers into synset and lemma links, and
// gives every synset word a sense entry even where the index lacks one.
func (wn *wordNet) resolvePointers() error {
	link := func(m []map[int]bool, a, b int) {
		if a == b {
			return
		}
		if m[a] == nil {
			m[a] = make(map[int]bool)
		}
		m[a][b] = true
	}
	for id := range wn.synsets {
		s := &wn.synsets[id]
		for _, w := range s.words {
			wn.addSense(w, id)
		}
		for _, p := range s.ptrs {
			t, ok := wn.synID[p.file][p.offset]
			if !ok {
				return fmt.Errorf("lang: WordNet: pointer %s to missing synset %08d", p.sym, p.offset)
			}
			wn.pointers++
			switch p.sym {
			case "@":
				s.hyper = append(s.hyper, uint32(t))
			case "@i":
				s.hyper = append(s.hyper, uint32(t)|instanceBit)
			case "&":
				s.sim = append(s.sim, uint32(t))
			case "+", "\\":
				m := wn.deriv
				if p.sym == "\\" {
					m = wn.pertain
				}
				srcs, dsts := s.words, wn.synsets[t].words
				if p.src > 0 {
					if p.src > len(srcs) {
						return fmt.Errorf("lang: WordNet: pointer source word %d of %d", p.src, len(srcs))
					}
					srcs = srcs[p.src-1 : p.src]
				}
				if p.dst > 0 {
					if p.dst > len(dsts) {
						return fmt.Errorf("lang: WordNet: pointer target word %d of %d", p.dst, len(dsts))
					}
					dsts = dsts[p.dst-1 : p.dst]
				}
				for _, a := range srcs {
					for _, b := range dsts {
						link(m, a, b)
					}
				}
			}
		}
		s.ptrs = nil
	}
	return nil
}

// sortedLinks returns the keys of m as term ids, sorted.
func sortedLinks(m map[int]bool, termOf func(int) uint32) []uint32 {
	out := make([]uint32, 0, len(m))
	for l := range m {
		out = append(out, termOf(l))
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}
