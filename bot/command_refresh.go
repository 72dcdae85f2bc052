package bot

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/incidentbot/incidentbot"
)

// refreshTimeout bounds a refresh: embedding a new article with the local
// encoder takes seconds, with a remote embedder somewhat longer.
const refreshTimeout = 10 * time.Minute

// The custom_ids of the Apply/Cancel buttons under a refresh preview.
const (
	refreshApply  = "refresh:apply:{id}"
	refreshCancel = "refresh:cancel:{id}"
)

// A preview's buttons work for this long; after that the maintainer runs
// /refresh again and sees a current diff.
const previewTTL = 10 * time.Minute

// refresh shows a maintainer what a refresh would change, article by
// article, and asks them to confirm with a button before anything changes.
// In the console (a trusted terminal, no buttons) it applies straight away.
func (s *service) refresh(ctx context.Context, ev *Event) error {
	log := logFor(s.log, ev)
	log.Info("refresh requested")
	if s.refresher == nil {
		return userErrorf("Refreshing is not available in this process.")
	}
	plan, err := s.refresher.Plan(ctx)
	if err != nil {
		log.Error("refresh preview failed", "err", err)
		return ev.reply.Send(ctx, Reply{Text: "**Refresh failed:** " + err.Error() + "\nThe previous index is still serving.", Ephemeral: true})
	}
	text := renderPreview(plan)
	if !plan.Changed() {
		return ev.reply.Send(ctx, Reply{Text: text + "\nNothing to refresh: the index already matches the corpus.", Ephemeral: true})
	}
	if ev.Trusted {
		if err := ev.reply.Send(ctx, Reply{Text: text}); err != nil {
			return err
		}
		return s.applyRefresh(ctx, ev, plan)
	}
	// Kept in the shared state, so the click works on whichever process
	// receives it, and only once.
	if err := s.previews.SavePreview(ctx, plan, previewTTL); err != nil {
		return fmt.Errorf("keeping the refresh preview: %w", err)
	}
	return ev.reply.Send(ctx, Reply{Text: text + "\nApply it? Answers keep being served while the new index is built.", Ephemeral: true,
		Buttons: []Button{{ID: "refresh:apply:" + plan.ID, Label: "Apply refresh"}, {ID: "refresh:cancel:" + plan.ID, Label: "Cancel"}}})
}

// confirmRefresh handles the preview's Apply (apply) or Cancel button.
// Permissions were checked again for the clicker by the middleware.
func (s *service) confirmRefresh(apply bool) Handler {
	return func(ctx context.Context, ev *Event) error {
		return s.confirm(ctx, ev, apply)
	}
}

func (s *service) confirm(ctx context.Context, ev *Event, apply bool) error {
	if s.refresher == nil {
		return userErrorf("Refreshing is not available in this process.")
	}
	plan, err := s.previews.TakePreview(ctx, ev.Param("id"))
	if err != nil {
		return fmt.Errorf("reading the refresh preview: %w", err)
	}
	if plan == nil {
		return ev.reply.Send(ctx, Reply{Text: "That preview has expired or was already used. Run /refresh again to see what would change now.", Ephemeral: true})
	}
	if !apply {
		logFor(s.log, ev).Info("refresh cancelled")
		return ev.reply.Send(ctx, Reply{Text: "Refresh cancelled; nothing changed.", Ephemeral: true})
	}
	return s.applyRefresh(ctx, ev, plan)
}

// applyRefresh applies plan through the refresh service, which takes the
// lock every process shares, refuses a plan the index has moved on from,
// swaps the new index in here, publishes it (every process then serves it)
// and records it in the history. A failure before the swap leaves the old
// index serving everywhere. The maintainer is told as soon as the new
// index serves here, and the same message then says when it is saved, or
// that saving it failed and is retried.
func (s *service) applyRefresh(ctx context.Context, ev *Event, plan *incidentbot.RefreshPlan) error {
	log := logFor(s.log, ev)
	by := incidentbot.Actor{Who: userHash(ev.UserID), Via: "discord"}
	if ev.Trusted {
		by = incidentbot.Actor{Who: "console", Via: "console"}
	}
	rep, err := s.refresher.ApplyServing(ctx, plan, by)
	if rep == nil {
		log.Error("refresh failed", "err", err)
		return ev.reply.Send(ctx, Reply{Text: "**Refresh failed:** " + err.Error() + "\nThe previous index is still serving.", Ephemeral: true})
	}
	s.metrics.refreshes.Inc()
	for failures := 0; err == nil && !rep.Saved && rep.WaitSaved != nil; failures = rep.SaveFailures {
		if err := ev.reply.Send(ctx, Reply{Text: renderReport(rep, nil), Ephemeral: true}); err != nil {
			return err
		}
		next, werr := rep.WaitSaved(ctx, failures)
		if next != nil {
			rep = next
		}
		err = werr
	}
	if err != nil {
		log.Error("refresh applied here, but not saved or not recorded", "err", err)
	}
	return ev.reply.Send(ctx, Reply{Text: renderReport(rep, err), Ephemeral: true})
}

// renderPreview lists what a refresh would change.
func renderPreview(p *incidentbot.RefreshPlan) string {
	var b strings.Builder
	b.WriteString("**Refresh preview**\n")
	for _, c := range p.Changes {
		fmt.Fprintf(&b, "• %s **%s** — %s\n", c.Kind, clip(oneLine(c.Title), 80), clip(oneLine(c.Summary()), 200))
	}
	fmt.Fprintf(&b, "Articles: %d added, %d changed, %d removed. Passages: %d added, %d changed, %d removed.\n",
		len(p.ArticleIDs(incidentbot.Added)), len(p.ArticleIDs(incidentbot.Changed)), len(p.ArticleIDs(incidentbot.Removed)),
		p.PassagesAdded, p.PassagesChanged, p.PassagesRemoved)
	fmt.Fprintf(&b, "Texts to embed: %d.\n", p.ToEmbed)
	return b.String()
}

// renderReport renders what /refresh did, as it stands: serving here and
// being saved, or saved; err is why waiting for it ended otherwise.
func renderReport(r *incidentbot.RefreshReport, err error) string {
	p := r.Plan
	var b strings.Builder
	switch {
	case r.Saved:
		fmt.Fprintf(&b, "**Index refreshed**: serving after %.1f s, saved after %.1f s.\n", r.Seconds, r.SavedSeconds)
	case r.SaveFailures > 0:
		fmt.Fprintf(&b, "**Serving the refreshed index here** (after %.1f s), **but saving it failed** (%s; last: %s). This process keeps serving it and saving is retried; the other processes serve the previous index until it is saved.\n",
			r.Seconds, plural(r.SaveFailures, "attempt"), clip(oneLine(r.SaveError), 300))
	default:
		fmt.Fprintf(&b, "**Serving the refreshed index here** (after %.1f s); saving it in the background, for every process of this bot to swap in…\n", r.Seconds)
	}
	line := func(label string, ids []string) {
		fmt.Fprintf(&b, "%s: %d", label, len(ids))
		if len(ids) > 0 {
			fmt.Fprintf(&b, " (%s)", clip(strings.Join(ids, ", "), 300))
		}
		b.WriteString("\n")
	}
	line("Articles added", p.ArticleIDs(incidentbot.Added))
	line("Articles changed", p.ArticleIDs(incidentbot.Changed))
	line("Articles removed", p.ArticleIDs(incidentbot.Removed))
	fmt.Fprintf(&b, "Texts embedded: %d\n", r.Embedded)
	if r.Saved {
		fmt.Fprintf(&b, "Now serving %s and %s (index %s); every process of this bot swaps it in within seconds.", plural(p.Articles, "article"), plural(p.Passages, "passage"), r.Version)
	} else {
		fmt.Fprintf(&b, "Now serving %s and %s here (not saved yet).", plural(p.Articles, "article"), plural(p.Passages, "passage"))
	}
	if !p.Changed() {
		b.WriteString("\nNothing had changed.")
	}
	if err != nil {
		fmt.Fprintf(&b, "\n%s", clip(oneLine(err.Error()), 400))
	}
	return b.String()
}
