package eval

import (
	"fmt"
	"math"
)

// Paired compares two runs over the same questions, question by question:
// how many one run gets right that the other gets wrong. On sets of a few
// hundred questions a change of two or three points in accuracy is within
// what chance moves; the count of questions that changed, and the sign
// test on them, say whether a change is more than that.
type Paired struct {
	Better, Worse, Same int
	// P is the two-sided exact sign test (McNemar's exact test) of
	// Better against Worse: the chance of a split at least this uneven if
	// the change made no difference.
	P float64
}

// ComparePaired compares now against base, two runs' outcomes (right or
// not) of the same questions in the same order.
func ComparePaired(base, now []bool) (Paired, error) {
	if len(base) != len(now) {
		return Paired{}, fmt.Errorf("the runs have %d and %d questions: not the same questions", len(base), len(now))
	}
	var p Paired
	for i := range now {
		switch {
		case now[i] && !base[i]:
			p.Better++
		case !now[i] && base[i]:
			p.Worse++
		default:
			p.Same++
		}
	}
	p.P = signTest(p.Better, p.Worse)
	return p, nil
}

// Add pools two comparisons (of different sets); the sign test is redone
// on the pooled counts.
func (p Paired) Add(o Paired) Paired {
	s := Paired{Better: p.Better + o.Better, Worse: p.Worse + o.Worse, Same: p.Same + o.Same}
	s.P = signTest(s.Better, s.Worse)
	return s
}

func (p Paired) String() string {
	return fmt.Sprintf("%d better, %d worse, %d the same (sign test p = %.3f)", p.Better, p.Worse, p.Same, p.P)
}

// signTest is the two-sided exact binomial test of a against b with
// probability one half: twice the smaller tail, at most 1.
func signTest(a, b int) float64 {
	n := a + b
	if n == 0 {
		return 1
	}
	k := min(a, b)
	// P(X <= k) for X ~ Binomial(n, 1/2), summed in logs so that large n
	// does not overflow.
	var tail float64
	for i := 0; i <= k; i++ {
		lg := lgamma(n+1) - lgamma(i+1) - lgamma(n-i+1) - float64(n)*math.Ln2
		tail += math.Exp(lg)
	}
	return math.Min(1, 2*tail)
}

func lgamma(n int) float64 {
	v, _ := math.Lgamma(float64(n))
	return v
}

// Wilson is the 95% Wilson score interval of k successes in n trials: the
// range an accuracy measured on n questions is compatible with.
func Wilson(k, n int) (lo, hi float64) {
	if n == 0 {
		return 0, 1
	}
	const z = 1.959964
	p, fn := float64(k)/float64(n), float64(n)
	d := 1 + z*z/fn
	c := p + z*z/(2*fn)
	r := z * math.Sqrt(p*(1-p)/fn+z*z/(4*fn*fn))
	return math.Max(0, (c-r)/d), math.Min(1, (c+r)/d)
}
