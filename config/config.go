// Package config reads config.yaml. Every option has a default, so the
// program runs with no file at all: offline, on the built-in corpus, with the
// local sentence encoder and the extractive answerer.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Config is the whole configuration. config.example.yaml documents each field.
type Config struct {
	Corpus   string   `yaml:"corpus"`
	Data     string   `yaml:"data"`
	Embedder Embedder `yaml:"embedder"`
	LLM      LLM      `yaml:"llm"`
	Answer   Answer   `yaml:"answer"`
	Discord  Discord  `yaml:"discord"`
	HTTP     HTTP     `yaml:"http"`
	Log      Log      `yaml:"log"`
	State    State    `yaml:"state"`
}

// Embedder chooses how texts become vectors.
type Embedder struct {
	Provider   string        `yaml:"provider"` // "use-lite" or "openai"
	ModelDir   string        `yaml:"model_dir"`
	BaseURL    string        `yaml:"base_url"`
	Model      string        `yaml:"model"`
	APIKeyEnv  string        `yaml:"api_key_env"`
	Timeout    time.Duration `yaml:"timeout"`
	MaxRetries int           `yaml:"max_retries"`
	BatchSize  int           `yaml:"batch_size"`
}

// LLM configures the optional language model that writes answers.
type LLM struct {
	Enabled     bool          `yaml:"enabled"`
	BaseURL     string        `yaml:"base_url"`
	Model       string        `yaml:"model"`
	APIKeyEnv   string        `yaml:"api_key_env"`
	Temperature float32       `yaml:"temperature"`
	MaxTokens   int           `yaml:"max_tokens"`
	Timeout     time.Duration `yaml:"timeout"`
	MaxRetries  int           `yaml:"max_retries"`
}

// Answer tunes answering.
type Answer struct {
	TopK             int `yaml:"top_k"`
	MaxQuestionChars int `yaml:"max_question_chars"`
}

// Discord configures the bot.
type Discord struct {
	TokenEnv        string   `yaml:"token_env"`
	APIBase         string   `yaml:"api_base"`
	GuildID         string   `yaml:"guild_id"`
	ShardID         int      `yaml:"shard_id"`
	ShardCount      int      `yaml:"shard_count"`
	ModeratorRoles  []string `yaml:"moderator_roles"`
	MaintainerRoles []string `yaml:"maintainer_roles"`
	MaintainerUsers []string `yaml:"maintainer_users"`
	AllowDMs        bool     `yaml:"allow_dms"`
	Mentions        bool     `yaml:"mentions"`
	RateLimit       struct {
		PerUser    int           `yaml:"per_user"`
		PerChannel int           `yaml:"per_channel"`
		Window     time.Duration `yaml:"window"`
	} `yaml:"rate_limit"`
	MaxConcurrent int `yaml:"max_concurrent"`
	QueueSize     int `yaml:"queue_size"`
	// MaxWait is the longest a question may expect to wait for an answer
	// slot (answers ahead × measured time per answer); beyond it the
	// asker is told the bot is busy.
	MaxWait            time.Duration `yaml:"max_wait"`
	StreamEditInterval time.Duration `yaml:"stream_edit_interval"`
	ShutdownTimeout    time.Duration `yaml:"shutdown_timeout"`
	ThreadContextTurns int           `yaml:"thread_context_turns"`
}

// HTTP is the local operations endpoint (/healthz, /metrics).
type HTTP struct {
	Listen string `yaml:"listen"` // empty disables it
}

// State says where the processes serving the bot share the index
// snapshots, the refresh lock and history, the refresh previews and the
// feedback.
type State struct {
	// PostgresURLEnv names the environment variable holding a PostgreSQL
	// URL (it may carry a password, so it is never in this file); empty:
	// files in the data folder, for processes on one machine.
	PostgresURLEnv string `yaml:"postgres_url_env"`
}

// envName is what an environment variable's name may be.
var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// PostgresURL returns the PostgreSQL URL the state is kept at, or "" for
// files in the data folder. The URL is read from the environment variable
// state.postgres_url_env names; that variable being unset or empty is an
// error, not a quiet fall back to files that other machines cannot see.
func (c Config) PostgresURL() (string, error) {
	name := c.State.PostgresURLEnv
	if name == "" {
		return "", nil
	}
	u := Secret(name)
	if u == "" {
		return "", fmt.Errorf("state.postgres_url_env names %s, which is not set: set it to the PostgreSQL URL, or remove the setting to keep the state in the data folder", name)
	}
	return u, nil
}

// Log configures log/slog output.
type Log struct {
	Level  string `yaml:"level"`  // debug, info, warn, error
	Format string `yaml:"format"` // text or json
}

// Default returns the configuration used when there is no file.
func Default() Config {
	c := Config{
		Data: "./data",
		Embedder: Embedder{Provider: "use-lite", APIKeyEnv: "OPENAI_API_KEY", Timeout: 30 * time.Second,
			MaxRetries: 3, BatchSize: 64},
		LLM: LLM{BaseURL: "http://localhost:11434/v1", Model: "llama3.1", APIKeyEnv: "OPENAI_API_KEY",
			Temperature: 0, MaxTokens: 400, Timeout: 30 * time.Second, MaxRetries: 2},
		Answer: Answer{TopK: 5, MaxQuestionChars: 1000},
		Discord: Discord{TokenEnv: "DISCORD_TOKEN", APIBase: "https://discord.com/api/v9", ShardCount: 1,
			Mentions: true, MaxConcurrent: 8, QueueSize: 2000, MaxWait: 10 * time.Second, StreamEditInterval: time.Second,
			ShutdownTimeout: 20 * time.Second, ThreadContextTurns: 3},
		HTTP: HTTP{Listen: "127.0.0.1:9090"},
		Log:  Log{Level: "info", Format: "text"},
	}
	c.Discord.RateLimit.PerUser = 5
	c.Discord.RateLimit.PerChannel = 30
	c.Discord.RateLimit.Window = time.Minute
	return c
}

// Load reads path over the defaults. An empty path means no file. Unknown
// fields are errors (a typo must not silently fall back to a default).
func Load(path string) (Config, error) {
	c := Default()
	if path == "" {
		return c, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return c, fmt.Errorf("reading config: %w", err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil && !errors.Is(err, io.EOF) {
		return c, fmt.Errorf("config %s: %w", path, err)
	}
	if err := c.Validate(); err != nil {
		return c, fmt.Errorf("config %s: %w", path, err)
	}
	return c, nil
}

// Validate checks values that have to make sense together.
func (c Config) Validate() error {
	var errs []string
	switch c.Embedder.Provider {
	case "use-lite":
	case "openai":
		if c.Embedder.BaseURL == "" || c.Embedder.Model == "" {
			errs = append(errs, "embedder: provider openai needs base_url and model")
		}
	default:
		errs = append(errs, fmt.Sprintf("embedder.provider %q: use use-lite or openai", c.Embedder.Provider))
	}
	if c.LLM.Enabled && (c.LLM.BaseURL == "" || c.LLM.Model == "") {
		errs = append(errs, "llm: enabled needs base_url and model")
	}
	if c.Answer.TopK < 1 || c.Answer.TopK > 20 {
		errs = append(errs, "answer.top_k must be between 1 and 20")
	}
	if c.Discord.ShardCount < 1 || c.Discord.ShardID < 0 || c.Discord.ShardID >= c.Discord.ShardCount {
		errs = append(errs, "discord: shard_id must be in [0, shard_count)")
	}
	if c.Discord.RateLimit.Window <= 0 {
		errs = append(errs, "discord.rate_limit.window must be positive")
	}
	if c.Discord.MaxConcurrent < 1 {
		errs = append(errs, "discord.max_concurrent must be at least 1")
	}
	if n := c.State.PostgresURLEnv; n != "" && !envName.MatchString(n) {
		// Not quoted: if someone pasted the URL itself, it has a password.
		errs = append(errs, "state.postgres_url_env is the name of the environment variable that holds the PostgreSQL URL "+
			"(e.g. INCIDENTBOT_POSTGRES_URL), not the URL itself")
	}
	if len(errs) > 0 {
		return errors.New(strings.Join(errs, "; "))
	}
	return nil
}

// Secret reads the environment variable named by envName. Only its name is
// ever logged.
func Secret(envName string) string {
	if envName == "" {
		return ""
	}
	return os.Getenv(envName)
}
