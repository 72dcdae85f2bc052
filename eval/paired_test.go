package eval

import (
	"math"
	"testing"
)

func TestComparePairedCountsChangedQuestionsAndTestsThem(t *testing.T) {
	base := []bool{true, true, false, false, true, false}
	now := []bool{true, false, true, true, true, true}
	p, err := ComparePaired(base, now)
	if err != nil {
		t.Fatal(err)
	}
	if p.Better != 3 || p.Worse != 1 || p.Same != 2 {
		t.Fatalf("got %+v, want 3 better, 1 worse, 2 the same", p)
	}
	// 3 against 1 of 4: P(X<=1) = 5/16, two-sided 10/16.
	if math.Abs(p.P-0.625) > 1e-9 {
		t.Fatalf("sign test p = %v, want 0.625", p.P)
	}
	if _, err := ComparePaired(base, now[:5]); err == nil {
		t.Fatal("runs of different lengths compared without an error")
	}
}

func TestSignTestIsSmallOnlyForUnevenSplits(t *testing.T) {
	// 30 better against 10 worse is well beyond chance (p ≈ 0.0022); 12
	// against 10 is not.
	if p := signTest(30, 10); p > 0.005 || p < 0.001 {
		t.Fatalf("30 vs 10: p = %v", p)
	}
	if p := signTest(12, 10); p < 0.5 {
		t.Fatalf("12 vs 10: p = %v", p)
	}
	if p := signTest(0, 0); p != 1 {
		t.Fatalf("no change: p = %v", p)
	}
	// Pooling redoes the test on the sums.
	a, b := Paired{Better: 15, Worse: 5}, Paired{Better: 15, Worse: 5}
	if s := a.Add(b); s.Better != 30 || s.Worse != 10 || math.Abs(s.P-signTest(30, 10)) > 1e-12 {
		t.Fatalf("pooled %+v", s)
	}
}

func TestWilsonIntervalHoldsTheRateAndNarrowsWithMoreQuestions(t *testing.T) {
	lo, hi := Wilson(60, 100)
	if !(lo < 0.6 && 0.6 < hi) || math.Abs(lo-0.502) > 0.002 || math.Abs(hi-0.691) > 0.002 {
		t.Fatalf("60 of 100: [%.3f, %.3f], want about [0.502, 0.691]", lo, hi)
	}
	lo2, hi2 := Wilson(600, 1000)
	if hi2-lo2 >= hi-lo {
		t.Fatalf("ten times the questions did not narrow the interval: %v vs %v", hi2-lo2, hi-lo)
	}
	if lo, hi := Wilson(0, 10); lo != 0 || hi <= 0 {
		t.Fatalf("0 of 10: [%v, %v]", lo, hi)
	}
}
