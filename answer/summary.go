package answer

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/incidentbot/incidentbot"
	"github.com/incidentbot/incidentbot/corpus"
	"github.com/incidentbot/incidentbot/prompts"
	"github.com/incidentbot/incidentbot/retrieval"
)

// The topics a summary can be limited to are the corpus profile's (see
// Profile): each is a query, and optionally the tags or word prefixes one of
// which a found passage (with its section heading) must have, since one
// article may report several topics.

// Length bounds, so a summary fits one Discord message with its sources.
const (
	summarySentences = 5
	summaryWords     = 40 // per sentence
	timelineEvents   = 15
	timelineWords    = 30 // per event
)

// ErrUnknownTopic is returned, wrapped in an error that lists the profile's
// topics, for a topic the corpus profile does not have.
var ErrUnknownTopic = incidentbot.ErrUnknownTopic

// unknownTopic says which topics there are.
func unknownTopic(p *corpus.Profile, topic string) error {
	if len(p.Topics) == 0 {
		return fmt.Errorf("%w %q: the corpus profile lists no topics; leave the topic out to summarise everything", ErrUnknownTopic, topic)
	}
	return fmt.Errorf("%w %q: choose one of %s", ErrUnknownTopic, topic, strings.Join(p.TopicIDs(), ", "))
}

// Summary summarises the corpus, or one topic of it (an id from the corpus
// profile's topics), in a few cited sentences: extractively (the sentences
// closest to the topic's centre, without repeats) or, with a language model,
// written and then verified.
func (a *Answerer) Summary(ctx context.Context, topic string) (*incidentbot.Answer, error) {
	start := time.Now()
	profile := a.Profile()
	var t *corpus.Topic
	if topic = strings.ToLower(strings.TrimSpace(topic)); topic != "" {
		found, ok := profile.Topic(topic)
		if !ok {
			return nil, unknownTopic(profile, topic)
		}
		t = &found
	}
	hits, qv, err := a.topicHits(ctx, t)
	if err != nil {
		return nil, err
	}
	label, title := "Summary of the articles", ""
	if t != nil {
		label, title = "Summary: "+t.Title, t.Title
	}
	ans := a.extractiveSummary(ctx, label, hits, qv)
	if a.opts.LLM != nil && len(hits) > 0 {
		llmHits := hits[:min(len(hits), 8)]
		passages, checks := promptPassages(llmHits)
		msgs, err := prompts.Summary(profile.Subject(), title, passages)
		if err != nil {
			return nil, err
		}
		text, err := a.opts.LLM.Chat(ctx, msgs, nil)
		switch {
		case err == nil && strings.TrimSpace(text) != "":
			if v := a.verified(ctx, label, text, llmHits, checks); !v.Refused {
				ans = v
			}
		case ctx.Err() != nil:
			return nil, fmt.Errorf("summary: %w", ctx.Err())
		default:
			a.opts.Logger.Warn("language model failed; summarising extractively", "err", err)
			ans.Mode = incidentbot.ModeFallback
			ans.Notice = "The language model could not write the summary just now, so it quotes the sources directly."
		}
	}
	ans.TimingsMS = map[string]float64{"total": ms(time.Since(start))}
	return ans, nil
}

// topicHits returns the passages of a topic (every passage when t is nil)
// and the topic query's vector (nil for the whole corpus).
func (a *Answerer) topicHits(ctx context.Context, t *corpus.Topic) ([]retrieval.Hit, []float32, error) {
	ix := a.src.Index()
	if t == nil {
		var hits []retrieval.Hit
		for _, p := range ix.Passages() {
			hits = append(hits, retrieval.Hit{Result: incidentbot.Result{Passage: p, Article: ix.Article(p.ArticleID), Score: 1}})
		}
		return hits, nil, nil
	}
	resp, err := a.src.Search(ctx, t.Query, 20)
	if err != nil {
		return nil, nil, fmt.Errorf("searching for the topic: %w", err)
	}
	var hits []retrieval.Hit
	for _, h := range resp.Hits {
		var tags []string
		if h.Article != nil {
			tags = h.Article.Tags
		}
		if t.Matches(tags, h.Passage.Heading+" "+h.Passage.Text) {
			hits = append(hits, h)
		}
	}
	return hits, resp.Vector, nil
}

type summarySentence struct {
	hit   *retrieval.Hit
	span  incidentbot.Span
	text  string
	vec   []float32
	score float64
}

func (a *Answerer) extractiveSummary(ctx context.Context, label string, hits []retrieval.Hit, qv []float32) *incidentbot.Answer {
	ans := &incidentbot.Answer{Question: label, Mode: incidentbot.ModeExtractive, Citations: []incidentbot.Citation{}}
	ix := a.src.Index()
	var sents []*summarySentence
	for i := range hits {
		h := &hits[i]
		for j, sp := range h.Passage.Sentences {
			text := h.Article.Text[sp.Start:sp.End]
			if wordCount(text) < 8 || strings.HasSuffix(strings.TrimRight(text, "\"'”’ "), "?") {
				continue
			}
			v, err := ix.SentenceVector(ctx, h.Passage, j)
			if err != nil {
				continue
			}
			sents = append(sents, &summarySentence{hit: h, span: sp, text: text, vec: v})
		}
	}
	if len(sents) == 0 {
		ans.Refused = true
		ans.Text = prompts.Refusal()
		return ans
	}
	// The centroid of the topic's sentences stands for what they are
	// mostly about; sentences near it (and near the topic query) summarise.
	centroid := make([]float32, len(sents[0].vec))
	for _, s := range sents {
		for k, x := range s.vec {
			centroid[k] += x
		}
	}
	for _, s := range sents {
		s.score = vecDot(centroid, s.vec) / math.Sqrt(math.Max(vecDot(centroid, centroid), 1e-9))
		if qv != nil {
			s.score += vecDot(qv, s.vec)
		}
		if len(retrieval.FindDates(s.text)) > 0 {
			s.score += 0.05 // dated facts make better briefings
		}
		if isOpinion(s.text) {
			s.score -= 0.15
		}
	}
	// Maximal marginal relevance: each next sentence is good and unlike
	// those already chosen.
	var chosen []*summarySentence
	used := map[*summarySentence]bool{}
	for len(chosen) < summarySentences {
		var best *summarySentence
		bestVal := math.Inf(-1)
		for _, s := range sents {
			if used[s] {
				continue
			}
			red := 0.0
			for _, c := range chosen {
				red = math.Max(red, vecDot(s.vec, c.vec))
			}
			if val := s.score - 0.7*red; val > bestVal {
				best, bestVal = s, val
			}
		}
		if best == nil {
			break
		}
		used[best] = true
		chosen = append(chosen, best)
	}
	inReportingOrder(chosen, func(s *summarySentence) (*retrieval.Hit, incidentbot.Span) { return s.hit, s.span })
	var lines []string
	for i, s := range chosen {
		ans.Citations = append(ans.Citations, citation(i+1, s.hit.Article, s.span, s.score))
		c := &candidate{text: s.text}
		lines = append(lines, fmt.Sprintf("• %s [%d]", clip(&question{}, c, summaryWords), i+1))
	}
	ans.Text = strings.Join(lines, "\n")
	ans.SupportedSentences, ans.TotalSentences = len(chosen), len(chosen)
	return ans
}

// isOpinion spots quoted first-person commentary, which makes a poor
// neutral briefing line.
func isOpinion(s string) bool {
	l := " " + strings.ToLower(s) + " "
	return strings.Contains(l, " i think ") || strings.Contains(l, " in my opinion") || strings.Contains(l, " i say ") ||
		strings.HasPrefix(strings.TrimSpace(s), "“") || strings.HasPrefix(strings.TrimSpace(s), "\"")
}
