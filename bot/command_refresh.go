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

// The custom_ids of the Apply/Cancel buttons under a refresh preview.
const (
	refreshApply  = "refresh:apply:{id}"
	refreshCancel = "refresh:cancel:{id}"
)

// Refreshable is the index /refresh brings up to date; *retrieval.Store is
// one. (#11 puts incidentbot.Refresher in its place.)
type Refreshable interface {
	Refresh(ctx context.Context, dryRun bool) (*retrieval.Report, error)
	Index() *retrieval.Index
}

// A preview's buttons work for this long; after that the maintainer runs
// /refresh again and sees a current diff.
const previewTTL = 10 * time.Minute

// refresh shows a maintainer what a refresh would change, article by
// article, and asks them to confirm with a button before anything changes.
// In the console (a trusted terminal, no buttons) it applies straight away.
func (s *service) refresh(ctx context.Context, ev *Event) error {
	log := logFor(s.log, ev)
	log.Info("refresh requested")
	if s.index == nil {
		return userErrorf("Refreshing is not available in this process.")
	}
	preview, err := s.index.Refresh(ctx, true)
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
		Buttons: []Button{{ID: "refresh:apply:" + ev.ID, Label: "Apply refresh"}, {ID: "refresh:cancel:" + ev.ID, Label: "Cancel"}}})
}

// confirmRefresh handles the preview's Apply (apply) or Cancel button.
// Permissions were checked again for the clicker by the middleware.
func (s *service) confirmRefresh(apply bool) Handler {
	return func(ctx context.Context, ev *Event) error {
		return s.confirm(ctx, ev, apply)
	}
}

func (s *service) confirm(ctx context.Context, ev *Event, apply bool) error {
	if !s.refreshes.take(ev.Param("id")) {
		return ev.reply.Send(ctx, Reply{Text: "That preview has expired or was already used. Run /refresh again to see what would change now.", Ephemeral: true})
	}
	if !apply {
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
	rep, err := s.index.Refresh(ctx, false)
	if err != nil {
		log.Error("refresh failed", "err", err)
		return ev.reply.Send(ctx, Reply{Text: "**Refresh failed:** " + err.Error() + "\nThe previous index is still serving.", Ephemeral: true})
	}
	s.metrics.refreshes.Inc()
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
		if err := corpus.SaveApplied(s.dataDir, s.index.Index().Articles()); err != nil {
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
			for _, c := range corpus.Diff(s.index.Index().Articles(), arts, retrieval.SplitSentences) {
				fmt.Fprintf(&b, "• %s **%s** — %s\n", c.Kind, clip(oneLine(c.Title), 80), clip(oneLine(c.Summary()), 200))
			}
		}
	}
	fmt.Fprintf(&b, "Articles: %d added, %d changed, %d removed. Passages: %d added, %d changed, %d removed.\n",
		len(r.ArticlesAdded), len(r.ArticlesChanged), len(r.ArticlesRemoved), r.PassagesAdded, r.PassagesChanged, r.PassagesRemoved)
	fmt.Fprintf(&b, "Texts to embed: %d.\n", r.ToEmbed)
	return b.String()
}

// renderReport renders what /refresh did.
func renderReport(r *retrieval.Report) string {
	var b strings.Builder
	fmt.Fprintf(&b, "**Index refreshed** in %.1f s.\n", r.Seconds)
	line := func(label string, ids []string) {
		fmt.Fprintf(&b, "%s: %d", label, len(ids))
		if len(ids) > 0 {
			fmt.Fprintf(&b, " (%s)", clip(strings.Join(ids, ", "), 300))
		}
		b.WriteString("\n")
	}
	line("Articles added", r.ArticlesAdded)
	line("Articles changed", r.ArticlesChanged)
	line("Articles removed", r.ArticlesRemoved)
	fmt.Fprintf(&b, "Texts embedded: %d\n", r.Embedded)
	fmt.Fprintf(&b, "Now serving %s and %s.", plural(r.Articles, "article"), plural(r.Passages, "passage"))
	if !r.Changed() {
		b.WriteString("\nNothing had changed.")
	}
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
