package answer

import (
	"sort"

	"github.com/incidentbot/incidentbot"
	"github.com/incidentbot/incidentbot/retrieval"
)

// inReportingOrder sorts quotes for an overview (a broad answer, a
// summary) in the order things were reported: by their articles' dates,
// then articles, then place in the article.
func inReportingOrder[T any](xs []T, at func(T) (*retrieval.Hit, incidentbot.Span)) {
	sort.SliceStable(xs, func(i, j int) bool {
		hi, si := at(xs[i])
		hj, sj := at(xs[j])
		ai, aj := hi.Article, hj.Article
		if !ai.Date.Equal(aj.Date) {
			return ai.Date.Before(aj.Date)
		}
		if ai.ID != aj.ID {
			return ai.ID < aj.ID
		}
		return si.Start < sj.Start
	})
}
