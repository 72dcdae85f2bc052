package bot

import (
	"context"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/incidentbot/incidentbot"
)

// service is everything but Discord: the router with its handlers and
// middleware, and the state they share. The Bot and the console each wrap
// one.
type service struct {
	cfg      Config
	answerer incidentbot.Answerer
	library  incidentbot.Library
	log      *slog.Logger
	about    About
	roles    roles

	metrics  *metrics
	feedback incidentbot.Feedback // nil: votes are not kept
	recent   *recentAnswers       // answers the buttons under them refer to
	buttons  *buttonSigner        // signs the custom_ids of those buttons
	cache    *answerCache
	limits   *limiter // nil: unlimited
	queue    *queue
	inflight *inflight
	convs    *conversations
	router   *router
	// refresher is what /refresh goes through (nil: not available here);
	// previews keeps the plans waiting for a click.
	refresher incidentbot.Refresher
	previews  incidentbot.Previews

	// work is the parent of every handler's context. It outlives the Run
	// context so answers in flight can finish during a shutdown, and is
	// cancelled when the shutdown gives up waiting.
	work       context.Context
	cancelWork context.CancelFunc
}

type serviceOptions struct {
	cfg       Config
	answerer  incidentbot.Answerer
	library   incidentbot.Library
	refresher incidentbot.Refresher
	previews  incidentbot.Previews
	feedback  incidentbot.Feedback
	log       *slog.Logger
	console   bool
	about     About
	metrics   prometheus.Registerer
}

func newService(o serviceOptions) *service {
	s := &service{
		cfg: o.cfg, answerer: o.answerer, library: o.library, log: o.log, about: o.about,
		roles:     roles{moderatorRoles: o.cfg.ModeratorRoles, maintainerRoles: o.cfg.MaintainerRoles, maintainerUsers: o.cfg.MaintainerUsers},
		metrics:   newMetrics(o.metrics),
		feedback:  o.feedback,
		recent:    newRecentAnswers(2000),
		buttons:   newButtonSigner(),
		cache:     newAnswerCache(512, cacheTTL),
		queue:     newQueue(o.cfg.MaxConcurrent, o.cfg.QueueSize, o.cfg.MaxWait),
		inflight:  newInflight(),
		convs:     newConversations(1000, o.cfg.ThreadContextTurns),
		refresher: o.refresher, previews: o.previews,
	}
	if !o.console {
		s.limits = newLimiter(o.cfg.RateLimit.PerUser, o.cfg.RateLimit.PerChannel, o.cfg.RateLimit.Window)
	}
	s.work, s.cancelWork = context.WithCancel(context.Background())
	s.router = s.routes()
	return s
}

// routes is the command table: each route with the middleware it runs
// behind, outermost first. Every middleware is made here, once.
func (s *service) routes() *router {
	log, m := s.log, s.metrics
	r := newRouter(log, recoverPanics(log, m.panics), reportErrors(log, m.undelivered), drain(s.inflight), dmGuard(s.cfg.AllowDMs))

	// Answers: check the question (or who asks) and the rate limits before
	// acknowledging, so those replies can be ephemeral; take a queue place,
	// acknowledge, then wait for a slot.
	limited, admitted, slotted := rateLimit(s.limits, m.rateLimited, log), admit(s.queue, m.busy, log), waitForSlot()
	answering := func(gate Middleware) []Middleware {
		return []Middleware{gate, limited, admitted, deferReply(false, log), slotted, timeout(answerTimeout)}
	}
	check := func(q string) error { return s.answerer.CheckQuestion(q) } // s.answerer is read when a question comes
	question := func(option string) Middleware { return validQuestion(option, check, s.about) }
	moderators := onlyFor(s.roles.moderator, "moderators (the Manage Messages permission or a moderator role)", log)
	maintaining := []Middleware{onlyFor(s.roles.maintainer, "the bot's maintainers", log), deferReply(true, log), timeout(refreshTimeout)}
	signed := signedButton(s.buttons, log)

	r.Command("ask", s.ask, answering(question("question"))...)
	r.Mention(s.ask, answering(question("question"))...)
	r.Command("sources", s.sources, answering(question("query"))...)
	r.Command("summary", s.summary, answering(moderators)...)
	r.Command("timeline", s.timeline, answering(moderators)...)
	r.Command("refresh", s.refresh, maintaining...)
	r.Component(refreshApply, "Applying a refresh", s.confirmRefresh(true), maintaining...)
	r.Component(refreshCancel, "Cancelling a refresh", s.confirmRefresh(false), maintaining...)
	r.Component(feedbackButton, "Voting on an answer", s.vote, signed)
	r.Component(sourcesButton, "Showing the sources", s.showSources, signed)
	return r
}

// answerTimeout bounds one answer, model retries included; well inside the
// 15 minutes an interaction token lives.
const answerTimeout = 3 * time.Minute

// dispatch handles one event on the work context.
func (s *service) dispatch(ev *Event) {
	s.router.Dispatch(s.work, ev)
}
