package filestate_test

import (
	"os"
	"testing"

	"github.com/incidentbot/incidentbot"
	"github.com/incidentbot/incidentbot/filestate"
	"github.com/incidentbot/incidentbot/internal/statetest"
)

var backend = statetest.Backend{
	NewStore: func(t *testing.T) string { return t.TempDir() },
	Open: func(dir string) (incidentbot.State, error) {
		return filestate.Open(dir, filestate.Options{})
	},
}

func TestMain(m *testing.M) {
	statetest.ChildMain(backend)
	os.Exit(m.Run())
}

func TestConformance(t *testing.T) { statetest.Run(t, backend) }

func BenchmarkPublishOpen(b *testing.B) {
	st, err := filestate.Open(b.TempDir(), filestate.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	statetest.BenchmarkPublishOpen(b, st)
}
