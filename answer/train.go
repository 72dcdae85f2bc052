package answer

import (
	"context"
	"fmt"
	"math"
	"slices"
)

// TrainingQuestion is one question of a training set with what a right
// answer holds.
type TrainingQuestion struct {
	Set, ID    string
	Question   string
	History    []string
	Answerable bool
	// OtherLanguage: the question is in another language; the reader is
	// not fitted on it, the language model is.
	OtherLanguage bool
	Docs          []string
	// Right reports whether text (a candidate's sentences) holds the
	// answer.
	Right func(text string) bool
}

// example is one question's candidates, featurised, with their labels.
type example struct {
	cands      [][nFeatures]float64
	labels     []bool
	answerable bool
	// qf holds the question's own answerability features (unseen share,
	// unknown name, kind wanted); the rest come from the best candidate.
	qf  [nAnswerable]float64
	set string // the training set it came from: a fold of the cross-validation
}

// Train fits the reader on qs: the sentence model on every candidate of
// the answerable questions, the answerability model on every question,
// and the refusal threshold by cross-validation, one training set held out at a time. It is
// deterministic: the same questions and index give the same model.
func (a *Answerer) Train(ctx context.Context, sets []string, qs []TrainingQuestion) (*Reader, error) {
	var exs []example
	r := &Reader{Version: 1}
	positives, total := 0, 0
	for _, q := range qs {
		if q.OtherLanguage {
			continue
		}
		qa, cands, _, err := a.candidatesFor(ctx, q.Question, turns(q.History))
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w", q.Set, q.ID, err)
		}
		ex := example{answerable: q.Answerable, qf: questionFeatures(&qa), set: q.Set}

		for _, c := range cands {
			ex.cands = append(ex.cands, c.f)
			right := q.Answerable && slices.Contains(q.Docs, c.hit.Article.ID) && q.Right(c.text)

			ex.labels = append(ex.labels, right)
			if right {
				positives++
			}
		}
		total += len(cands)
		if slices.Contains(ex.labels, true) {
			r.Trained.Reachable++
		}
		exs = append(exs, ex)
	}
	r.Sentence, r.Answerable = fitBoth(exs)
	// The threshold: cross-validated answerability of each question,
	// then the cut that best balances answering the answerable ones
	// rightly against refusing the rest.
	type scored struct {
		p          float64
		answerable bool
		right      bool // the best candidate is right
		set        string
	}
	var cv []scored
	for _, fold := range folds(exs) {
		var train, test []example
		for _, ex := range exs {
			if ex.set == fold {
				test = append(test, ex)
			} else {
				train = append(train, ex)
			}
		}
		s, an := fitBoth(train)
		for _, ex := range test {
			best, right := bestOf(&s, ex)
			cv = append(cv, scored{p: sigmoid(an.Logit(answerableRow(ex, &s, best))), answerable: ex.answerable, right: right, set: ex.set})
			if ex.answerable && right {
				r.Trained.CVTop1++
			}
		}
	}
	var nAns, nUn float64
	for _, x := range cv {
		if x.answerable {
			nAns++
		} else {
			nUn++
		}
	}
	// The cross-validated figures of each threshold on a grid of 0.01.
	var curve []thresholdPoint
	for i := 5; i <= 95; i++ {
		t := float64(i) / 100
		var answered, refused, falseRefused float64
		for _, x := range cv {
			switch {
			case x.answerable && x.p >= t && x.right:
				answered++
			case x.answerable && x.p < t:
				falseRefused++
			case !x.answerable && x.p < t:
				refused++
			}
		}
		// Refusing an answerable question costs as much as refusing an
		// unanswerable one gains, even when the answer would have been
		// wrong: "the articles don't say" is then untrue.
		score := (answered-falseRefused)/max(nAns, 1) + refused/max(nUn, 1)
		curve = append(curve, thresholdPoint{t, score, answered / max(nAns, 1), refused / max(nUn, 1), falseRefused / max(nAns, 1)})
	}
	p := curve[chooseThreshold(curve)]
	bestT := p.t
	r.Trained.CVAnswered, r.Trained.CVRefused = p.answered, p.refused
	r.Trained.CVFalseRefused, r.Trained.CVScore = p.falseRefused, p.score
	r.Threshold = math.Round(bestT*100) / 100
	r.Trained.Outcomes = map[string][]bool{}
	for _, x := range cv {
		ok := x.answerable && x.p >= bestT && x.right || !x.answerable && x.p < bestT
		r.Trained.Outcomes[x.set] = append(r.Trained.Outcomes[x.set], ok)
	}
	// AUC of the cross-validated answerability: how well it ranks the
	// answerable questions above the others.
	var pairs, above float64
	for _, x := range cv {
		for _, y := range cv {
			if x.answerable && !y.answerable {
				pairs++
				switch {
				case x.p > y.p:
					above++
				case x.p == y.p:
					above += 0.5
				}
			}
		}
	}
	r.Trained.CVAUC = above / max(pairs, 1)
	r.Trained.CVTop1 /= max(nAns, 1)
	r.Trained.Reachable /= max(nAns, 1)
	r.Trained.Sets, r.Trained.Questions, r.Trained.Candidates, r.Trained.Positives = sets, len(qs), total, positives
	a.trainLanguage(r, qs)
	return r, nil
}

// thresholdPoint is a refusal threshold's cross-validated figures.
type thresholdPoint struct {
	t, score, answered, refused, falseRefused float64
}

// chooseThreshold returns the index of the threshold whose neighbourhood
// (thresholdWindow grid steps either side) scores best on average, not the
// single best point: the curve is flat near its top, and its highest
// point moved by up to a tenth with changes to the reader that moved the
// figures by noise, which made two readers' figures incomparable.
func chooseThreshold(curve []thresholdPoint) int {
	best, bestMean := 0, math.Inf(-1)
	for i := range curve {
		var sum float64
		n := 0
		for j := max(0, i-thresholdWindow); j <= min(len(curve)-1, i+thresholdWindow); j++ {
			sum += curve[j].score
			n++
		}
		// Of equal neighbourhoods (near the grid's ends they overlap), the
		// better point.
		if mean := sum / float64(n); mean > bestMean+1e-12 || mean > bestMean-1e-12 && curve[i].score > curve[best].score {
			best, bestMean = i, mean
		}
	}
	return best
}

// thresholdWindow is how many grid steps (of 0.01) either side of a
// threshold its neighbourhood spans when the refusal threshold is chosen.
const thresholdWindow = 4

// languageFolds is the language model's number of cross-validation
// folds. Its questions are held out every languageFolds-th, not by set:
// the questions in other languages come from only two sets, written to
// train it.
const languageFolds = 5

// trainLanguage fits r's language model on every question, English or
// not, and its threshold by cross-validation: the one that decides the
// most questions rightly, counting an English question taken for another
// language (which then goes unanswered) as one wrong decision and a
// foreign one read as English as another.
func (a *Answerer) trainLanguage(r *Reader, qs []TrainingQuestion) {
	var xs [][]float64
	var ys []bool
	short := 0 // other-language questions too short to tell: never found
	for _, q := range qs {
		x, ok := a.languageFeatures(q.Question)
		if !ok {
			if q.OtherLanguage {
				short++
			}
			continue
		}
		xs = append(xs, x)
		ys = append(ys, q.OtherLanguage)
	}
	r.Language = fitLogistic(languageNames[:], xs, ys)
	p := make([]float64, len(xs))
	for k := 0; k < languageFolds; k++ {
		var tx [][]float64
		var ty []bool
		for i := range xs {
			if i%languageFolds != k {
				tx, ty = append(tx, xs[i]), append(ty, ys[i])
			}
		}
		m := fitLogistic(languageNames[:], tx, ty)
		for i := k; i < len(xs); i += languageFolds {
			p[i] = sigmoid(m.Logit(xs[i]))
		}
	}
	var nOther, nEnglish float64
	for _, y := range ys {
		if y {
			nOther++
		} else {
			nEnglish++
		}
	}
	best := -1
	// From the highest threshold down, so that of equally good ones the
	// one that takes the fewest English questions for foreign wins.
	for t := 0.95; t >= 0.049; t -= 0.01 {
		var found, mistaken int
		for i, y := range ys {
			if p[i] >= t {
				if y {
					found++
				} else {
					mistaken++
				}
			}
		}
		if right := found + int(nEnglish) - mistaken; right > best {
			best = right
			r.LanguageThreshold = math.Round(t*100) / 100
			r.Trained.CVOtherFound = float64(found) / max(nOther+float64(short), 1)
			r.Trained.CVEnglishMistaken = float64(mistaken) / max(nEnglish, 1)
		}
	}
	r.Trained.OtherLanguage = int(nOther) + short
}

// folds are the cross-validation's folds: one per training set. Each set
// is its own writer's, and some pair every answerable question with a near
// miss made of the same words, so questions of one set are held out
// together: the figures and the threshold are then those of questions by
// a writer the reader has not seen, as a test set's are.
func folds(exs []example) []string {
	var out []string
	for _, ex := range exs {
		if !slices.Contains(out, ex.set) {
			out = append(out, ex.set)
		}
	}
	return out
}

// bestOf returns the index of the candidate the sentence model s ranks
// first, and whether it is right.
func bestOf(s *Logistic, ex example) (int, bool) {
	best, bz := -1, math.Inf(-1)
	for i, f := range ex.cands {
		if z := s.Logit(f[:]); z > bz {
			best, bz = i, z
		}
	}
	return best, best >= 0 && ex.labels[best]
}

// answerableRow is the answerability features of ex when s has picked best.
func answerableRow(ex example, s *Logistic, best int) []float64 {
	if best < 0 {
		return ex.qf[:]
	}
	second := math.Inf(-1)
	for i, g := range ex.cands {
		if i != best {
			second = max(second, s.Logit(g[:]))
		}
	}
	return withBest(ex.qf, &ex.cands[best], s.Logit(ex.cands[best][:]), second)
}

// fitBoth fits the sentence model (pointwise: is this candidate right?
// which also ranked better than a listwise softmax, and gives log-odds
// comparable across questions), then the answerability model on the
// sentence model's picks.
func fitBoth(exs []example) (Logistic, Logistic) {
	var xs [][]float64
	var ys []bool
	for _, ex := range exs {
		// Every candidate of every question: those of a question the
		// articles do not answer are all wrong, which teaches the model
		// what a near miss's best match looks like.
		for i, f := range ex.cands {
			xs = append(xs, f[:])
			ys = append(ys, ex.labels[i])
		}
	}
	s := fitLogistic(featureNames[:], xs, ys)
	var as [][]float64
	var ay []bool
	for _, ex := range exs {
		best, right := bestOf(&s, ex)
		if ex.answerable && !right {
			// Whether to answer depends on the best candidate: one whose
			// best is wrong says nothing either way about answerability.
			continue
		}
		as = append(as, answerableRow(ex, &s, best))
		ay = append(ay, ex.answerable)
	}
	return s, fitLogistic(answerableNames[:], as, ay)
}

// standardiser returns an unfitted model whose means and deviations are
// those of xs.
func standardiser(names []string, xs [][]float64) Logistic {
	d := len(names)
	l := Logistic{Features: names, Mean: make([]float64, d), Std: make([]float64, d), Weights: make([]float64, d)}
	n := float64(len(xs))
	for _, x := range xs {
		for i, v := range x {
			l.Mean[i] += v / n
		}
	}
	for _, x := range xs {
		for i, v := range x {
			l.Std[i] += (v - l.Mean[i]) * (v - l.Mean[i]) / n
		}
	}
	for i := range l.Std {
		l.Std[i] = math.Sqrt(l.Std[i])
		if l.Std[i] < 1e-9 {
			l.Std[i] = 1
		}
	}
	return l
}

func (l *Logistic) standardise(x []float64) []float64 {
	z := make([]float64, len(x))
	for i, v := range x {
		z[i] = (v - l.Mean[i]) / l.Std[i]
	}
	return z
}

// fitLogistic fits a class-balanced, L2-regularised logistic regression
// by full-batch gradient descent: few features and a few thousand rows,
// so plain gradient descent converges and is exactly reproducible.
func fitLogistic(names []string, xs [][]float64, ys []bool) Logistic {
	d := len(names)
	n := float64(len(xs))
	l := standardiser(names, xs)
	if n == 0 {
		return l
	}
	var pos float64
	for _, y := range ys {
		if y {
			pos++
		}
	}
	// Class weights: each class counts as half of the data.
	wPos, wNeg := n/(2*max(pos, 1)), n/(2*max(n-pos, 1))
	const (
		rate   = 0.5
		l2     = 1e-3
		rounds = 3000
	)
	z := make([][]float64, len(xs))
	for k, x := range xs {
		z[k] = l.standardise(x)
	}
	grad := make([]float64, d)
	for round := 0; round < rounds; round++ {
		clear(grad)
		var gb float64
		for k, x := range z {
			s := l.Bias
			for i, v := range x {
				s += l.Weights[i] * v
			}
			p := sigmoid(s)
			y, w := 0.0, wNeg
			if ys[k] {
				y, w = 1, wPos
			}
			e := w * (p - y) / n
			for i, v := range x {
				grad[i] += e * v
			}
			gb += e
		}
		for i := range l.Weights {
			l.Weights[i] -= rate * (grad[i] + l2*l.Weights[i])
		}
		l.Bias -= rate * gb
	}
	return l
}
