package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/incidentbot/incidentbot/bot/discordtest"
	"github.com/incidentbot/incidentbot/postgres"
	"github.com/incidentbot/incidentbot/postgres/pgtest"
)

// These tests run the built binary as several processes serving one bot
// (shards), against a fake Discord that routes each guild to its shard as
// Discord does, and check that a refresh made anywhere is answered
// everywhere.

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// builtBinary builds the program once per test binary.
func builtBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the real binary")
	}
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "incidentbot-bin-")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "incidentbot")
		if out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput(); err != nil {
			binErr = fmt.Errorf("build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// guildOnShard returns a guild id that Discord's formula puts on shard
// `shard` of `count`.
func guildOnShard(shard, count int) string {
	for id := uint64(1200000000000000001); ; id += 1 << 22 {
		if int((id>>22)%uint64(count)) == shard {
			return strconv.FormatUint(id, 10)
		}
	}
}

// process is a running `incidentbot serve`; done is closed when it exits,
// with its error in err.
type process struct {
	cmd  *exec.Cmd
	logs *syncBuffer
	done chan struct{}
	err  error
}

func startServe(t *testing.T, bin string, srv *discordtest.Server, data string, shard, shards int, extraConfig string, env ...string) *process {
	t.Helper()
	cfgPath := filepath.Join(t.TempDir(), "config.yaml")
	cfg := fmt.Sprintf("discord:\n  api_base: %s\n  shard_id: %d\n  shard_count: %d\n  mentions: false\n  maintainer_users: [\"1400000000000000077\"]\nhttp:\n  listen: \"\"\n%s", srv.APIBase(), shard, shards, extraConfig)
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	p := &process{cmd: exec.Command(bin, "serve", "--config", cfgPath, "--data", data), logs: &syncBuffer{}, done: make(chan struct{})}
	p.cmd.Env = append(append(os.Environ(), "DISCORD_TOKEN="+srv.Token()), env...)
	p.cmd.Stdout, p.cmd.Stderr = p.logs, p.logs
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.err = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(20 * time.Second):
			p.cmd.Process.Kill()
			<-p.done
		}
		if t.Failed() {
			t.Logf("shard %d log:\n%s", shard, tailLines(p.logs.String(), 40))
		}
	})
	return p
}

func tailLines(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// waitRunning waits until the process says it is running.
func (p *process) waitRunning(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for !strings.Contains(p.logs.String(), "bot running") {
		select {
		case <-p.done:
			t.Fatalf("serve exited: %v\n%s", p.err, p.logs.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve never got running:\n%s", p.logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// askIn asks in a guild and returns the answer's text.
func askIn(t *testing.T, srv *discordtest.Server, guild, question string) string {
	t.Helper()
	// Each question from another member, as in a busy server: one
	// member asking again and again would meet the per-user rate limit,
	// which is not what these tests measure.
	asker := discordtest.NewMember(discordtest.NewUser(fmt.Sprintf("15%017d", askers.Add(1)), "asker"))
	in := discordtest.SlashCommand("ask", discordtest.StringOption("question", question)).InGuild(guild, discordtest.DefaultChannelID).ByMember(asker)
	if err := srv.SendInteraction(in); err != nil {
		t.Fatalf("asking in guild %s: %v", guild, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rec, err := srv.WaitInteraction(ctx, in.ID, func(r *discordtest.InteractionRecord) bool {
		text := rendered(r.Original)
		return text != "" && !strings.Contains(text, "thinking")
	})
	if err != nil {
		t.Fatalf("no answer in guild %s: %v", guild, err)
	}
	return rendered(rec.Original)
}

var askers atomic.Int64

// answeredWithin asks until the answer contains want, for at most d.
func answeredWithin(t *testing.T, srv *discordtest.Server, guild, question, want string, d time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	for {
		text := askIn(t, srv, guild, question)
		if strings.Contains(text, want) {
			return time.Since(start)
		}
		if time.Since(start) > d {
			t.Fatalf("guild %s: no answer with %q within %v; last: %q", guild, want, d, text)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

const zetaArticle = `---
title: "Montenegro names the Zeta Unit"
outlet: Test Wire
date: "2022-09-20"
tags: [montenegro]
---
Montenegro's investigators said the Zeta Unit, a group never named before, ran the ransomware campaign against Podgorica.
`

const zetaQuestion = "Which group ran the ransomware campaign against Podgorica?"

func shardedDiscord(t *testing.T) (*discordtest.Server, [2]string) {
	guilds := [2]string{guildOnShard(0, 2), guildOnShard(1, 2)}
	srv := discordtest.New(t, discordtest.Config{Token: "shard-test-token", Guilds: []discordtest.Guild{
		{ID: guilds[0], Name: "zero", Channels: []discordtest.Channel{{ID: discordtest.DefaultChannelID, Name: "general"}}},
		{ID: guilds[1], Name: "one", Channels: []discordtest.Channel{{ID: "1300000000000000002", Name: "general"}}},
	}})
	return srv, guilds
}

func copyShippedCorpus(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	entries, _ := os.ReadDir("../../corpus/articles")
	for _, e := range entries {
		b, _ := os.ReadFile(filepath.Join("../../corpus/articles", e.Name()))
		os.WriteFile(filepath.Join(dir, e.Name()), b, 0o644)
	}
	return dir
}

// Two shard processes on one data folder: a refresh made by the CLI beside
// them is answered in a guild of either shard within 5 s.
func TestShardsOnOneDataFolderServeARefreshMadeBesideThem(t *testing.T) {
	bin := builtBinary(t)
	srv, guilds := shardedDiscord(t)
	corpusDir, data := copyShippedCorpus(t), t.TempDir()
	if out, err := runCorpusCmd(t, "index", "--corpus", corpusDir, "--data", data); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	shards := [2]*process{}
	for i := range shards {
		shards[i] = startServe(t, bin, srv, data, i, 2, fmt.Sprintf("corpus: %s\n", corpusDir))
	}
	for _, p := range shards {
		p.waitRunning(t)
	}
	if text := askIn(t, srv, guilds[1], zetaQuestion); strings.Contains(text, "Zeta") {
		t.Fatalf("answered from an article not added yet:\n%s", text)
	}

	os.WriteFile(filepath.Join(corpusDir, "005_zeta.md"), []byte(zetaArticle), 0o644)
	if out, err := runCorpusCmd(t, "refresh", "--corpus", corpusDir, "--data", data); err != nil || !strings.Contains(out, "+ added   005_zeta") {
		t.Fatalf("refresh: %v\n%s", err, out)
	}
	for i, g := range guilds {
		took := answeredWithin(t, srv, g, zetaQuestion, "Zeta", 5*time.Second)
		t.Logf("shard %d answered from the refresh after %v", i, took)
	}
	for i, p := range shards {
		if !strings.Contains(p.logs.String(), "swapped in a newer index") {
			t.Errorf("shard %d did not log the swap", i)
		}
	}

	// A maintainer's /refresh in a guild of shard 0 is answered in a guild
	// of shard 1.
	os.WriteFile(filepath.Join(corpusDir, "006_drill.md"), []byte(drillArticle), 0o644)
	ref := discordtest.SlashCommand("refresh").InGuild(guilds[0], discordtest.DefaultChannelID).ByMember(maintainerMember)
	if err := srv.SendInteraction(ref); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	preview, err := srv.WaitInteraction(ctx, ref.ID, func(r *discordtest.InteractionRecord) bool { return r.Original != nil && len(r.Original.Buttons()) > 0 })
	if err != nil {
		t.Fatalf("no refresh preview: %v", err)
	}
	var apply string
	for _, b := range preview.Original.Buttons() {
		if strings.HasPrefix(b.CustomID, "refresh:apply:") {
			apply = b.CustomID
		}
	}
	click := discordtest.ButtonClick(apply).InGuild(guilds[0], discordtest.DefaultChannelID).ByMember(maintainerMember).OnMessage(preview.Original)
	if err := srv.SendInteraction(click); err != nil {
		t.Fatal(err)
	}
	if _, err := srv.WaitInteraction(ctx, click.ID, func(r *discordtest.InteractionRecord) bool {
		return strings.Contains(rendered(r.Original), "Index refreshed")
	}); err != nil {
		t.Fatalf("the refresh was not applied: %v", err)
	}
	took := answeredWithin(t, srv, guilds[1], drillQuestion, "Quartz Heron", 5*time.Second)
	t.Logf("shard 1 answered from shard 0's /refresh after %v", took)
}

const drillArticle = `---
title: "Blackout drill at the Tirana data centre"
outlet: Test Wire
date: "2022-10-03"
---
On October 3, 2022, Albania's National Agency for Information Society ran a blackout drill codenamed Operation Quartz Heron at the Tirana data centre.
`

const drillQuestion = "What was the blackout drill at the Tirana data centre called?"

var maintainerMember = discordtest.NewMember(discordtest.NewUser("1400000000000000077", "maintainer"))

// Shards on separate data folders sharing one PostgreSQL: a refresh made on
// a third machine is answered by both within 5 s; a process started with an
// empty data folder answers from the database at once; a refresh killed
// mid-way leaves the database serving the previous snapshot.
func TestShardsOnSeveralMachinesShareOnePostgres(t *testing.T) {
	bin := builtBinary(t)
	url := pgtest.Start(t)
	env := "INCIDENTBOT_POSTGRES_URL=" + url
	t.Setenv("INCIDENTBOT_POSTGRES_URL", url) // for the in-process CLI runs
	srv, guilds := shardedDiscord(t)
	stateCfg := "state:\n  postgres_url_env: INCIDENTBOT_POSTGRES_URL\n"

	shards := [2]*process{}
	for i := range shards {
		// Each machine has its own data folder and the shipped corpus.
		shards[i] = startServe(t, bin, srv, t.TempDir(), i, 2, stateCfg, env)
		shards[i].waitRunning(t) // the first builds and publishes; the second loads it
	}
	if strings.Contains(shards[1].logs.String(), "embedded") && !strings.Contains(shards[0].logs.String(), "refresh applied") {
		t.Log("note: shard 1 built its own index")
	}

	// The maintainer's machine: its own data folder and a corpus with one
	// article more.
	cfgPath := filepath.Join(t.TempDir(), "config.yaml")
	os.WriteFile(cfgPath, []byte(stateCfg+"log:\n  level: error\n"), 0o644)
	corpusDir := copyShippedCorpus(t)
	os.WriteFile(filepath.Join(corpusDir, "005_zeta.md"), []byte(zetaArticle), 0o644)
	out, err := runCorpusCmd(t, "refresh", "--config", cfgPath, "--corpus", corpusDir, "--data", t.TempDir())
	if err != nil || !strings.Contains(out, "+ added   005_zeta") || strings.Contains(out, "+ added   001") {
		t.Fatalf("refresh against the database's index: %v\n%s", err, out)
	}
	for i, g := range guilds {
		took := answeredWithin(t, srv, g, zetaQuestion, "Zeta", 5*time.Second)
		t.Logf("shard %d answered from the refresh after %v", i, took)
	}

	// A new machine with an empty data folder and the shipped corpus (no
	// Zeta article) serves the database's newest index at once.
	shards[0].cmd.Process.Signal(syscall.SIGTERM)
	<-shards[0].done
	fresh := startServe(t, bin, srv, t.TempDir(), 0, 2, stateCfg, env)
	fresh.waitRunning(t)
	if text := askIn(t, srv, guilds[0], zetaQuestion); !strings.Contains(text, "Zeta") {
		t.Errorf("a process started with an empty data folder does not serve the database's index:\n%s", text)
	}

	// A refresh killed mid-way: the database still serves what it served.
	st, err := postgres.Open(context.Background(), url, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	before, err := st.Latest(context.Background())
	if err != nil || before == nil {
		t.Fatalf("latest: %v %v", before, err)
	}
	for _, e := range []string{"001_a5fffa3effbdf9de.md", "002_013f2565afa33a21.md"} {
		p := filepath.Join(corpusDir, e)
		b, _ := os.ReadFile(p)
		os.WriteFile(p, []byte(strings.ReplaceAll(string(b), "Iran", "Irán")), 0o644)
	}
	for _, delay := range []time.Duration{300 * time.Millisecond, 900 * time.Millisecond, 1500 * time.Millisecond} {
		kill := exec.Command(bin, "refresh", "--config", cfgPath, "--corpus", corpusDir, "--data", t.TempDir())
		kill.Env = append(os.Environ(), env)
		if err := kill.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(delay)
		kill.Process.Kill()
		kill.Wait()
		now, err := st.Latest(context.Background())
		if err != nil || now == nil {
			t.Fatalf("after a killed refresh: %v %v", now, err)
		}
		if now.Version != before.Version {
			t.Logf("the refresh killed after %v had published %s already", delay, now.Version)
			before = now
		}
		// Whatever is latest serves, and the refresh lock is free again.
		if text := askIn(t, srv, guilds[1], zetaQuestion); !strings.Contains(text, "Zeta") {
			t.Errorf("after a refresh killed at %v, shard 1 answers:\n%s", delay, text)
		}
	}
	if out, err := runCorpusCmd(t, "refresh", "--config", cfgPath, "--corpus", corpusDir, "--data", t.TempDir()); err != nil {
		t.Errorf("a refresh after the killed ones: %v\n%s", err, out)
	}
}
