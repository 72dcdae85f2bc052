package postgres_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/incidentbot/incidentbot"
	"github.com/incidentbot/incidentbot/internal/statetest"
	"github.com/incidentbot/incidentbot/postgres"
	"github.com/incidentbot/incidentbot/postgres/pgtest"
)

var backend = statetest.Backend{
	NewStore: func(t *testing.T) string { return pgtest.Start(t) },
	Open: func(url string) (incidentbot.State, error) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		return postgres.Open(ctx, url, postgres.Options{})
	},
}

func TestMain(m *testing.M) {
	statetest.ChildMain(backend)
	os.Exit(pgtest.Main(m))
}

func TestConformance(t *testing.T) { statetest.Run(t, backend) }

func BenchmarkPublishOpen(b *testing.B) {
	st, err := postgres.Open(context.Background(), pgtest.Start(b), postgres.Options{KeepSnapshots: 1})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	statetest.BenchmarkPublishOpen(b, st)
}
