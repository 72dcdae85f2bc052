package main

import (
	"context"
	"fmt"
	"io"

	"github.com/incidentbot/incidentbot/answer"
	"github.com/incidentbot/incidentbot/corpus"
	"github.com/incidentbot/incidentbot/eval"
)

// runTrain fits the extractive reader on the training sets and writes the
// model file that is built into the program (answer/reader.json).
func runTrain(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c := newCommand("train", stderr)
	out := c.fs.String("out", "answer/reader.json", "where to write the fitted model")
	outcomes := c.fs.String("outcomes", "", "write each training question's cross-validated outcome to this file, for a later -baseline")
	baseline := c.fs.String("baseline", "", "compare the cross-validated outcomes question by question with the fit that wrote this -outcomes file")
	if err := c.parse(args); err != nil {
		return err
	}
	a, err := c.open(ctx, openOptions{})
	if err != nil {
		return err
	}
	defer a.close()
	// The reader being fitted starts blank: candidates' features do not
	// depend on it.
	o := a.answerOpts
	o.Reader = &answer.Reader{}
	r, err := trainReader(ctx, answer.New(answer.WithProfile(a.store, a.answerer.Profile()), o))
	if err != nil {
		return err
	}
	data, err := r.Encode()
	if err != nil {
		return err
	}
	if err := corpus.WriteFileAtomic(*out, data); err != nil {
		return fmt.Errorf("writing the model: %w", err)
	}
	t := r.Trained
	fmt.Fprintf(stdout, "trained on %v: %d questions, %d candidates (%d right)\n", t.Sets, t.Questions, t.Candidates, t.Positives)
	fmt.Fprintf(stdout, "cross-validated, one set held out at a time: the best candidate is right for %.3f of the answerable questions (some candidate is right for %.3f)\n", t.CVTop1, t.Reachable)
	fmt.Fprintf(stdout, "refusal threshold %.2f (cross-validated: %.3f of answerable answered rightly, %.3f wrongly refused, %.3f of unanswerable refused; answerability AUC %.3f; score %.3f)\n", r.Threshold, t.CVAnswered, t.CVFalseRefused, t.CVRefused, t.CVAUC, t.CVScore)
	fmt.Fprintf(stdout, "language: %d questions in other languages; threshold %.2f (cross-validated: %.3f of them found, %.3f of the English taken for another language)\n", t.OtherLanguage, r.LanguageThreshold, t.CVOtherFound, t.CVEnglishMistaken)
	fmt.Fprintf(stdout, "wrote %s\n", *out)
	if *baseline != "" {
		base, err := readOutcomes(*baseline)
		if err != nil {
			return err
		}
		var pooled eval.Paired
		for _, set := range t.Sets {
			b, ok := base.Sets[set]
			if !ok || t.Outcomes[set] == nil {
				continue
			}
			p, err := eval.ComparePaired(b, t.Outcomes[set])
			if err != nil {
				return fmt.Errorf("set %s: %w", set, err)
			}
			pooled = pooled.Add(p)
		}
		fmt.Fprintf(stdout, "against the baseline, cross-validated decisions question by question: %s\n", pooled)
	}
	if *outcomes != "" {
		return writeOutcomes(*outcomes, outcomeFile{Sets: t.Outcomes})
	}
	return nil
}

// trainReader fits the reader on every training set, about the shipped
// corpus; test sets are never read.
func trainReader(ctx context.Context, a *answer.Answerer) (*answer.Reader, error) {
	sets, err := eval.Training()
	if err != nil {
		return nil, err
	}
	var qs []answer.TrainingQuestion
	var names []string
	for _, s := range sets {
		names = append(names, s.Name)
		for _, q := range s.Questions {
			qs = append(qs, answer.TrainingQuestion{Set: s.Name, ID: q.ID, Question: q.Question, History: q.Context,
				Answerable: !q.Unanswerable, Docs: q.Docs, Right: q.Satisfied})
		}
		for _, q := range s.OtherLanguage {
			qs = append(qs, answer.TrainingQuestion{Set: s.Name, ID: q.ID, Question: q.Question, History: q.Context,
				Answerable: !q.Unanswerable, OtherLanguage: true, Docs: q.Docs, Right: q.Satisfied})
		}
	}
	return a.Train(ctx, names, qs)
}
