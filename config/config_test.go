package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The example file documents every option; it must load as it is.
func TestExampleConfigLoads(t *testing.T) {
	c, err := Load("../config.example.yaml")
	if err != nil {
		t.Fatalf("config.example.yaml: %v", err)
	}
	// The example shows the defaults, so copying it changes nothing.
	d := Default()
	if c.Embedder != d.Embedder || c.LLM != d.LLM || c.Answer != d.Answer || c.HTTP != d.HTTP || c.Log != d.Log || c.State != d.State ||
		c.Discord.TokenEnv != d.Discord.TokenEnv || c.Discord.RateLimit != d.Discord.RateLimit || c.Discord.MaxConcurrent != d.Discord.MaxConcurrent {
		t.Errorf("config.example.yaml does not show the defaults:\n%+v\nwant\n%+v", c, d)
	}
}

func TestNoFileMeansDefaults(t *testing.T) {
	c, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	if c.Embedder.Provider != "use-lite" || c.LLM.Enabled {
		t.Errorf("without a file the bot must be offline: provider %q, llm %v", c.Embedder.Provider, c.LLM.Enabled)
	}
}

func TestTypoIsAnError(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.yaml")
	os.WriteFile(path, []byte("llm:\n  enabeld: true\n"), 0o644)
	_, err := Load(path)
	if err == nil || !strings.Contains(err.Error(), "enabeld") || !strings.Contains(err.Error(), "line 2") {
		t.Fatalf("a misspelt option must be reported with its line, got %v", err)
	}
}

func TestInvalidCombinations(t *testing.T) {
	for _, tc := range []struct{ yaml, want string }{
		{"embedder:\n  provider: openai\n", "base_url"},
		{"embedder:\n  provider: bert\n", "use-lite or openai"},
		{"discord:\n  shard_id: 2\n  shard_count: 2\n", "shard_id"},
		{"answer:\n  top_k: 0\n", "top_k"},
		{"state:\n  postgres_url_env: postgres://bot:pw@db/incidentbot\n", "not the URL itself"},
	} {
		path := filepath.Join(t.TempDir(), "c.yaml")
		os.WriteFile(path, []byte(tc.yaml), 0o644)
		if _, err := Load(path); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: want error mentioning %q, got %v", tc.yaml, tc.want, err)
		}
	}
}

// The URL comes from the environment variable the config names; a pasted
// URL (with its password) is refused without being repeated.
func TestPostgresURL(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.yaml")
	os.WriteFile(path, []byte("state:\n  postgres_url_env: INCIDENTBOT_TEST_PG_URL\n"), 0o644)
	c, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("INCIDENTBOT_TEST_PG_URL", "")
	if _, err := c.PostgresURL(); err == nil || !strings.Contains(err.Error(), "INCIDENTBOT_TEST_PG_URL") {
		t.Errorf("the variable unset: want an error naming it, got %v", err)
	}
	t.Setenv("INCIDENTBOT_TEST_PG_URL", "postgres://bot:pw@db/incidentbot")
	if u, err := c.PostgresURL(); err != nil || u != "postgres://bot:pw@db/incidentbot" {
		t.Errorf("PostgresURL = %q, %v", u, err)
	}
	if u, err := Default().PostgresURL(); u != "" || err != nil {
		t.Errorf("by default the state is in the data folder, got %q, %v", u, err)
	}

	os.WriteFile(path, []byte("state:\n  postgres_url_env: postgres://bot:s3cret@db/incidentbot\n"), 0o644)
	if _, err := Load(path); err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("a URL pasted in place of the variable's name: want an error not showing it, got %v", err)
	}
}
