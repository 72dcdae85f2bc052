package bot

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"

	"github.com/incidentbot/incidentbot"
)

// metrics are the bot's Prometheus series, registered on the registerer
// it is given (ops serves them on /metrics); with none they are counted
// and never shown, as in the console.
type metrics struct {
	answered     prometheus.Counter // answers given (refusals and fallbacks included)
	refused      prometheus.Counter
	fallback     prometheus.Counter // the language model failed; extractive answer given
	answerErrors prometheus.Counter // no answer at all
	rateLimited  prometheus.Counter
	busy         prometheus.Counter
	panics       prometheus.Counter
	votes        prometheus.Counter
	refreshes    prometheus.Counter
	undelivered  prometheus.Counter // replies Discord did not take, retries included

	answerLatency prometheus.Histogram // from the event reaching the bot to the answer shown
	ackLatency    prometheus.Histogram // from the event reaching the bot to Discord accepting the acknowledgement

	discordErrors *prometheus.CounterVec // by Discord error code
}

func newMetrics(reg prometheus.Registerer) *metrics {
	f := promauto.With(reg)
	counter := func(name, help string) prometheus.Counter {
		return f.NewCounter(prometheus.CounterOpts{Name: "incidentbot_" + name, Help: help})
	}
	return &metrics{
		answered:     counter("questions_answered_total", "Questions answered, refusals and fallbacks included."),
		refused:      counter("questions_refused_total", "Questions the sources could not answer."),
		fallback:     counter("questions_fallback_total", "Answers given extractively because the language model failed."),
		answerErrors: counter("questions_failed_total", "Questions that got no answer because of an error."),
		rateLimited:  counter("rate_limited_total", "Requests turned away by the per-user or per-channel limit."),
		busy:         counter("busy_total", "Requests turned away because the answer queue was full."),
		panics:       counter("panics_total", "Handler panics recovered."),
		votes:        counter("feedback_votes_total", "Feedback button clicks recorded."),
		refreshes:    counter("refreshes_total", "Successful index refreshes."),
		undelivered:  counter("replies_undelivered_total", "Replies, answers included, that Discord did not take after retrying what might pass."),
		answerLatency: f.NewHistogram(prometheus.HistogramOpts{Name: "incidentbot_answer_latency_seconds",
			Help:    "Time from receiving a question to showing its answer.",
			Buckets: []float64{0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60}}),
		ackLatency: f.NewHistogram(prometheus.HistogramOpts{Name: "incidentbot_ack_latency_seconds",
			Help:    "Time from receiving an interaction to Discord accepting its acknowledgement.",
			Buckets: []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 3}}),
		discordErrors: f.NewCounterVec(prometheus.CounterOpts{Name: "incidentbot_discord_errors_total",
			Help: "Failed Discord REST calls by Discord error code."}, []string{"code"}),
	}
}

func (m *metrics) countAnswer(a *incidentbot.Answer, latency time.Duration) {
	m.answered.Inc()
	if a.Refused {
		m.refused.Inc()
	}
	if a.Mode == incidentbot.ModeFallback {
		m.fallback.Inc()
	}
	m.answerLatency.Observe(latency.Seconds())
}

// gaugeSources are what the gauges read when /metrics is scraped.
type gaugeSources struct {
	connected func() bool
	served    func() *incidentbot.SnapshotInfo
	inflight  func() int
	queued    func() int
}

// watch registers on reg the gauges that are sampled at each scrape.
func (m *metrics) watch(reg prometheus.Registerer, g gaugeSources) {
	f := promauto.With(reg)
	gauge := func(name, help string, v func() float64) {
		f.NewGaugeFunc(prometheus.GaugeOpts{Name: "incidentbot_" + name, Help: help}, v)
	}
	served := func(v func(*incidentbot.SnapshotInfo) float64) func() float64 {
		return func() float64 {
			if info := g.served(); info != nil {
				return v(info)
			}
			return 0
		}
	}
	gauge("gateway_connected", "1 when the gateway connection is up.", func() float64 { return b2f(g.connected()) })
	gauge("index_loaded", "1 when an index is loaded.", served(func(*incidentbot.SnapshotInfo) float64 { return 1 }))
	gauge("index_passages", "Passages in the live index.", served(func(i *incidentbot.SnapshotInfo) float64 { return float64(i.Passages) }))
	gauge("index_age_seconds", "Seconds since the live index was built.", served(func(i *incidentbot.SnapshotInfo) float64 { return time.Since(i.BuiltAt).Seconds() }))
	gauge("index_built_timestamp_seconds", "When the live index was built, in Unix seconds.", served(func(i *incidentbot.SnapshotInfo) float64 { return float64(i.BuiltAt.UnixNano()) / 1e9 }))
	if reg != nil {
		reg.MustRegister(indexInfo{g.served})
	}
	gauge("events_in_flight", "Events being handled.", func() float64 { return float64(g.inflight()) })
	gauge("answers_queued", "Answers running or waiting for a slot.", func() float64 { return float64(g.queued()) })
}

// indexInfo is incidentbot_index_info{version="…"} 1: which published
// index this process serves, so a scrape shows every shard on the same one
// after a refresh. A collector of its own because the label changes.
type indexInfo struct {
	served func() *incidentbot.SnapshotInfo
}

var indexInfoDesc = prometheus.NewDesc("incidentbot_index_info", "The index served: 1, labelled with its published version.", []string{"version"}, nil)

func (indexInfo) Describe(ch chan<- *prometheus.Desc) { ch <- indexInfoDesc }

func (c indexInfo) Collect(ch chan<- prometheus.Metric) {
	if info := c.served(); info != nil {
		ch <- prometheus.MustNewConstMetric(indexInfoDesc, prometheus.GaugeValue, 1, info.Version)
	}
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
