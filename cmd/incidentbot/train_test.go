package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/incidentbot/incidentbot/answer"
)

// `incidentbot train` reproduces the reader built into the program: the
// model that ships is the one the training sets fit, not one edited by
// hand, and a change to the features or the training sets that is not
// followed by retraining fails here.
func TestTrainingReproducesTheBuiltInReader(t *testing.T) {
	if testing.Short() {
		t.Skip("trains the reader (several seconds)")
	}
	out := filepath.Join(t.TempDir(), "reader.json")
	outcomes := filepath.Join(t.TempDir(), "outcomes.json")
	if _, _, err := runCmd(t, sharedData, "", "train", "--out", out, "--outcomes", outcomes); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	got, err := answer.ParseReader(data)
	if err != nil {
		t.Fatal(err)
	}
	want, err := answer.DefaultReader()
	if err != nil {
		t.Fatalf("the built-in reader does not load: %v", err)
	}
	if got.Threshold != want.Threshold {
		t.Errorf("threshold: trained %.2f, built in %.2f", got.Threshold, want.Threshold)
	}
	if got.LanguageThreshold != want.LanguageThreshold {
		t.Errorf("language threshold: trained %.2f, built in %.2f", got.LanguageThreshold, want.LanguageThreshold)
	}
	for _, m := range []struct {
		name      string
		got, want answer.Logistic
	}{{"sentence", got.Sentence, want.Sentence}, {"answerable", got.Answerable, want.Answerable}, {"language", got.Language, want.Language}} {
		if len(m.got.Weights) != len(m.want.Weights) {
			t.Fatalf("%s: %d weights trained, %d built in", m.name, len(m.got.Weights), len(m.want.Weights))
		}
		for i := range m.got.Weights {
			if d := m.got.Weights[i] - m.want.Weights[i]; d > 1e-6 || d < -1e-6 {
				t.Errorf("%s weight %s: trained %.6f, built in %.6f: run `incidentbot train` and commit answer/reader.json",
					m.name, m.got.Features[i], m.got.Weights[i], m.want.Weights[i])
			}
		}
	}
	if got.Trained.Questions == 0 || got.Trained.Positives == 0 {
		t.Errorf("trained on nothing: %+v", got.Trained)
	}
	// The cross-validated outcomes, for `train -baseline`: one per English
	// training question, of every set.
	f, err := readOutcomes(outcomes)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, set := range got.Trained.Sets {
		n += len(f.Sets[set])
	}
	if want := got.Trained.Questions - got.Trained.OtherLanguage; n != want {
		t.Errorf("%d cross-validated outcomes saved, want one per English training question (%d)", n, want)
	}
}
