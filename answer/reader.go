package answer

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"math"
)

// The learned reader: two logistic regressions fitted on the training
// questions (`incidentbot train`, train.go). The first scores how likely a
// candidate sentence answers the question; the second, over the best
// candidate and the question, how likely the articles answer it at all.
// (Boosted trees for the second were tried: the same cross-validated AUC,
// 0.71, for much more code.)
// The refusal threshold on the second was chosen by cross-validation, not
// set by hand between observed scores.

//go:embed reader.json
var readerJSON []byte

// Logistic is one fitted logistic regression over standardised features.
type Logistic struct {
	Features []string  `json:"features"`
	Mean     []float64 `json:"mean"`
	Std      []float64 `json:"std"`
	Weights  []float64 `json:"weights"`
	Bias     float64   `json:"bias"`
}

// Logit returns the log-odds for features x.
func (l *Logistic) Logit(x []float64) float64 {
	z := l.Bias
	if len(l.Weights) == 0 {
		return z // an unfitted model: the reader being trained
	}
	for i, v := range x {
		z += l.Weights[i] * (v - l.Mean[i]) / l.Std[i]
	}
	return z
}

func sigmoid(z float64) float64 { return 1 / (1 + math.Exp(-z)) }

// Reader is the fitted model the extractive answerer reads with.
type Reader struct {
	Version    int      `json:"version"`
	Sentence   Logistic `json:"sentence"`
	Answerable Logistic `json:"answerable"`
	// Threshold is the answerability probability below which the question
	// is refused, chosen by cross-validation on the training questions.
	Threshold float64 `json:"threshold"`
	// Language tells a message in another language from an English one
	// (language.go); LanguageThreshold is the probability from which it
	// does, chosen by cross-validation.
	Language          Logistic `json:"language"`
	LanguageThreshold float64  `json:"language_threshold"`
	// Trained records what the model was fitted on and its
	// cross-validated figures, for the README and the reproduction test.
	Trained TrainingReport `json:"trained"`
}

// TrainingReport describes a fit.
type TrainingReport struct {
	Sets       []string `json:"sets"`
	Questions  int      `json:"questions"`
	Candidates int      `json:"candidates"`
	Positives  int      `json:"positives"`
	// CV figures (one fold per training set): of the answerable questions, the share whose
	// best candidate was right and which were answered; of the
	// unanswerable, the share refused.
	CVAnswered float64 `json:"cv_answered_right"`
	// CVTop1: of the answerable questions, the share whose best candidate
	// is right.
	CVTop1    float64 `json:"cv_top1_right"`
	CVRefused float64 `json:"cv_refused"`
	// CVFalseRefused: of the answerable questions, the share refused.
	CVFalseRefused float64 `json:"cv_false_refused"`
	// CVScore is the score at the chosen threshold (which maximises its
	// neighbourhood's mean, chooseThreshold): answered rightly minus
	// wrongly refused (shares of the answerable) plus refused (share of
	// the rest). It compares two readers in one figure.
	CVScore float64 `json:"cv_score"`
	// CVAUC: how well the cross-validated answerability ranks answerable
	// questions above unanswerable ones (1 is perfect, 0.5 chance).
	CVAUC float64 `json:"cv_auc"`
	// Reachable: of the answerable questions, the share with any right
	// candidate at all, the ceiling retrieval sets on CVTop1.
	Reachable float64 `json:"reachable"`
	// The language model's cross-validated figures: of the questions in
	// other languages, the share it finds; of the English ones, the share
	// it takes for another language.
	OtherLanguage     int     `json:"other_language"`
	CVOtherFound      float64 `json:"cv_other_found"`
	CVEnglishMistaken float64 `json:"cv_english_mistaken"`
	// Outcomes: for each training set, in its order (questions in other
	// languages left out), whether the cross-validated reader decided each
	// question right at the threshold: answered an answerable one rightly,
	// refused an unanswerable one. For comparing two fits question by
	// question (`train -baseline`); not saved with the model.
	Outcomes map[string][]bool `json:"-"`
}

// DefaultReader is the reader built into the program. It fails only when
// reader.json was fitted for other features than the program computes
// (retrain with `incidentbot train`; a test checks it is current).
func DefaultReader() (*Reader, error) { return ParseReader(readerJSON) }

// ParseReader decodes a reader model and checks its shape.
func ParseReader(data []byte) (*Reader, error) {
	var r Reader
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("reader model: %w", err)
	}
	for _, c := range []struct {
		have, want []string
		n          int // parameters per feature, for the logistic model
	}{{r.Sentence.Features, featureNames[:], len(r.Sentence.Weights)}, {r.Answerable.Features, answerableNames[:], len(r.Answerable.Weights)},
		{r.Language.Features, languageNames[:], len(r.Language.Weights)}} {
		if len(c.have) == 0 {
			continue // unfitted: every candidate scores alike (only while training the first model)
		}
		if len(c.have) != len(c.want) || c.n != len(c.want) {
			return nil, fmt.Errorf("reader model: %d features, the program computes %d %v; retrain with `incidentbot train`", len(c.have), len(c.want), c.want)
		}
		for i, n := range c.want {
			if c.have[i] != n {
				return nil, fmt.Errorf("reader model: feature %d is %q, the program computes %q; retrain with `incidentbot train`", i, c.have[i], n)
			}
		}
	}
	if len(r.Sentence.Features) > 0 && (len(r.Sentence.Mean) != len(featureNames) || len(r.Sentence.Std) != len(featureNames)) {
		return nil, fmt.Errorf("reader model: the sentence model's standardisation does not fit its %d features", len(featureNames))
	}
	return &r, nil
}

// Encode writes the model as indented JSON.
func (r *Reader) Encode() ([]byte, error) {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}
