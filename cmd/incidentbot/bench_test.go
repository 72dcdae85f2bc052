package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/incidentbot/incidentbot/eval"
)

// `bench --measure-serving DIR`, what the serving figure's own process
// runs: it serves the index persisted in DIR, as it is, and prints its
// figures as one JSON object. (The figures themselves are the benchmark's
// to report, not a test's to hold to a threshold.)
func TestBenchMeasuresAServingProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("answers every evaluation question twice")
	}
	if _, _, err := runCmd(t, sharedData, "", "index"); err != nil {
		t.Fatal(err)
	}
	var out, errOut strings.Builder
	if err := run(context.Background(), []string{"bench", "--measure-serving", sharedData}, strings.NewReader(""), &out, &errOut); err != nil {
		t.Fatalf("%v\n%s", err, errOut.String())
	}
	var got struct {
		ColdStart float64 `json:"cold_start_seconds"`
		Query     struct {
			N int `json:"n"`
		} `json:"query"`
		Ask struct {
			N     int     `json:"n"`
			P50MS float64 `json:"p50_ms"`
		} `json:"ask"`
		PeakRSSMB float64 `json:"peak_rss_mb"`
	}
	if err := json.Unmarshal([]byte(out.String()), &got); err != nil {
		t.Fatalf("not one JSON object: %v\n%s", err, out.String())
	}
	qs, err := eval.Default()
	if err != nil {
		t.Fatal(err)
	}
	if got.ColdStart <= 0 || got.Query.N != len(qs) || got.Ask.N != len(qs) || got.Ask.P50MS <= 0 || got.PeakRSSMB <= 0 {
		t.Errorf("figures missing: %s", out.String())
	}
}
