package answer

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/incidentbot/incidentbot"
	"github.com/incidentbot/incidentbot/prompts"
	"github.com/incidentbot/incidentbot/retrieval"
)

const (
	// maxHistory is how many earlier turns go into the prompt.
	maxHistory = 3
	// maxClosest is how many passages a refusal offers as closest sources.
	maxClosest = 3
	// rescueCoverage and rescueCosine: a sentence that failed the term check
	// only on words (no number missing), with at least rescueCoverage of
	// its key terms in the cited passages, still passes if the sentence
	// encoder finds a sentence of a cited passage at least rescueCosine
	// close to it: a paraphrase.
	rescueCoverage = 0.4
	rescueCosine   = 0.85
)

// llmAnswer asks the language model to answer from the retrieved passages
// and verifies its citations. An error means the model could not be used;
// Ask then falls back to the extractive answer.
func (a *Answerer) llmAnswer(ctx context.Context, req Request, q string, resp *retrieval.Response) (*incidentbot.Answer, error) {
	hits := resp.Hits
	if len(hits) == 0 {
		return nil, errors.New("no passages to answer from")
	}
	passages, checks := promptPassages(hits)
	history := req.History
	if len(history) > maxHistory {
		history = history[len(history)-maxHistory:]
	}
	msgs, err := prompts.Answer(a.Profile().Subject(), q, passages, history)
	if err != nil {
		return nil, err
	}

	var onDelta func(string)
	if req.OnPartial != nil {
		onDelta = partials(req.OnPartial, checks)
	}
	text, err := a.opts.LLM.Chat(ctx, msgs, onDelta)
	if err != nil {
		return nil, fmt.Errorf("language model: %w", err)
	}
	if strings.TrimSpace(text) == "" {
		return nil, errors.New("language model: empty reply")
	}

	return a.verified(ctx, q, text, hits, checks), nil
}

// verified checks model-written text against the passages it was given and
// builds the answer the user sees: only supported sentences, renumbered
// citations, or a refusal when nothing is supported.
func (a *Answerer) verified(ctx context.Context, q, text string, hits []retrieval.Hit, checks []VerifyPassage) *incidentbot.Answer {
	v := analyse(text, checks)
	a.rescue(ctx, &v, hits)
	v.finish()
	a.logVerification(ctx, &v)

	ans := &incidentbot.Answer{
		Question:           q,
		Mode:               incidentbot.ModeLLM,
		SupportedSentences: v.Supported,
		TotalSentences:     v.Total,
		Citations:          []incidentbot.Citation{},
	}
	if removed := v.Removed(); removed > 0 {
		ans.Notice = removedNotice(removed)
	}
	if v.Supported == 0 {
		// The model refused, or nothing it wrote is backed by a source.
		ans.Refused = true
		ans.Text = prompts.Refusal()
		for i, h := range hits[:min(len(hits), maxClosest)] {
			ans.Closest = append(ans.Closest, hitCitation(i+1, h))
		}
		return ans
	}
	ans.Text = v.Text
	for i, n := range v.Cited {
		ans.Citations = append(ans.Citations, hitCitation(i+1, hits[n-1]))
	}
	return ans
}

// promptPassages numbers hits for a prompt and for verification.
func promptPassages(hits []retrieval.Hit) ([]prompts.Passage, []VerifyPassage) {
	passages := make([]prompts.Passage, len(hits))
	checks := make([]VerifyPassage, len(hits))
	for i, h := range hits {
		src := prompts.Source(h.Article)
		passages[i] = prompts.Passage{N: i + 1, Source: src, Text: h.Passage.Text}
		checks[i] = VerifyPassage{Text: h.Passage.Text, Source: src}
	}
	return passages, checks
}

func hitCitation(n int, h retrieval.Hit) incidentbot.Citation {
	return citation(n, h.Article, incidentbot.Span{Start: h.Passage.Start, End: h.Passage.End}, h.Score)
}

func removedNotice(n int) string {
	if n == 1 {
		return "1 sentence of the answer was removed because the sources did not support it."
	}
	return fmt.Sprintf("%d sentences of the answer were removed because the sources did not support them.", n)
}

// partials turns stream deltas into drafts for onPartial that hold only
// checked sentences: each time a sentence of the stream is complete (the
// next one has begun), the complete ones are checked against the passages
// as the final answer will be (without the encoder's paraphrase rescue,
// which may add a sentence to the final answer but never to a draft), and
// the draft is the sentences that passed, renumbered. A sentence citing a
// passage it was not given, or none, never reaches a draft.
func partials(onPartial func(string), checks []VerifyPassage) func(string) {
	var (
		sb       strings.Builder
		last     string
		complete int // sentences known complete at the last check
	)
	return func(delta string) {
		sb.WriteString(delta)
		text := sb.String()
		spans := retrieval.SplitSentences(text, incidentbot.Span{End: len(text)})
		if len(spans) < 2 || len(spans)-1 == complete {
			return
		}
		complete = len(spans) - 1
		v := Verify(text[:spans[complete-1].End], checks)
		if v.Text == last || strings.TrimSpace(v.Text) == "" {
			return
		}
		last = v.Text
		onPartial(v.Text)
	}
}

// rescue gives sentences that failed the term check narrowly a second
// chance with the sentence encoder: the model's sentence is embedded and
// compared with the stored vectors of the cited passages' sentences. A
// failure here only means no rescue.
func (a *Answerer) rescue(ctx context.Context, v *Verification, hits []retrieval.Hit) {
	var idx []int
	var claims []string
	for i, sc := range v.Sentences {
		if sc.Status != Unsupported || sc.Coverage < rescueCoverage || missingNumber(sc.Missing) {
			continue
		}
		idx = append(idx, i)
		claims = append(claims, sc.Claim)
	}
	if len(claims) == 0 {
		return
	}
	e, ix := a.src.Embedder(), a.src.Index()
	if e == nil || ix == nil {
		return
	}
	vecs, err := e.Embed(ctx, claims)
	if err != nil || len(vecs) != len(claims) {
		a.opts.Logger.WarnContext(ctx, "could not embed the model's sentences to check them", "err", err)
		return
	}
	for k, i := range idx {
		sc := &v.Sentences[i]
		var support []int
		for _, n := range sc.Cited {
			p := hits[n-1].Passage
			best := -1.0
			for j := range p.Sentences {
				sv, err := ix.SentenceVector(ctx, p, j)
				if err != nil || len(sv) != len(vecs[k]) {
					continue // the index was refreshed since the search
				}
				best = max(best, vecDot(vecs[k], sv))
			}
			sc.Cosine = max(sc.Cosine, best)
			if best >= rescueCosine {
				support = append(support, n)
			}
		}
		if len(support) > 0 {
			sc.Status, sc.Support = Supported, support
		}
	}
}

func missingNumber(terms []string) bool {
	for _, t := range terms {
		if retrieval.IsDigits(t) {
			return true
		}
	}
	return false
}

func vecDot(a, b []float32) float64 {
	var s float64
	for i := range a {
		s += float64(a[i]) * float64(b[i])
	}
	return s
}

func (a *Answerer) logVerification(ctx context.Context, v *Verification) {
	for i, sc := range v.Sentences {
		if sc.Status == Supported {
			continue
		}
		a.opts.Logger.DebugContext(ctx, "model sentence not shown",
			"sentence", i+1, "status", sc.Status.String(), "cited", sc.Cited, "invalid", sc.Invalid,
			"coverage", sc.Coverage, "missing", sc.Missing, "cosine", sc.Cosine)
	}
}
