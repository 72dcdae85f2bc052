package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"github.com/incidentbot/incidentbot"
	"github.com/incidentbot/incidentbot/config"
	"github.com/incidentbot/incidentbot/filestate"
	"github.com/incidentbot/incidentbot/postgres"
)

// openState opens what every process of this bot shares: PostgreSQL when
// the config names the environment variable holding its URL (shards on
// several machines), else files in the data folder (one machine). shared
// reports the former: the corpus folder of one machine is then not the
// authority on what is served, so a process does not refresh on start.
func openState(ctx context.Context, cfg config.Config, log *slog.Logger) (st incidentbot.State, shared bool, err error) {
	if env := cfg.State.PostgresURLEnv; env != "" {
		url := os.Getenv(env)
		if url == "" {
			return nil, false, fmt.Errorf("state.postgres_url_env names %s, which is not set: set it to the PostgreSQL URL, or remove the setting to keep the state in %s", env, cfg.Data)
		}
		pg, err := postgres.Open(ctx, url, postgres.Options{Logger: log})
		if err != nil {
			return nil, false, fmt.Errorf("opening the shared state in PostgreSQL (%s): %w", env, err)
		}
		return pg, true, nil
	}
	fs, err := filestate.Open(cfg.Data, filestate.Options{Logger: log})
	if err != nil {
		return nil, false, fmt.Errorf("opening the data folder %s: %w", cfg.Data, err)
	}
	return fs, false, nil
}
