package bot

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/incidentbot/incidentbot"
)

// metrics are written by hand in the Prometheus text format: a dozen
// series do not justify client_golang's registry and its dependencies.
type metrics struct {
	answered     atomic.Int64 // answers given (refusals and fallbacks included)
	refused      atomic.Int64
	fallback     atomic.Int64 // the language model failed; extractive answer given
	answerErrors atomic.Int64 // no answer at all
	rateLimited  atomic.Int64
	busy         atomic.Int64
	panics       atomic.Int64
	votes        atomic.Int64
	refreshes    atomic.Int64
	undelivered  atomic.Int64 // replies Discord did not take, retries included

	answerLatency *histogram // from the event reaching the bot to the answer shown
	ackLatency    *histogram // from the event reaching the bot to Discord accepting the acknowledgement

	mu            sync.Mutex
	discordErrors map[string]int64 // by Discord error code
}

func newMetrics() *metrics {
	return &metrics{
		answerLatency: newHistogram(0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
		ackLatency:    newHistogram(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 3),
		discordErrors: map[string]int64{},
	}
}

func (m *metrics) countAnswer(a *incidentbot.Answer, latency time.Duration) {
	m.answered.Add(1)
	if a.Refused {
		m.refused.Add(1)
	}
	if a.Mode == incidentbot.ModeFallback {
		m.fallback.Add(1)
	}
	m.answerLatency.observe(latency.Seconds())
}

func (m *metrics) discordError(code string) {
	m.mu.Lock()
	m.discordErrors[code]++
	m.mu.Unlock()
}

// gauges are sampled when /metrics is read.
type gauges struct {
	connected   bool
	indexLoaded bool
	passages    int
	indexAge    float64
	inflight    int
	queued      int
}

func (m *metrics) write(w io.Writer, g gauges) {
	counter := func(name, help string, v int64) {
		fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s counter\n%s %d\n", name, help, name, name, v)
	}
	gauge := func(name, help string, v float64) {
		fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s gauge\n%s %s\n", name, help, name, name, formatFloat(v))
	}
	counter("incidentbot_questions_answered_total", "Questions answered, refusals and fallbacks included.", m.answered.Load())
	counter("incidentbot_questions_refused_total", "Questions the sources could not answer.", m.refused.Load())
	counter("incidentbot_questions_fallback_total", "Answers given extractively because the language model failed.", m.fallback.Load())
	counter("incidentbot_questions_failed_total", "Questions that got no answer because of an error.", m.answerErrors.Load())
	counter("incidentbot_rate_limited_total", "Requests turned away by the per-user or per-channel limit.", m.rateLimited.Load())
	counter("incidentbot_busy_total", "Requests turned away because the answer queue was full.", m.busy.Load())
	counter("incidentbot_panics_total", "Handler panics recovered.", m.panics.Load())
	counter("incidentbot_feedback_votes_total", "Feedback button clicks recorded.", m.votes.Load())
	counter("incidentbot_refreshes_total", "Successful index refreshes.", m.refreshes.Load())
	counter("incidentbot_replies_undelivered_total", "Replies, answers included, that Discord did not take after retrying what might pass.", m.undelivered.Load())

	fmt.Fprintf(w, "# HELP incidentbot_discord_errors_total Failed Discord REST calls by Discord error code.\n# TYPE incidentbot_discord_errors_total counter\n")
	m.mu.Lock()
	codes := make([]string, 0, len(m.discordErrors))
	for c := range m.discordErrors {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	for _, c := range codes {
		fmt.Fprintf(w, "incidentbot_discord_errors_total{code=%q} %d\n", c, m.discordErrors[c])
	}
	m.mu.Unlock()

	m.answerLatency.write(w, "incidentbot_answer_latency_seconds", "Time from receiving a question to showing its answer.")
	m.ackLatency.write(w, "incidentbot_ack_latency_seconds", "Time from receiving an interaction to Discord accepting its acknowledgement.")

	gauge("incidentbot_gateway_connected", "1 when the gateway connection is up.", b2f(g.connected))
	gauge("incidentbot_index_loaded", "1 when an index is loaded.", b2f(g.indexLoaded))
	gauge("incidentbot_index_passages", "Passages in the live index.", float64(g.passages))
	gauge("incidentbot_index_age_seconds", "Seconds since the live index was built.", g.indexAge)
	gauge("incidentbot_events_in_flight", "Events being handled.", float64(g.inflight))
	gauge("incidentbot_answers_queued", "Answers running or waiting for a slot.", float64(g.queued))
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func formatFloat(v float64) string {
	if math.IsInf(v, 1) {
		return "+Inf"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// histogram is a cumulative Prometheus histogram.
type histogram struct {
	mu     sync.Mutex
	bounds []float64
	counts []int64 // per bucket, not cumulative; last is +Inf
	sum    float64
	n      int64
}

func newHistogram(bounds ...float64) *histogram {
	return &histogram{bounds: bounds, counts: make([]int64, len(bounds)+1)}
}

func (h *histogram) observe(v float64) {
	i := sort.SearchFloat64s(h.bounds, v) // first bound >= v
	h.mu.Lock()
	h.counts[i]++
	h.sum += v
	h.n++
	h.mu.Unlock()
}

func (h *histogram) write(w io.Writer, name, help string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s histogram\n", name, help, name)
	var cum int64
	for i, b := range h.bounds {
		cum += h.counts[i]
		fmt.Fprintf(w, "%s_bucket{le=%q} %d\n", name, strings.TrimSuffix(formatFloat(b), ".0"), cum)
	}
	cum += h.counts[len(h.bounds)]
	fmt.Fprintf(w, "%s_bucket{le=\"+Inf\"} %d\n%s_sum %s\n%s_count %d\n", name, cum, name, formatFloat(h.sum), name, h.n)
}
