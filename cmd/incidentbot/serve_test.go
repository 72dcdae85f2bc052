package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/incidentbot/incidentbot/bot/discordtest"
)

// syncBuffer collects a child process's output safely while it runs.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func rendered(m *discordtest.Message) string {
	if m == nil {
		return ""
	}
	var sb strings.Builder
	sb.WriteString(m.Content)
	for _, e := range m.Embeds {
		sb.WriteString("\n" + e.Title + "\n" + e.Description)
		for _, f := range e.Fields {
			sb.WriteString("\n" + f.Name + "\n" + f.Value)
		}
	}
	return sb.String()
}

// The built binary, `incidentbot serve`, against the fake Discord: it finds
// the gateway through the configured REST base, registers its commands,
// answers /ask with cited sources that ping nobody, never logs its token,
// and shuts down cleanly on SIGTERM.
func TestServeBinaryAgainstFakeDiscord(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the real binary")
	}
	bin := filepath.Join(t.TempDir(), "incidentbot")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	srv := discordtest.New(t, discordtest.Config{Token: "secret-token-for-the-test"})
	cfgPath := filepath.Join(t.TempDir(), "config.yaml")
	cfg := fmt.Sprintf(`discord:
  api_base: %s
  guild_id: "%s"
  mentions: false
http:
  listen: "127.0.0.1:0"
`, srv.APIBase(), discordtest.DefaultGuildID)
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "serve", "--config", cfgPath, "--data", sharedData)
	cmd.Env = append(os.Environ(), "DISCORD_TOKEN="+srv.Token())
	var logs syncBuffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	defer func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			<-done
		}
	}()

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := srv.Wait(ctx, func() bool { return len(srv.Commands(discordtest.DefaultGuildID)) > 0 }); err != nil {
		t.Fatalf("commands never registered: %v\nlogs:\n%s", err, logs.String())
	}
	names := map[string]bool{}
	for _, c := range srv.Commands(discordtest.DefaultGuildID) {
		names[c.Name] = true
	}
	for _, want := range []string{"ask", "sources", "summary", "timeline", "refresh"} {
		if !names[want] {
			t.Errorf("command /%s not registered (got %v)", want, names)
		}
	}

	in := discordtest.SlashCommand("ask", discordtest.StringOption("question", "When did the cyberattack on Montenegro begin? @everyone"))
	if err := srv.SendInteraction(in); err != nil {
		t.Fatal(err)
	}
	rec, err := srv.WaitInteraction(ctx, in.ID, func(r *discordtest.InteractionRecord) bool {
		return strings.Contains(rendered(r.Original), "August 20")
	})
	if err != nil {
		t.Fatalf("no answer: %v\nlogs:\n%s", err, logs.String())
	}
	if rec.AckLatency > 3*time.Second {
		t.Errorf("acknowledged after %v", rec.AckLatency)
	}
	if text := rendered(rec.Original); !strings.Contains(text, "[1]") {
		t.Errorf("answer without citations:\n%s", text)
	}
	echoed := false
	for _, w := range srv.Writes() {
		if !w.Pings.None() {
			t.Errorf("a message pinged someone (%s): %s", w.Route, w.Body)
		}
		if w.Content == nil && !w.EmbedsSet {
			continue // a bare acknowledgement carries no text
		}
		if w.AllowedMentions == nil || !w.AllowedMentions.SuppressesAll() {
			t.Errorf("a message with text does not suppress mentions (%s): %s", w.Route, w.Body)
		}
		echoed = echoed || strings.Contains(string(w.Body), "@everyone")
	}
	if !echoed {
		t.Log("the question (with @everyone) was not echoed back; nothing to ping in the first place")
	}

	// /healthz and /metrics on http.listen: the bot's series beside the Go
	// runtime's and the process's.
	addr := regexp.MustCompile(`operations endpoint listening"? addr=(\S+)`).FindStringSubmatch(logs.String())
	if addr == nil {
		t.Fatalf("no operations endpoint in the logs:\n%s", logs.String())
	}
	get := func(path string) (int, string) {
		resp, err := http.Get("http://" + addr[1] + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	if code, body := get("/healthz"); code != http.StatusOK || strings.TrimSpace(body) != "ok" {
		t.Errorf("GET /healthz = %d %q", code, body)
	}
	// The answer is counted once its reply is out, just after the fake
	// has it.
	deadline := time.Now().Add(10 * time.Second)
	for _, want := range []string{"\nincidentbot_questions_answered_total 1\n", "\nincidentbot_gateway_connected 1\n", "\ngo_goroutines ", "\nprocess_resident_memory_bytes ",
		"\nincidentbot_index_save_failures_total 0\n", "\nincidentbot_index_unsaved 0\n"} {
		for {
			code, body := get("/metrics")
			if code == http.StatusOK && strings.Contains(body, want) {
				break
			}
			if time.Now().After(deadline) {
				t.Errorf("GET /metrics = %d, without %q:\n%s", code, want, body)
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
	}

	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve did not exit cleanly on SIGTERM: %v\nlogs:\n%s", err, logs.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("serve did not stop within 30 s of SIGTERM\nlogs:\n%s", logs.String())
	}
	if strings.Contains(logs.String(), srv.Token()) {
		t.Error("the token appears in the logs")
	}
}
