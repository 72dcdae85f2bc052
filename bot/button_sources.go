package bot

import "context"

// sourcesButton is the custom_id of the "show sources" button: the
// answer's event ID, signed (see buttonSigner).
const sourcesButton = "src:{id}:{sig}"

// showSources sends the full source list of an answer, ephemerally: only
// the person who asked for it sees the long version.
func (s *service) showSources(ctx context.Context, ev *Event) error {
	a := s.recent.get(ev.Param("id"))
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
		{ID: s.buttons.sign("fb:up:" + id), Emoji: "👍", Label: ""},
		{ID: s.buttons.sign("fb:down:" + id), Emoji: "👎", Label: ""},
	}
	if long {
		bs = append(bs, Button{ID: s.buttons.sign("src:" + id), Label: "Show sources"})
	}
	return bs
}
