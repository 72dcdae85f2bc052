package bot

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/incidentbot/incidentbot/corpus"
	"github.com/incidentbot/incidentbot/retrieval"
)

// refreshTimeout bounds a refresh: embedding a new article with the local
// encoder takes seconds, with a remote embedder somewhat longer.
const refreshTimeout = 10 * time.Minute

// refreshPrefix starts the custom_id of the Apply/Cancel buttons under a
// refresh preview: "refresh:apply:<preview id>".
const refreshPrefix = "refresh:"

// A preview's buttons work for this long; after that the maintainer runs
// /refresh again and sees a current diff.
const previewTTL = 10 * time.Minute

// refresh shows a maintainer what a refresh would change, article by
// article, and asks them to confirm with a button before anything changes.
// In the console (a trusted terminal, no buttons) it applies straight away.
func (s *service) refresh(ctx context.Context, ev *Event) error {
	log := logFor(s.log, ev)
	log.Info("refresh requested")
	preview, err := s.library.Refresh(ctx, true)
	if err != nil {
		log.Error("refresh preview failed", "err", err)
		return ev.reply.Send(ctx, Reply{Text: "**Refresh failed:** " + err.Error() + "\nThe previous index is still serving.", Ephemeral: true})
	}
	text := s.renderPreview(preview)
	if !preview.Changed() {
		return ev.reply.Send(ctx, Reply{Text: text + "\nNothing to refresh: the index already matches the corpus.", Ephemeral: true})
	}
	if ev.Trusted {
		if err := ev.reply.Send(ctx, Reply{Text: text}); err != nil {
			return err
		}
		return s.applyRefresh(ctx, ev)
	}
	s.refreshes.add(ev.ID)
	return ev.reply.Send(ctx, Reply{Text: text + "\nApply it? Answers keep being served while the new index is built.", Ephemeral: true,
		Buttons: []Button{{ID: refreshPrefix + "apply:" + ev.ID, Label: "Apply refresh"}, {ID: refreshPrefix + "cancel:" + ev.ID, Label: "Cancel"}}})
}

// confirmRefresh handles the preview's buttons. Permissions were checked
// again for the clicker by the middleware.
func (s *service) confirmRefresh(ctx context.Context, ev *Event) error {
	action, id, _ := strings.Cut(strings.TrimPrefix(ev.Name, refreshPrefix), ":")
	if !s.refreshes.take(id) {
		return ev.reply.Send(ctx, Reply{Text: "That preview has expired or was already used. Run /refresh again to see what would change now.", Ephemeral: true})
	}
	if action != "apply" {
		logFor(s.log, ev).Info("refresh cancelled")
		return ev.reply.Send(ctx, Reply{Text: "Refresh cancelled; nothing changed.", Ephemeral: true})
	}
	return s.applyRefresh(ctx, ev)
}

// applyRefresh runs the refresh, records it in the history and reports.
// Answers in flight finish on the index they started with, and a failed
// refresh leaves the old index serving (the Store guarantees both).
func (s *service) applyRefresh(ctx context.Context, ev *Event) error {
	log := logFor(s.log, ev)
	rep, err := s.library.Refresh(ctx, false)
	if err != nil {
		log.Error("refresh failed", "err", err)
		return ev.reply.Send(ctx, Reply{Text: "**Refresh failed:** " + err.Error() + "\nThe previous index is still serving.", Ephemeral: true})
	}
	s.metrics.refreshes.Add(1)
	if s.dataDir != "" {
		who := "console"
		if !ev.Trusted {
			who = userHash(ev.UserID)
		}
		entry := corpus.HistoryEntry{Time: time.Now().UTC(), Who: who, Via: "discord",
			Added: rep.ArticlesAdded, Changed: rep.ArticlesChanged, Removed: rep.ArticlesRemoved,
			Articles: rep.Articles, Embedded: rep.Embedded, Seconds: rep.Seconds}
		if ev.Trusted {
			entry.Via = "console"
		}
		if err := corpus.AppendHistory(s.dataDir, entry); err != nil {
			log.Error("recording the refresh in the history", "err", err)
		}
		if err := corpus.SaveApplied(s.dataDir, s.library.Index().Articles()); err != nil {
			log.Error("saving the applied corpus", "err", err)
		}
	}
	return ev.reply.Send(ctx, Reply{Text: renderReport(rep), Ephemeral: true})
}

// renderPreview lists what a refresh would change.
func (s *service) renderPreview(r *retrieval.Report) string {
	var b strings.Builder
	b.WriteString("**Refresh preview**\n")
	if s.loadCorpus != nil {
		if arts, err := s.loadCorpus(); err == nil {
			for _, c := range corpus.Diff(s.library.Index().Articles(), arts, retrieval.SplitSentences) {
				fmt.Fprintf(&b, "• %s **%s** — %s\n", c.Kind, clip(oneLine(c.Title), 80), clip(oneLine(c.Summary()), 200))
			}
		}
	}
	fmt.Fprintf(&b, "Articles: %d added, %d changed, %d removed. Passages: %d added, %d changed, %d removed.\n",
		len(r.ArticlesAdded), len(r.ArticlesChanged), len(r.ArticlesRemoved), r.PassagesAdded, r.PassagesChanged, r.PassagesRemoved)
	fmt.Fprintf(&b, "Texts to embed: %d.\n", r.ToEmbed)
	return b.String()
}

// pendingRefreshes are previews waiting for a click.
type pendingRefreshes struct {
	mu      sync.Mutex
	created map[string]time.Time
}

func newPendingRefreshes() *pendingRefreshes {
	return &pendingRefreshes{created: map[string]time.Time{}}
}

func (p *pendingRefreshes) add(id string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for k, t := range p.created {
		if time.Since(t) > previewTTL {
			delete(p.created, k)
		}
	}
	p.created[id] = time.Now()
}

// take reports whether id is a live preview, and uses it up: a preview is
// applied or cancelled once.
func (p *pendingRefreshes) take(id string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	t, ok := p.created[id]
	delete(p.created, id)
	return ok && time.Since(t) <= previewTTL
}
