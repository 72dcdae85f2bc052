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
	hits, err := s.library.Search(ctx, q, sourcesK)
	if err != nil {
		return fmt.Errorf("searching for %q: %w", clip(q, 80), err)
	}
	return ev.reply.Send(ctx, Reply{Text: renderSearch(q, hits)})
}
