package wiring

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/incidentbot/incidentbot/retrieval"
)

// StoreMetrics registers on reg what the store says about saving the index
// it serves: a refresh serves before its snapshot is published, and a
// snapshot that cannot be saved is retried while the other processes keep
// the previous index, which an operator wants to see.
func StoreMetrics(reg prometheus.Registerer, st *retrieval.Store) {
	reg.MustRegister(
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "incidentbot_index_save_failures_total",
			Help: "Attempts to save (publish) a refreshed index that failed; each is retried."},
			func() float64 { return float64(st.SaveFailures()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "incidentbot_index_unsaved",
			Help: "1 while this process serves a refreshed index whose snapshot is not published yet."},
			func() float64 {
				if st.Saving() != nil {
					return 1
				}
				return 0
			}),
	)
}
