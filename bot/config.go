package bot

import (
	"reflect"
	"time"
)

// Config is what the bot is told of its deployment, as plain values;
// cmd/incidentbot fills it from the config file's discord section, whose
// documentation (config.example.yaml) says what each means.
type Config struct {
	APIBase         string
	GuildID         string
	ShardID         int
	ShardCount      int
	ModeratorRoles  []string
	MaintainerRoles []string
	MaintainerUsers []string
	AllowDMs        bool
	Mentions        bool
	// RateLimit allows PerUser (PerChannel) questions per Window, refilled
	// smoothly; 0 is no limit.
	RateLimit struct {
		PerUser    int
		PerChannel int
		Window     time.Duration
	}
	MaxConcurrent      int
	QueueSize          int
	MaxWait            time.Duration
	StreamEditInterval time.Duration
	ShutdownTimeout    time.Duration
	ThreadContextTurns int
}

// DefaultConfig is what a Bot or the console given no Config at all runs
// with: config.example.yaml's defaults.
func DefaultConfig() Config {
	c := Config{APIBase: discordAPI, ShardCount: 1, Mentions: true, MaxConcurrent: 8, QueueSize: 2000,
		MaxWait: 10 * time.Second, StreamEditInterval: time.Second, ShutdownTimeout: 20 * time.Second, ThreadContextTurns: 3}
	c.RateLimit.PerUser, c.RateLimit.PerChannel, c.RateLimit.Window = 5, 30, time.Minute
	return c
}

const discordAPI = "https://discord.com/api/v9"

// withDefaults fills what a zero Config leaves unusable, so a Bot built
// from a partial one (tests, the console) still behaves.
func withDefaults(c Config) Config {
	d := DefaultConfig()
	if reflect.ValueOf(c).IsZero() {
		return d // nothing configured at all: the documented defaults
	}
	if c.APIBase == "" {
		c.APIBase = d.APIBase
	}
	if c.ShardCount < 1 {
		c.ShardCount = 1
	}
	if c.MaxConcurrent < 1 {
		c.MaxConcurrent = d.MaxConcurrent
	}
	c.QueueSize = max(c.QueueSize, 0)
	if c.StreamEditInterval <= 0 {
		c.StreamEditInterval = d.StreamEditInterval
	}
	if c.ShutdownTimeout <= 0 {
		c.ShutdownTimeout = d.ShutdownTimeout
	}
	c.ThreadContextTurns = max(c.ThreadContextTurns, 0)
	if c.RateLimit.Window <= 0 {
		c.RateLimit.Window = d.RateLimit.Window
	}
	return c
}
