package bot

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/incidentbot/incidentbot"
)

// ask answers /ask, a mention, a DM or a follow-up in a thread.
func (s *service) ask(ctx context.Context, ev *Event) error {
	q := strings.TrimSpace(ev.Options["question"])
	var history []incidentbot.Turn
	if ev.Conv != nil {
		history = ev.Conv.History(ctx)
	}
	stream := startStream(ctx, s.cfg.StreamEditInterval, func(ctx context.Context, text string) error {
		return ev.reply.Progress(ctx, text+"\n\n*✍️ writing… (a draft: its sources are checked when it is done)*")
	})
	ans, err := s.answerCached(ctx, incidentbot.Request{Question: q, History: history, OnPartial: stream.update})
	stream.stop()
	if err != nil {
		s.metrics.answerErrors.Inc()
		return fmt.Errorf("answering %q: %w", clip(q, 80), err)
	}
	echo := ""
	if ev.Kind == KindCommand {
		echo = q
	}
	text, trimmed := renderAnswer(ans, echo)
	s.recent.put(ev.ID, ans)
	if ev.Conv != nil {
		ev.Conv.Remember(incidentbot.Turn{Question: q, Answer: ans.Text})
	}
	err = ev.reply.Send(ctx, Reply{Text: text, Buttons: s.answerButtons(ev.ID, trimmed)})
	s.metrics.countAnswer(ans, time.Since(ev.Received))
	logFor(s.log, ev).Info("answered", "mode", ans.Mode, "refused", ans.Refused,
		"citations", len(ans.Citations), "history", len(history), "ms", time.Since(ev.Received).Milliseconds())
	return err
}

// answerCached asks the answerer, sharing one computation among identical
// questions asked at the same time (a channel stampeding on the news of the
// day) and reusing recent answers. Follow-ups are never cached: their
// meaning depends on the conversation. The index is part of the key, so an
// answer never outlives a refresh.
func (s *service) answerCached(ctx context.Context, req incidentbot.Request) (*incidentbot.Answer, error) {
	if len(req.History) > 0 {
		return s.answerer.Ask(ctx, req)
	}
	key := cacheKey{question: normalizeQuestion(req.Question)}
	if info := s.library.Served(); info != nil {
		key.index = info.Version
	}
	return s.cache.do(ctx, key, func() (*incidentbot.Answer, error) {
		return s.answerer.Ask(ctx, req)
	})
}

func normalizeQuestion(q string) string {
	return strings.TrimRight(strings.ToLower(oneLine(q)), " ?!.")
}
