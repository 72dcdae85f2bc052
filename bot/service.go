package bot

import (
	"context"
	"log/slog"

	"github.com/incidentbot/incidentbot"

	"github.com/incidentbot/incidentbot/config"
)

// service is everything but Discord: the router with its handlers and
// middleware, and the state they share. The Bot and the console each wrap
// one.
type service struct {
	cfg      config.Discord
	answerer Answerer
	library  Library
	log      *slog.Logger
	about    About

	metrics   *metrics
	feedback  *feedbackLog
	recent    *recentAnswers // answers the buttons under them refer to
	buttons   *buttonSigner  // signs the custom_ids of those buttons
	cache     *answerCache
	limits    *limiter // nil: unlimited
	queue     *queue
	inflight  *inflight
	convs     *conversations
	router    *router
	refreshes *pendingRefreshes
	dataDir   string
	// loadCorpus reads the corpus for /refresh's preview (nil: no diff).
	loadCorpus func() ([]*incidentbot.Article, error)

	// work is the parent of every handler's context. It outlives the Run
	// context so answers in flight can finish during a shutdown, and is
	// cancelled when the shutdown gives up waiting.
	work       context.Context
	cancelWork context.CancelFunc
}

type serviceOptions struct {
	cfg        config.Discord
	answerer   Answerer
	library    Library
	dataDir    string
	log        *slog.Logger
	console    bool
	loadCorpus func() ([]*incidentbot.Article, error)
	about      About
}

func newService(o serviceOptions) *service {
	s := &service{
		cfg: o.cfg, answerer: o.answerer, library: o.library, log: o.log, about: o.about,
		metrics:   newMetrics(),
		feedback:  newFeedbackLog(o.dataDir),
		recent:    newRecentAnswers(2000),
		buttons:   newButtonSigner(),
		cache:     newAnswerCache(512, cacheTTL),
		queue:     newQueue(o.cfg.MaxConcurrent, o.cfg.QueueSize, o.cfg.MaxWait),
		inflight:  newInflight(),
		convs:     newConversations(1000, o.cfg.ThreadContextTurns),
		refreshes: newPendingRefreshes(),
		dataDir:   o.dataDir, loadCorpus: o.loadCorpus,
	}
	if !o.console {
		s.limits = newLimiter(o.cfg.RateLimit.PerUser, o.cfg.RateLimit.PerChannel, o.cfg.RateLimit.Window)
	}
	s.work, s.cancelWork = context.WithCancel(context.Background())
	s.router = s.routes()
	return s
}

// routes is the command table: each command with the middleware it needs,
// outermost first.
func (s *service) routes() *router {
	r := newRouter(s.log, s.recoverer, s.reportErrors, s.tracked, s.dmGuard)
	// Answers: validate and rate-limit before acknowledging (so those
	// replies can be ephemeral), take a queue place, acknowledge, then wait
	// for a slot.
	answering := func(option string, ephemeral bool) []Middleware {
		return []Middleware{s.validQuestion(option), s.rateLimited, s.admitted, s.deferred(ephemeral), s.slotted, timeout(answerTimeout)}
	}
	r.Command("ask", s.ask, answering("question", false)...)
	r.Mention(s.ask, answering("question", false)...)
	r.Command("sources", s.sources, answering("query", false)...)
	r.Command("summary", s.summary, s.moderatorsOnly, s.rateLimited, s.admitted, s.deferred(false), s.slotted, timeout(answerTimeout))
	r.Command("timeline", s.timeline, s.moderatorsOnly, s.rateLimited, s.admitted, s.deferred(false), s.slotted, timeout(answerTimeout))
	r.Command("refresh", s.refresh, s.maintainersOnly, s.deferred(true), timeout(refreshTimeout))
	r.Component(refreshPrefix, s.confirmRefresh, s.maintainersOnly, s.deferred(true), timeout(refreshTimeout))
	r.Component(feedbackPrefix, s.vote)
	r.Component(sourcesPrefix, s.showSources)
	return r
}

// dispatch handles one event on the work context.
func (s *service) dispatch(ev *Event) {
	s.router.Dispatch(s.work, ev)
}
