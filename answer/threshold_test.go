package answer

import "testing"

// The refusal threshold is the centre of the best stretch of the
// cross-validated curve, not a lone spike on it: a spike moves with noise.
func TestChooseThresholdPrefersAPlateauToASpike(t *testing.T) {
	var curve []thresholdPoint
	for i := 0; i < 60; i++ {
		curve = append(curve, thresholdPoint{t: float64(i) / 100, score: 0.80})
	}
	for i := 20; i <= 30; i++ { // a broad plateau around 0.25
		curve[i].score = 0.93
	}
	curve[45].score = 0.95 // a lone spike, higher than the plateau
	if got := chooseThreshold(curve); got < 21 || got > 29 {
		t.Fatalf("chose %.2f, want inside the plateau 0.21–0.29, not the spike at 0.45", curve[got].t)
	}
	// With no plateau, the best point is its own best neighbourhood.
	flat := []thresholdPoint{{t: 0.1, score: 0.5}, {t: 0.2, score: 0.9}, {t: 0.3, score: 0.5}}
	if got := chooseThreshold(flat); got != 1 {
		t.Fatalf("chose %.2f of a single peak, want 0.20", flat[got].t)
	}
}
