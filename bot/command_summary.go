package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/incidentbot/incidentbot"
)

// summary posts a cited summary of the corpus, or of one topic, to the
// channel.
func (s *service) summary(ctx context.Context, ev *Event) error {
	topic := strings.ToLower(strings.TrimSpace(ev.Options["topic"]))
	if _, ok := s.about.topic(topic); topic != "" && !ok && len(s.about.Topics) > 0 {
		return userErrorf("Unknown topic \"%s\". Choose one of: %s.", userText(topic, asMarkdown, 80), s.about.topicIDs())
	}
	ans, err := s.answerer.Summary(ctx, topic)
	if errors.Is(err, incidentbot.ErrUnknownTopic) {
		return userErrorf("Unknown topic \"%s\". Leave the topic out to summarise all the articles.", userText(topic, asMarkdown, 80))
	}
	if err != nil {
		return fmt.Errorf("summarising %q: %w", topic, err)
	}
	text, trimmed := renderAnswer(ans, "")
	text = "**" + s.about.summaryTitle(topic) + "**\n\n" + text
	s.recent.put(ev.ID, ans)
	return ev.reply.Send(ctx, Reply{Text: text, Buttons: s.answerButtons(ev.ID, trimmed)})
}
