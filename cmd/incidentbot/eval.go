package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"sort"
	"strings"

	"github.com/incidentbot/incidentbot"
	"github.com/incidentbot/incidentbot/answer"
	"github.com/incidentbot/incidentbot/corpus"
	"github.com/incidentbot/incidentbot/eval"
	"github.com/incidentbot/incidentbot/retrieval"
)

// setResult is what `eval` reports for one question set.
type setResult struct {
	Set       string                 `json:"set"`
	Role      eval.Role              `json:"role"`
	Retrieval []eval.RetrievalScores `json:"retrieval"`
	Answers   *eval.AnswerScores     `json:"answers"`
}

// setNames lists the built-in sets by role, for the -set flag's help.
func setNames() string {
	var train, test []string
	for _, s := range eval.Sets() {
		if s.Role == eval.Train {
			train = append(train, s.Name)
		} else {
			test = append(test, s.Name)
		}
	}
	return strings.Join(train, ", ") + " (training); " + strings.Join(test, ", ") + " (test)"
}

func runEval(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c := newCommand("eval", stderr)
	questions := c.fs.String("questions", "", "one evaluation file, about the corpus in use (default: every built-in set)")
	setName := c.fs.String("set", "", "one built-in set: "+setNames())
	show := c.fs.Bool("show", false, "with one training set, or a -questions file of your own: print each wrong answer (test sets are never shown, nor a -questions file without it: a blind set's first run must not show its misses)")
	tune := c.fs.Bool("tune", false, "search the hybrid weights on the training set instead, and print the best ones")
	outcomes := c.fs.String("outcomes", "", "write whether each question was answered right to this file, for a later -baseline")
	baseline := c.fs.String("baseline", "", "compare question by question with the run that wrote this -outcomes file")
	threshold := c.fs.Float64("threshold", -1, "refuse below this answerability instead of the reader's threshold (0: refuse only what the reader cannot answer at all), to compare two readers' answers at one operating point")
	if err := c.parse(args); err != nil {
		return err
	}
	a, err := c.open(ctx, openOptions{})
	if err != nil {
		return err
	}
	defer a.close()
	if *tune {
		sets, err := eval.Training()
		if err != nil {
			return err
		}
		var qs []eval.Question
		for _, s := range sets {
			qs = append(qs, s.Questions...)
		}
		res, err := eval.TuneRetrieval(ctx, a.store.Index(), a.embedder, qs)
		if err != nil {
			return err
		}
		for _, r := range res {
			if r.Weights == retrieval.DefaultWeights {
				fmt.Fprintf(stdout, "in use: hit@1 %.3f recall@5 %.3f  %+v\n", r.HitAt1, r.RecallAt5, r.Weights)
			}
		}
		for _, r := range res[:min(10, len(res))] {
			fmt.Fprintf(stdout, "hit@1 %.3f recall@5 %.3f  %+v\n", r.HitAt1, r.RecallAt5, r.Weights)
		}
		return nil
	}
	if *questions != "" {
		qs, err := eval.Load(*questions)
		if err != nil {
			return err
		}
		if *threshold >= 0 {
			if err := withThreshold(a, *threshold); err != nil {
				return err
			}
		}
		// A file of questions is taken for a blind set, run to report,
		// unless the maintainer asks to see its misses.
		role := eval.Test
		if *show {
			role = ""
		}
		r, err := evalSet(ctx, a, *questions, role, qs)
		if err != nil {
			return err
		}
		return finishEval(stdout, c.flags.json, []*setResult{r}, true, *show, *outcomes, *baseline)
	}
	sets := eval.Sets()
	if *setName != "" {
		s, err := eval.FindSet(*setName)
		if err != nil {
			return err
		}
		sets = []eval.Set{s}
	}
	var results []*setResult
	for _, s := range sets {
		qs, err := s.Questions()
		if err != nil {
			return err
		}
		on, closeSet, err := openSetCorpus(ctx, c, a, s)
		if err != nil {
			return err
		}
		defer closeSet()
		if *threshold >= 0 {
			if err := withThreshold(on, *threshold); err != nil {
				return err
			}
		}
		r, err := evalSet(ctx, on, s.Name, s.Role, qs)
		if err != nil {
			return err
		}
		results = append(results, r)
	}
	return finishEval(stdout, c.flags.json, results, len(results) == 1, *show, *outcomes, *baseline)
}

// finishEval prints the results, compares them with a baseline run's
// outcomes and saves this run's, in that order, so that a run can be
// compared with the file it is about to replace.
func finishEval(w io.Writer, asJSON bool, results []*setResult, detail, show bool, outcomesFile, baselineFile string) error {
	if err := printEval(w, asJSON, results, detail, show); err != nil {
		return err
	}
	now := outcomeFile{Sets: map[string][]bool{}}
	for _, r := range results {
		now.Sets[r.Set] = r.Answers.Outcomes
	}
	if baselineFile != "" {
		base, err := readOutcomes(baselineFile)
		if err != nil {
			return err
		}
		if err := printPaired(w, results, base.Sets); err != nil {
			return err
		}
	}
	if outcomesFile != "" {
		return writeOutcomes(outcomesFile, now)
	}
	return nil
}

// printPaired prints, set by set and pooled by role, how many questions
// this run gets right that the baseline got wrong and the reverse: only
// counts, so a test set's misses stay unread.
func printPaired(w io.Writer, results []*setResult, base map[string][]bool) error {
	fmt.Fprintln(w, "\nAgainst the baseline, question by question:")
	pooled := map[eval.Role]eval.Paired{}
	for _, r := range results {
		b, ok := base[r.Set]
		if !ok {
			fmt.Fprintf(w, "  %-14s not in the baseline\n", r.Set)
			continue
		}
		p, err := eval.ComparePaired(b, r.Answers.Outcomes)
		if err != nil {
			return fmt.Errorf("set %s: %w", r.Set, err)
		}
		fmt.Fprintf(w, "  %-14s %s\n", r.Set, p)
		pooled[r.Role] = pooled[r.Role].Add(p)
	}
	for _, role := range []eval.Role{eval.Train, eval.Test} {
		if p, ok := pooled[role]; ok {
			fmt.Fprintf(w, "  all %-10s %s\n", role, p)
		}
	}
	return nil
}

// withThreshold makes a's answerer refuse below threshold t instead of its
// reader's own (the built-in one unless a's options name another).
func withThreshold(a *app, t float64) error {
	r := a.answerOpts.Reader
	if r == nil {
		var err error
		if r, err = answer.DefaultReader(); err != nil {
			return err
		}
	}
	with := *r
	with.Threshold = t
	o := a.answerOpts
	o.Reader = &with
	a.answerer = answer.New(answer.WithProfile(a.store, a.answerer.Profile()), o)
	return nil
}

// openSetCorpus returns the app a set's questions are asked of: a, for a
// set about the shipped corpus, or one opened on the set's own corpus,
// indexed in a folder of its own so the shipped index is left as it is;
// closing it removes that folder.
func openSetCorpus(ctx context.Context, c *command, a *app, s eval.Set) (*app, func(), error) {
	fsys := s.Corpus()
	if fsys == nil {
		return a, func() {}, nil
	}
	dir, err := os.MkdirTemp("", "incidentbot-eval-")
	if err != nil {
		return nil, nil, err
	}
	cfg := c.cfg
	cfg.Data = dir
	name := s.CorpusName()
	data, err := fs.ReadFile(fsys, corpus.ProfileFile)
	if err != nil {
		os.RemoveAll(dir)
		return nil, nil, fmt.Errorf("set %s: %w", s.Name, err)
	}
	p, err := corpus.ParseProfile(name+"/"+corpus.ProfileFile, data)
	if err != nil {
		os.RemoveAll(dir)
		return nil, nil, err
	}
	on, err := openAppWith(ctx, cfg, c.log, openOptions{}, func() ([]*incidentbot.Article, error) {
		sub, err := fsSub(fsys, "articles")
		if err != nil {
			return nil, err
		}
		return corpus.Load(sub, name+"/articles")
	}, p)
	if err != nil {
		os.RemoveAll(dir)
		return nil, nil, fmt.Errorf("set %s: %w", s.Name, err)
	}
	return on, func() { on.close(); os.RemoveAll(dir) }, nil
}

func evalSet(ctx context.Context, a *app, name string, role eval.Role, qs []eval.Question) (*setResult, error) {
	ix := a.store.Index()
	ret, err := eval.Retrieval(ctx, ix, a.embedder, qs, retrieval.BM25Only, retrieval.VectorOnly, retrieval.RRF, retrieval.Hybrid)
	if err != nil {
		return nil, fmt.Errorf("set %s: %w", name, err)
	}
	articles := map[string]*incidentbot.Article{}
	for _, art := range ix.Articles() {
		articles[art.ID] = art
	}
	ask := func(ctx context.Context, q eval.Question) (*incidentbot.Answer, error) {
		return q.AskInThread(ctx, func(ctx context.Context, question string, history []incidentbot.Turn) (*incidentbot.Answer, error) {
			return a.answerer.Ask(ctx, answer.Request{Question: question, History: history})
		})
	}
	ans, err := eval.Answers(ctx, ask, articles, qs)
	if err != nil {
		return nil, fmt.Errorf("set %s: %w", name, err)
	}
	if role == eval.Test {
		// A test set is run to report: its misses are not for reading, or
		// it would become a training set. Neither the text nor the ids of
		// the questions it gets wrong (or finds no passage for) leave here.
		ans.Wrong, ans.Failures = nil, nil
		for i := range ret {
			ret[i].Misses = nil
		}
	}
	return &setResult{Set: name, Role: role, Retrieval: ret, Answers: ans}, nil
}

func printEval(w io.Writer, asJSON bool, results []*setResult, detail, show bool) error {
	if asJSON {
		enc := json.NewEncoder(w)
		for _, r := range results {
			if err := enc.Encode(r); err != nil {
				return err
			}
		}
		return nil
	}
	fmt.Fprintf(w, "%-14s %-5s %9s %8s %9s %9s %10s %8s %9s %13s\n", "set", "role", "accuracy", "support", "false ref", "refused", "near miss", "recall@5", "hit@1", "accuracy 95%")
	for _, r := range results {
		h, s := r.Retrieval[len(r.Retrieval)-1], r.Answers
		// The interval says how far the accuracy of this many questions
		// can move by chance alone.
		lo, hi := eval.Wilson(int(s.Accuracy*float64(s.Answerable)+0.5), s.Answerable)
		fmt.Fprintf(w, "%-14s %-5s %9.3f %8.3f %4d of %-3d %3d of %-3d %4d of %-3d %8.3f %9.3f   %.3f–%.3f\n", r.Set, r.Role, s.Accuracy, s.CitationSupport,
			s.FalseRefusals, s.Answerable, int(s.RefusalAccuracy*float64(s.Unanswerable)+0.5), s.Unanswerable,
			s.NearMissRefused, s.NearMisses, h.RecallAt5, h.HitAt1, lo, hi)
	}
	fmt.Fprintln(w, "\nRight answers by kind of question:")
	for _, r := range results {
		var styles []string
		for st := range r.Answers.ByStyle {
			styles = append(styles, st)
		}
		sort.Slice(styles, func(i, j int) bool {
			a, b := slices.Index(eval.Styles, styles[i]), slices.Index(eval.Styles, styles[j])
			return a < b || a == b && styles[i] < styles[j]
		})
		fmt.Fprintf(w, "  %-14s", r.Set)
		for _, st := range styles {
			x := r.Answers.ByStyle[st]
			fmt.Fprintf(w, " %s %d/%d", st, x.Right, x.Questions)
		}
		fmt.Fprintln(w)
	}
	if !detail {
		return nil
	}
	for _, r := range results {
		fmt.Fprintf(w, "\n%s — retrieval (%d answerable questions; an answer passage is from a right article and holds the answer):\n", r.Set, r.Retrieval[0].Questions)
		fmt.Fprintf(w, "  %-8s %9s %7s %7s\n", "method", "recall@5", "hit@1", "MRR")
		for _, x := range r.Retrieval {
			fmt.Fprintf(w, "  %-8s %9.3f %7.3f %7.3f\n", x.Method, x.RecallAt5, x.HitAt1, x.MRR)
		}
		s := r.Answers
		if r.Role != eval.Test {
			fmt.Fprintf(w, "  hybrid misses (not in top 5): %v\n", r.Retrieval[len(r.Retrieval)-1].Misses)
		}
		fmt.Fprintf(w, "  answers (%s mode): accuracy %.3f, support %.3f, verbatim %.3f, refusals %.3f of %d, false refusals %d\n",
			s.Mode, s.Accuracy, s.CitationSupport, s.Verbatim, s.RefusalAccuracy, s.Unanswerable, s.FalseRefusals)
		fmt.Fprintf(w, "  words median %d, max %d; latency p50 %.1f ms, p99 %.1f ms\n", s.MedianWords, s.MaxWords, s.P50MS, s.P99MS)
		if r.Role != eval.Test {
			fmt.Fprintf(w, "  wrong: %v\n", s.Failures)
			if show {
				for _, m := range s.Wrong {
					fmt.Fprintf(w, "    %s %q\n      → %s\n", m.ID, m.Question, m.Answer)
				}
			}
		}
	}
	return nil
}

func fsSub(fsys fs.FS, dir string) (fs.FS, error) { return fs.Sub(fsys, dir) }
