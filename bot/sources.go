package bot

import (
	"context"
	"fmt"
	"strings"
)

// sourcesK is how many passages /sources shows.
const sourcesK = 5

// sources answers /sources query: the passages search ranks highest,
// without an answer, for users who want to read for themselves.
func (s *service) sources(ctx context.Context, ev *Event) error {
	q := strings.TrimSpace(ev.Options["query"])
	resp, err := s.library.Search(ctx, q, sourcesK)
	if err != nil {
		return fmt.Errorf("searching for %q: %w", clip(q, 80), err)
	}
	return ev.reply.Send(ctx, Reply{Text: renderSearch(q, resp)})
}

// sourcesPrefix starts the custom_id of the "show sources" button; the
// answer's event ID and the signature follow: "src:<answer id>:<sig>".
const sourcesPrefix = "src:"

// showSources sends the full source list of an answer, ephemerally: only
// the person who asked for it sees the long version.
func (s *service) showSources(ctx context.Context, ev *Event) error {
	payload, ok := s.buttons.verify(ev.Name)
	if !ok {
		logFor(s.log, ev).Info("refused a button this process did not send")
		return ev.reply.Send(ctx, Reply{Text: msgButtonExpired, Ephemeral: true})
	}
	id := strings.TrimPrefix(payload, sourcesPrefix)
	a := s.recent.get(id)
	if a == nil {
		return ev.reply.Send(ctx, Reply{Text: "I no longer have the sources of that answer in memory. Ask again to see them.", Ephemeral: true})
	}
	return ev.reply.Send(ctx, Reply{Text: renderSourceList(a), Ephemeral: true})
}

// answerButtons are the buttons under the answer to event id: feedback,
// and "show sources" when the message had to shorten them, their
// custom_ids signed.
func (s *service) answerButtons(id string, long bool) []Button {
	bs := []Button{
		{ID: s.buttons.sign(feedbackPrefix + "up:" + id), Emoji: "👍", Label: ""},
		{ID: s.buttons.sign(feedbackPrefix + "down:" + id), Emoji: "👎", Label: ""},
	}
	if long {
		bs = append(bs, Button{ID: s.buttons.sign(sourcesPrefix + id), Label: "Show sources"})
	}
	return bs
}
