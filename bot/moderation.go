package bot

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/incidentbot/incidentbot/answer"
)

// Discord permission bits the checks use.
const (
	permAdministrator  int64 = 1 << 3
	permManageMessages int64 = 1 << 13
)

// isModerator: a configured moderator role, or the Manage Messages (or
// Administrator) permission in the channel, or a maintainer. Checked here,
// on the server side: default_member_permissions on a command is only a
// default that any server admin can change.
func (s *service) isModerator(ev *Event) bool {
	if ev.Trusted || s.isMaintainer(ev) {
		return true
	}
	if ev.Permissions&(permManageMessages|permAdministrator) != 0 {
		return true
	}
	return hasAny(ev.Roles, s.cfg.ModeratorRoles)
}

// isMaintainer: a configured maintainer user or role.
func (s *service) isMaintainer(ev *Event) bool {
	if ev.Trusted {
		return true
	}
	return slices.Contains(s.cfg.MaintainerUsers, ev.UserID) || hasAny(ev.Roles, s.cfg.MaintainerRoles)
}

func hasAny(have, want []string) bool {
	for _, r := range have {
		if r != "" && slices.Contains(want, r) {
			return true
		}
	}
	return false
}

func (s *service) moderatorsOnly(next Handler) Handler {
	return func(ctx context.Context, ev *Event) error {
		if !s.isModerator(ev) {
			logFor(s.log, ev).Info("refused: not a moderator")
			return ev.reply.Send(ctx, Reply{Text: actionName(ev) + " is for moderators (the Manage Messages permission or a moderator role).", Ephemeral: true})
		}
		return next(ctx, ev)
	}
}

func (s *service) maintainersOnly(next Handler) Handler {
	return func(ctx context.Context, ev *Event) error {
		if !s.isMaintainer(ev) {
			logFor(s.log, ev).Info("refused: not a maintainer")
			return ev.reply.Send(ctx, Reply{Text: actionName(ev) + " is for the bot's maintainers.", Ephemeral: true})
		}
		return next(ctx, ev)
	}
}

// summary posts a cited summary of the corpus, or of one topic, to the
// channel.
func (s *service) summary(ctx context.Context, ev *Event) error {
	topic := strings.ToLower(strings.TrimSpace(ev.Options["topic"]))
	if _, ok := s.about.topic(topic); topic != "" && !ok && len(s.about.Topics) > 0 {
		return userErrorf("Unknown topic \"%s\". Choose one of: %s.", userText(topic, asMarkdown, 80), s.about.topicIDs())
	}
	ans, err := s.answerer.Summary(ctx, topic)
	if errors.Is(err, answer.ErrUnknownTopic) {
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

// timeline posts the dated events the articles report, in order.
func (s *service) timeline(ctx context.Context, ev *Event) error {
	t, err := s.answerer.Timeline(ctx)
	if err != nil {
		return fmt.Errorf("building the timeline: %w", err)
	}
	text, _ := renderTimeline(t, s.about.timelineTitle())
	return ev.reply.Send(ctx, Reply{Text: text})
}
