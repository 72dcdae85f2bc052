package wiring

import (
	"context"
	"time"

	"github.com/incidentbot/incidentbot"
	"github.com/incidentbot/incidentbot/retrieval"
)

// Library is the store as the bot sees it: search results and what index
// is served, in the root package's types.
func Library(st *retrieval.Store) incidentbot.Library { return library{st} }

type library struct{ st *retrieval.Store }

func (l library) Search(ctx context.Context, query string, k int) ([]incidentbot.Result, error) {
	resp, err := l.st.Search(ctx, query, k)
	if err != nil {
		return nil, err
	}
	out := make([]incidentbot.Result, len(resp.Hits))
	for i, h := range resp.Hits {
		out[i] = h.Result
	}
	return out, nil
}

// Served is the index served: the published snapshot's version (a refresh
// that changes anything, here or in another process, publishes a new one),
// or, for an index not published (yet: a refresh serves before its
// snapshot lands; or ever: tests, benchmarks), when it was built.
func (l library) Served() *incidentbot.SnapshotInfo {
	ix := l.st.Index()
	if ix == nil {
		return nil
	}
	version := ix.Version()
	if version == "" {
		version = "built " + ix.BuiltAt.UTC().Format(time.RFC3339Nano)
	}
	return &incidentbot.SnapshotInfo{
		Version: version, BuiltAt: ix.BuiltAt, Embedder: ix.EmbedderID,
		Articles: len(ix.Articles()), Passages: len(ix.Passages()),
	}
}
