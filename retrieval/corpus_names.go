package retrieval

import (
	"maps"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"
	"unicode/utf8"

	"github.com/incidentbot/incidentbot"
)

// The names the articles write, which the dictionary is asked about
// (definitions.go): runs of capitalised words (with "of" and "the" inside
// them), every sub-run of up to maxNameWords words, and single words the
// articles capitalise more often than not where no sentence starts.
// Finding them reads every article (up to maxNameRuns runs), a second at
// 100k passages, which the first query after a refresh waited for. So what
// they are made of is counted (nameCounts), and a refresh counts only the
// articles it does not keep, as vocabularyFrom does for the vocabulary.

// nameCounts counts, over the articles read, each word's capitalised
// occurrences where no sentence starts (upper) and its lower-case ones
// (lower), and each run's occurrences.
type nameCounts struct {
	upper, lower, runs map[string]int
	// all: every article was read; otherwise reading stopped once the
	// runs passed maxNameRuns (a corpus that large names what it holds;
	// its first articles give enough names).
	all bool
}

// countNames counts the articles' names in order, stopping once the runs
// pass maxNameRuns.
func countNames(articles []*incidentbot.Article) *nameCounts {
	nc := &nameCounts{upper: map[string]int{}, lower: map[string]int{}, runs: map[string]int{}, all: true}
	for _, a := range articles {
		if len(nc.runs) > maxNameRuns {
			nc.all = false
			break
		}
		nc.add(a, 1)
	}
	return nc
}

// namesFrom is prev's counts less those of its articles that are not kept
// and plus those of the new articles that are not: countNames(articles)
// without reading the rest. When prev did not read every article, or the
// runs now pass maxNameRuns (where countNames stops, which counts cannot
// say), they are counted anew.
func namesFrom(prev *nameCounts, old, articles []*incidentbot.Article, kept map[string]bool) *nameCounts {
	if !prev.all {
		return countNames(articles)
	}
	nc := &nameCounts{upper: maps.Clone(prev.upper), lower: maps.Clone(prev.lower), runs: maps.Clone(prev.runs), all: true}
	for _, a := range old {
		if !kept[a.ID] {
			nc.add(a, -1)
		}
	}
	for _, a := range articles {
		if !kept[a.ID] {
			nc.add(a, 1)
		}
	}
	// The runs only grow as countNames reads, so it stops before the
	// end exactly when they pass the bound at the end.
	if len(nc.runs) > maxNameRuns {
		return countNames(articles)
	}
	return nc
}

func bump(m map[string]int, k string, d int) {
	if m[k] += d; m[k] == 0 {
		delete(m, k)
	}
}

// add counts a's names d times (1, or -1 to take them out).
func (nc *nameCounts) add(a *incidentbot.Article, d int) {
	for _, text := range []string{a.Title, a.Text} {
		var run []string
		flush := func() {
			for len(run) > 0 && isJoiner(run[len(run)-1]) {
				run = run[:len(run)-1]
			}
			for i := range run {
				if isJoiner(run[i]) {
					continue
				}
				for j := i + 2; j <= len(run) && j-i <= maxNameWords; j++ {
					if !isJoiner(run[j-1]) {
						bump(nc.runs, strings.Join(run[i:j], " "), d)
					}
				}
			}
			run = run[:0]
		}
		for _, sp := range rawWordSpans(text) {
			w := text[sp[0]:sp[1]]
			w = strings.TrimSuffix(strings.TrimSuffix(w, "'s"), "’s")
			if w == "" {
				continue
			}
			first, _ := utf8.DecodeRuneInString(w)
			lw := strings.ToLower(w)
			switch {
			case unicode.IsUpper(first):
				if !sentenceStart(text, sp[0]) {
					bump(nc.upper, lw, d)
				}
				run = append(run, w)
			case isJoiner(lw) && len(run) > 0:
				run = append(run, lw)
			default:
				bump(nc.lower, lw, d)
				flush()
			}
		}
		flush()
	}
}

// list is the names, sorted.
func (nc *nameCounts) list() []string {
	var out []string
	for w, n := range nc.upper {
		if n > nc.lower[w] && len(w) > 1 {
			out = append(out, w)
		}
	}
	for r := range nc.runs {
		out = append(out, r)
	}
	sort.Strings(out)
	return out
}

// lazyNames is an index's name counts, made on first use (or ahead, by a
// refresh: namesAhead).
type lazyNames struct {
	once  sync.Once
	count func() *nameCounts
	v     *nameCounts
	done  atomic.Bool
}

func namesOf(count func() *nameCounts) *lazyNames { return &lazyNames{count: count} }

func (l *lazyNames) get() *nameCounts {
	l.once.Do(func() {
		l.v = l.count()
		l.done.Store(true)
	})
	return l.v
}

// ready is the counts when they are made, nil before.
func (l *lazyNames) ready() *nameCounts {
	if l.done.Load() {
		return l.v
	}
	return nil
}

// namesAhead makes the name counts of a refreshed corpus on a core of its
// own while the index is built: from prev's (the live index's, when they
// are made and its passages are reused: reusing) or, failing that, from
// every article.
func namesAhead(prev *Index, reusing *reuse, articles []*incidentbot.Article) *lazyNames {
	var from *nameCounts
	if prev != nil && reusing != nil {
		from = prev.names.ready()
	}
	ch := make(chan *nameCounts, 1)
	go func() {
		if from != nil {
			ch <- namesFrom(from, prev.articles, articles, reusing.kept)
			return
		}
		ch <- countNames(articles)
	}()
	return namesOf(func() *nameCounts { return <-ch })
}
