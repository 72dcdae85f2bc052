package bot

import (
	"context"
	"time"
)

// refreshTimeout bounds a refresh: embedding a new article with the local
// encoder takes seconds, with a remote embedder somewhat longer.
const refreshTimeout = 10 * time.Minute

// refresh re-reads the corpus and swaps in the new index. Answers in flight
// finish on the index they started with, and a failed refresh leaves the
// old index serving (the Store guarantees both), so all this does is run it
// and report.
func (s *service) refresh(ctx context.Context, ev *Event) error {
	log := logFor(s.log, ev)
	log.Info("refresh requested")
	rep, err := s.library.Refresh(ctx, false)
	if err != nil {
		log.Error("refresh failed", "err", err)
		return ev.reply.Send(ctx, Reply{Text: "**Refresh failed:** " + err.Error() + "\nThe previous index is still serving.", Ephemeral: true})
	}
	s.metrics.refreshes.Add(1)
	return ev.reply.Send(ctx, Reply{Text: renderReport(rep), Ephemeral: true})
}
