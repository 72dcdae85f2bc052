package incidentbot

import "context"

// Library is the searchable corpus being served: the index over the
// articles. *retrieval.Store is one, behind internal/wiring.Library.
type Library interface {
	// Search returns the k passages that best match query, best first.
	Search(ctx context.Context, query string, k int) ([]Result, error)
	// Served describes the index being served, nil until one is loaded.
	// Its Version changes whenever the served passages do, so an answer
	// kept under one version never outlives a refresh.
	Served() *SnapshotInfo
}
