package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/incidentbot/incidentbot/corpus"
)

// outcomeFile is what `eval -outcomes` and `train -outcomes` write and
// `-baseline` reads: for each set, whether each of its questions, in the
// set's order, was answered right. It holds no question text; the
// comparison prints only counts.
type outcomeFile struct {
	Sets map[string][]bool `json:"sets"`
}

func readOutcomes(path string) (outcomeFile, error) {
	var f outcomeFile
	data, err := os.ReadFile(path)
	if err != nil {
		return f, fmt.Errorf("reading the baseline: %w", err)
	}
	if err := json.Unmarshal(data, &f); err != nil {
		return f, fmt.Errorf("the baseline %s: %w", path, err)
	}
	return f, nil
}

func writeOutcomes(path string, f outcomeFile) error {
	data, err := json.Marshal(f)
	if err != nil {
		return err
	}
	if err := corpus.WriteFileAtomic(path, append(data, '\n')); err != nil {
		return fmt.Errorf("writing the outcomes: %w", err)
	}
	return nil
}
