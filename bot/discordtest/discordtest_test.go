package discordtest_test

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"

	"github.com/incidentbot/incidentbot/bot/discordtest"
)

// TestMain raises test parallelism: nearly every test here spends its time
// in discordgo's Close, which sleeps a full second, not on the CPU, and the
// default (GOMAXPROCS, 2 on CI) would serialise those seconds.
func TestMain(m *testing.M) {
	flag.Parse()
	explicit := false
	flag.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "test.parallel" })
	if !explicit {
		_ = flag.Set("test.parallel", "16")
	}
	os.Exit(m.Run())
}

const testIntents = discordgo.IntentsGuilds | discordgo.IntentsGuildMessages | discordgo.IntentsDirectMessages

// newSession returns an unopened session wired to srv. discordgo's Close
// sleeps a full second, so tests that open sessions run in parallel.
func newSession(t *testing.T, srv *discordtest.Server) *discordgo.Session {
	t.Helper()
	s, err := discordgo.New("Bot " + srv.Token())
	if err != nil {
		t.Fatal(err)
	}
	srv.ConfigureSession(s)
	s.ShouldReconnectOnError = true
	s.Identify.Intents = testIntents
	return s
}

// open opens s and closes it at cleanup, before the server (cleanups run
// last-registered first, and New registered the server's earlier).
func open(t *testing.T, s *discordgo.Session) {
	t.Helper()
	if err := s.Open(); err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
}

func ctxT(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func recv[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(5 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
		panic("unreachable")
	}
}

func TestOpenReceivesReadyAndGuildCreate(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t, discordtest.Config{})
	s := newSession(t, srv)
	// discordgo's State overwrites the *Guild objects of READY in place when
	// their GUILD_CREATE arrives, concurrently with the READY handler, so a
	// handler must not read r.Guilds[i] fields (a data race under -race).
	type readyInfo struct {
		userID, sessionID, appID string
		bot                      bool
		guilds                   int
	}
	ready := make(chan readyInfo, 1)
	guild := make(chan []string, 1)
	s.AddHandler(func(_ *discordgo.Session, r *discordgo.Ready) {
		info := readyInfo{userID: r.User.ID, sessionID: r.SessionID, bot: r.User.Bot}
		if r.Application != nil {
			info.appID = r.Application.ID
		}
		info.guilds = len(r.Guilds)
		ready <- info
	})
	s.AddHandler(func(_ *discordgo.Session, g *discordgo.GuildCreate) {
		var chans []string
		for _, c := range g.Channels {
			chans = append(chans, c.ID)
		}
		guild <- chans
	})
	open(t, s)

	r := recv(t, ready, "READY")
	if r.userID != srv.BotUser().ID || !r.bot || r.sessionID == "" || r.appID != discordtest.DefaultApplicationID {
		t.Errorf("READY = %+v", r)
	}
	if r.guilds != 1 {
		t.Errorf("READY has %d guilds", r.guilds)
	}
	if chans := recv(t, guild, "GUILD_CREATE"); len(chans) != 1 || chans[0] != discordtest.DefaultChannelID {
		t.Errorf("GUILD_CREATE channels = %v", chans)
	}
	if g, err := s.State.Guild(discordtest.DefaultGuildID); err != nil || g.Name != "Test Guild" {
		t.Errorf("state guild = %+v, %v", g, err)
	}
	ids := srv.IdentifyRecords()
	if len(ids) != 1 || ids[0].Intents != int(testIntents) || ids[0].Token != "Bot "+srv.Token() || ids[0].SessionID != r.sessionID {
		t.Errorf("identify records = %+v", ids)
	}
	// discordgo heartbeats as soon as it is connected.
	if err := srv.Wait(ctxT(t, 5*time.Second), func() bool { return srv.Heartbeats() > 0 }); err != nil {
		t.Fatal(err)
	}
	if c := srv.Connections(); len(c) != 1 || !strings.Contains(c[0].RawQuery, "encoding=json") {
		t.Errorf("connections = %+v", c)
	}
}

func TestSlashCommandDeferThenEdit(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t, discordtest.Config{})
	s := newSession(t, srv)
	type seen struct {
		name, query string
		count       int64
		roles       []string
		perms       int64
		user        string
		err         error
	}
	got := make(chan seen, 1)
	s.AddHandler(func(s *discordgo.Session, ic *discordgo.InteractionCreate) {
		d := ic.ApplicationCommandData()
		v := seen{name: d.Name, query: d.GetOption("query").StringValue(), count: d.GetOption("count").IntValue(),
			roles: ic.Member.Roles, perms: ic.Member.Permissions, user: ic.Member.User.ID}
		v.err = s.InteractionRespond(ic.Interaction, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource})
		if v.err == nil {
			content := "db is down <@" + discordtest.DefaultUserID + ">"
			_, v.err = s.InteractionResponseEdit(ic.Interaction, &discordgo.WebhookEdit{
				Content:         &content,
				Embeds:          &[]*discordgo.MessageEmbed{{Title: "Answer", Description: "restart it"}},
				AllowedMentions: &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}},
			})
		}
		got <- v
	})
	open(t, s)

	member := discordtest.NewMember(discordtest.NewUser("1500000000000000001", "oncall")).
		WithRoles("1600000000000000001").WithPermissions(discordtest.DefaultMemberPermissions | 1<<5)
	in := discordtest.SlashCommand("ask", discordtest.StringOption("query", "is the db down?"), discordtest.IntegerOption("count", 3)).ByMember(member)
	if err := srv.SendInteraction(in); err != nil {
		t.Fatal(err)
	}
	v := recv(t, got, "interaction handler")
	if v.err != nil {
		t.Fatalf("handler: %v", v.err)
	}
	if v.name != "ask" || v.query != "is the db down?" || v.count != 3 || v.user != member.User.ID ||
		len(v.roles) != 1 || v.perms != member.Permissions {
		t.Errorf("handler saw %+v", v)
	}
	rec, err := srv.WaitInteraction(ctxT(t, 5*time.Second), in.ID, func(r *discordtest.InteractionRecord) bool {
		return r.Original != nil && !r.Original.Loading()
	})
	if err != nil {
		t.Fatal(err)
	}
	if rec.ResponseType != discordtest.CallbackDeferredMessage || rec.AckLatency <= 0 || rec.AckLatency > 3*time.Second {
		t.Errorf("response type %d, ack latency %v", rec.ResponseType, rec.AckLatency)
	}
	o := rec.Original
	if !strings.HasPrefix(o.Content, "db is down") || len(o.Embeds) != 1 || o.Embeds[0].Description != "restart it" || o.Ephemeral() {
		t.Errorf("original = %+v", o)
	}
	if !o.AllowedMentions.ParseIsEmptyList() || !o.AllowedMentions.SuppressesAll() || !o.Pings.None() {
		t.Errorf("allowed mentions %+v pings %+v", o.AllowedMentions, o.Pings)
	}
	if len(o.Writes) != 2 || !o.Writes[0].Create || o.Writes[1].Route != discordtest.RouteEditOriginal {
		t.Errorf("writes = %+v", o.Writes)
	}
	if lat := srv.AckLatencies(); len(lat) != 1 || lat[0] != rec.AckLatency {
		t.Errorf("AckLatencies = %v", lat)
	}
	if u := srv.UnknownCalls(); len(u) != 0 {
		t.Errorf("unknown calls: %+v", u)
	}
	if ms := srv.ChannelMessages(discordtest.DefaultChannelID); len(ms) != 1 || ms[0].ID != o.ID {
		t.Errorf("channel messages = %+v", ms)
	}
}

// Interaction rules that need a live dispatch: late and double
// acknowledgement, editing or following up before acknowledging, expired
// tokens and deleted responses.
func TestInteractionRules(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t, discordtest.Config{AckDeadline: 150 * time.Millisecond})
	s := newSession(t, srv)
	results := make(chan map[string]error, 1)
	s.AddHandler(func(s *discordgo.Session, ic *discordgo.InteractionCreate) {
		r := map[string]error{}
		hello := "hi"
		switch ic.ApplicationCommandData().Name {
		case "late":
			time.Sleep(400 * time.Millisecond)
			r["respond"] = s.InteractionRespond(ic.Interaction, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseChannelMessageWithSource, Data: &discordgo.InteractionResponseData{Content: "late"}})
		case "double":
			_, r["edit-before-ack"] = s.InteractionResponseEdit(ic.Interaction, &discordgo.WebhookEdit{Content: &hello})
			_, r["followup-before-ack"] = s.FollowupMessageCreate(ic.Interaction, true, &discordgo.WebhookParams{Content: "early"})
			r["first"] = s.InteractionRespond(ic.Interaction, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseChannelMessageWithSource, Data: &discordgo.InteractionResponseData{Content: "one"}})
			r["second"] = s.InteractionRespond(ic.Interaction, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseChannelMessageWithSource, Data: &discordgo.InteractionResponseData{Content: "two"}})
		case "huge":
			r["respond"] = s.InteractionRespond(ic.Interaction, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseChannelMessageWithSource, Data: &discordgo.InteractionResponseData{Content: strings.Repeat("x", 2001)}})
			r["retry"] = s.InteractionRespond(ic.Interaction, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseChannelMessageWithSource, Data: &discordgo.InteractionResponseData{Content: "short"}})
		}
		results <- r
	})
	open(t, s)

	send := func(name string) (string, map[string]error) {
		in := discordtest.SlashCommand(name)
		if err := srv.SendInteraction(in); err != nil {
			t.Fatal(err)
		}
		return in.ID, recv(t, results, name)
	}

	lateID, r := send("late")
	var re *discordgo.RESTError
	if !errors.As(r["respond"], &re) || re.Message == nil || re.Message.Code != discordtest.CodeUnknownInteraction {
		t.Errorf("late ack error = %v, want RESTError 10062", r["respond"])
	}
	if rec := srv.Interaction(lateID); rec.Acked() || !rec.HasError(discordtest.CodeUnknownInteraction) || len(rec.Callbacks) != 1 || rec.Callbacks[0].Accepted {
		t.Errorf("late record = %+v", rec)
	}

	srv.SetAckDeadline(3 * time.Second)
	doubleID, r := send("double")
	for key, code := range map[string]int{"edit-before-ack": discordtest.CodeUnknownMessage, "followup-before-ack": discordtest.CodeUnknownMessage, "second": discordtest.CodeAlreadyAcknowledged} {
		if !discordtest.IsRESTError(r[key], code) {
			t.Errorf("%s: err = %v, want code %d", key, r[key], code)
		}
	}
	if r["first"] != nil {
		t.Errorf("first ack: %v", r["first"])
	}
	rec := srv.Interaction(doubleID)
	if rec.Original == nil || rec.Original.Content != "one" || len(rec.Callbacks) != 2 || rec.ResponseType != 4 {
		t.Errorf("double record = %+v", rec)
	}

	hugeID, r := send("huge")
	if !discordtest.IsRESTError(r["respond"], discordtest.CodeInvalidFormBody) {
		t.Errorf("2001 chars: %v", r["respond"])
	} else if body := string(r["respond"].(*discordgo.RESTError).ResponseBody); !strings.Contains(body, `"data":{"content":{"_errors":[{"code":"BASE_TYPE_MAX_LENGTH"`) {
		t.Errorf("50035 body = %s", body)
	}
	if r["retry"] != nil {
		t.Errorf("a rejected callback must not count as the acknowledgement: %v", r["retry"])
	}

	// Token lifetime and deleted responses, driven from the test.
	hugeIC := &discordgo.Interaction{ID: hugeID, AppID: srv.ApplicationID(), Token: srv.Interaction(hugeID).Token}
	if err := srv.DeleteOriginal(hugeID); err != nil {
		t.Fatal(err)
	}
	edit := "edited"
	if _, err := s.InteractionResponseEdit(hugeIC, &discordgo.WebhookEdit{Content: &edit}); !discordtest.IsRESTError(err, discordtest.CodeUnknownMessage) {
		t.Errorf("edit after delete: %v", err)
	}
	if err := srv.ExpireToken(hugeID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.FollowupMessageCreate(hugeIC, true, &discordgo.WebhookParams{Content: "late"}); !discordtest.IsRESTError(err, discordtest.CodeInvalidWebhookToken) {
		t.Errorf("followup with expired token: %v", err)
	}
	if rec := srv.Interaction(hugeID); !rec.TokenExpired || !rec.OriginalDeleted || rec.Original != nil {
		t.Errorf("expired record = %+v", rec)
	}
}

func TestTokenTTL(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t, discordtest.Config{TokenTTL: 200 * time.Millisecond})
	s := newSession(t, srv)
	errs := make(chan error, 1)
	s.AddHandler(func(s *discordgo.Session, ic *discordgo.InteractionCreate) {
		if err := s.InteractionRespond(ic.Interaction, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource}); err != nil {
			errs <- err
			return
		}
		time.Sleep(300 * time.Millisecond)
		done := "done"
		_, err := s.InteractionResponseEdit(ic.Interaction, &discordgo.WebhookEdit{Content: &done})
		errs <- err
	})
	open(t, s)
	if err := srv.SendInteraction(discordtest.SlashCommand("slow")); err != nil {
		t.Fatal(err)
	}
	var re *discordgo.RESTError
	if err := recv(t, errs, "edit"); !errors.As(err, &re) || re.Response.StatusCode != 401 || re.Message.Code != discordtest.CodeInvalidWebhookToken {
		t.Errorf("edit after TTL: %v", err)
	}
}

func TestComponentsAndFollowups(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t, discordtest.Config{})
	s := newSession(t, srv)
	type click struct {
		customID, messageID string
		err                 error
	}
	clicks := make(chan click, 1)
	cmdErrs := make(chan error, 1)
	s.AddHandler(func(s *discordgo.Session, ic *discordgo.InteractionCreate) {
		switch ic.Type {
		case discordgo.InteractionApplicationCommand:
			err := s.InteractionRespond(ic.Interaction, &discordgo.InteractionResponse{
				Type: discordgo.InteractionResponseChannelMessageWithSource,
				Data: &discordgo.InteractionResponseData{
					Content: "Was this helpful?",
					Flags:   discordgo.MessageFlagsEphemeral,
					Components: []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
						discordgo.Button{Label: "Yes", CustomID: "feedback:yes"},
						discordgo.Button{Label: "No", CustomID: "feedback:no", Style: discordgo.DangerButton},
					}}},
				},
			})
			cmdErrs <- err
		case discordgo.InteractionMessageComponent:
			d := ic.MessageComponentData()
			err := s.InteractionRespond(ic.Interaction, &discordgo.InteractionResponse{
				Type: discordgo.InteractionResponseUpdateMessage,
				Data: &discordgo.InteractionResponseData{Content: "Thanks!", Components: []discordgo.MessageComponent{}},
			})
			if err == nil {
				_, err = s.FollowupMessageCreate(ic.Interaction, true, &discordgo.WebhookParams{Content: "noted " + d.CustomID, Flags: discordgo.MessageFlagsEphemeral})
			}
			clicks <- click{d.CustomID, ic.Message.ID, err}
		}
	})
	open(t, s)

	cmd := discordtest.SlashCommand("ask")
	if err := srv.SendInteraction(cmd); err != nil {
		t.Fatal(err)
	}
	if err := recv(t, cmdErrs, "command"); err != nil {
		t.Fatal(err)
	}
	orig := srv.Interaction(cmd.ID).Original
	if orig == nil || !orig.Ephemeral() || len(orig.Buttons()) != 2 || orig.FindComponent("feedback:no").Style != 4 {
		t.Fatalf("original = %+v", orig)
	}

	btn := discordtest.ButtonClick("feedback:yes").OnMessage(orig)
	if err := srv.SendInteraction(btn); err != nil {
		t.Fatal(err)
	}
	c := recv(t, clicks, "click")
	if c.err != nil || c.customID != "feedback:yes" || c.messageID != orig.ID {
		t.Fatalf("click = %+v", c)
	}
	rec, err := srv.WaitInteraction(ctxT(t, 5*time.Second), btn.ID, func(r *discordtest.InteractionRecord) bool { return len(r.Followups) == 1 })
	if err != nil {
		t.Fatal(err)
	}
	if rec.Original == nil || rec.Original.ID != orig.ID || rec.Original.Content != "Thanks!" || len(rec.Original.Components) != 0 {
		t.Errorf("updated message = %+v", rec.Original)
	}
	if f := rec.Followups[0]; f.Content != "noted feedback:yes" || !f.Ephemeral() || f.Kind != discordtest.KindFollowup {
		t.Errorf("followup = %+v", f)
	}
	// The first command's @original was edited by the click, not replaced.
	if o := srv.Interaction(cmd.ID).Original; o.Content != "Thanks!" {
		t.Errorf("command original after click = %q", o.Content)
	}
}

// Discord turns the first followup after a deferral into an edit of the
// loading message; bots that expect two messages are surprised.
func TestFirstFollowupAfterDeferEditsOriginal(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t, discordtest.Config{})
	s := newSession(t, srv)
	done := make(chan error, 1)
	s.AddHandler(func(s *discordgo.Session, ic *discordgo.InteractionCreate) {
		err := s.InteractionRespond(ic.Interaction, &discordgo.InteractionResponse{
			Type: discordgo.InteractionResponseDeferredChannelMessageWithSource,
			Data: &discordgo.InteractionResponseData{Flags: discordgo.MessageFlagsEphemeral},
		})
		var m1, m2 *discordgo.Message
		if err == nil {
			m1, err = s.FollowupMessageCreate(ic.Interaction, true, &discordgo.WebhookParams{Content: "first"})
		}
		if err == nil {
			m2, err = s.FollowupMessageCreate(ic.Interaction, true, &discordgo.WebhookParams{Content: "second"})
		}
		if err == nil && m1.ID == m2.ID {
			err = errors.New("second followup reused the first message")
		}
		done <- err
	})
	open(t, s)
	in := discordtest.SlashCommand("ask")
	if err := srv.SendInteraction(in); err != nil {
		t.Fatal(err)
	}
	if err := recv(t, done, "handler"); err != nil {
		t.Fatal(err)
	}
	rec := srv.Interaction(in.ID)
	if rec.Original.Content != "first" || !rec.Original.Ephemeral() || rec.Original.Loading() {
		t.Errorf("original = %+v", rec.Original)
	}
	if len(rec.Followups) != 1 || rec.Followups[0].Content != "second" || rec.Followups[0].Ephemeral() {
		t.Errorf("followups = %+v", rec.Followups)
	}
}

func TestReconnectResumesAndReplays(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t, discordtest.Config{})
	s := newSession(t, srv)
	handled := make(chan string, 4)
	resumed := make(chan struct{}, 1)
	s.AddHandler(func(s *discordgo.Session, ic *discordgo.InteractionCreate) {
		if err := s.InteractionRespond(ic.Interaction, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseChannelMessageWithSource, Data: &discordgo.InteractionResponseData{Content: "ok"}}); err != nil {
			t.Errorf("respond: %v", err)
		}
		handled <- ic.ID
	})
	s.AddHandler(func(*discordgo.Session, *discordgo.Resumed) { resumed <- struct{}{} })
	open(t, s)

	if err := srv.Reconnect(); err != nil {
		t.Fatal(err)
	}
	// discordgo is now closing the old connection (it sleeps 1s doing so)
	// and will not read this: it must come back through RESUME's replay.
	during := discordtest.SlashCommand("during")
	if err := srv.SendInteraction(during); err != nil {
		t.Fatal(err)
	}
	recv(t, resumed, "RESUMED")
	if got := recv(t, handled, "replayed interaction"); got != during.ID {
		t.Errorf("handled %s, want %s", got, during.ID)
	}
	after := discordtest.SlashCommand("after")
	if err := srv.SendInteraction(after); err != nil {
		t.Fatalf("%v\nconns=%+v\nresumes=%+v\nidentifies=%+v", err, srv.Connections(), srv.ResumeRecords(), srv.IdentifyRecords())
	}
	if got := recv(t, handled, "post-resume interaction"); got != after.ID {
		t.Errorf("handled %s, want %s", got, after.ID)
	}
	if srv.Identifies() != 1 || srv.Resumes() != 1 {
		t.Errorf("identifies=%d resumes=%d", srv.Identifies(), srv.Resumes())
	}
	rr := srv.ResumeRecords()[0]
	if !rr.Accepted || rr.Replayed < 1 {
		t.Errorf("resume = %+v", rr)
	}
	if conns := srv.Connections(); len(conns) != 2 || conns[0].ClientCloseCode != websocket.CloseServiceRestart {
		t.Errorf("connections = %+v", conns)
	}
	for _, id := range []string{during.ID, after.ID} {
		if !srv.Interaction(id).Acked() {
			t.Errorf("%s not acked", id)
		}
	}
}

func TestDisallowedIntentFailsOpen(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t, discordtest.Config{DisallowedIntents: discordtest.IntentMessageContent})
	s := newSession(t, srv)
	s.Identify.Intents |= discordgo.IntentMessageContent
	err := s.Open()
	t.Cleanup(func() { _ = s.Close() })
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != 4014 {
		t.Fatalf("Open = %v, want close 4014", err)
	}
	if ids := srv.IdentifyRecords(); len(ids) != 1 || ids[0].CloseCode != 4014 {
		t.Errorf("identifies = %+v", ids)
	}
}

func TestCloseGatewayDisconnects(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t, discordtest.Config{})
	s := newSession(t, srv)
	s.ShouldReconnectOnError = false
	disconnected := make(chan struct{}, 1)
	s.AddHandler(func(*discordgo.Session, *discordgo.Disconnect) { disconnected <- struct{}{} })
	open(t, s)
	if err := srv.CloseGateway(4014); err != nil {
		t.Fatal(err)
	}
	recv(t, disconnected, "Disconnect event")
	if c := srv.Connections(); c[0].ServerCloseCode != 4014 {
		t.Errorf("connection = %+v", c[0])
	}
	// A non-resumable close invalidates the session.
	if err := srv.SendInteraction(discordtest.SlashCommand("x")); !errors.Is(err, discordtest.ErrNotConnected) {
		t.Errorf("SendInteraction after 4014 = %v", err)
	}
}

func TestMessageCreateIntentsAndMentions(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t, discordtest.Config{})
	s := newSession(t, srv) // no MESSAGE_CONTENT intent
	msgs := make(chan *discordgo.MessageCreate, 4)
	s.AddHandler(func(_ *discordgo.Session, m *discordgo.MessageCreate) { msgs <- m })
	open(t, s)

	if err := srv.SendMessage(discordtest.UserMessage("no mention here")); err != nil {
		t.Fatal(err)
	}
	if m := recv(t, msgs, "plain message"); m.Content != "" || m.Author.ID != discordtest.DefaultUserID || m.GuildID != discordtest.DefaultGuildID {
		t.Errorf("without MESSAGE_CONTENT a plain message must arrive blank: %+v", m.Message)
	}
	if err := srv.SendMessage(discordtest.UserMessage("why is the db down? <@&1600000000000000001>").MentioningBot()); err != nil {
		t.Fatal(err)
	}
	m := recv(t, msgs, "mention")
	if !strings.Contains(m.Content, "why is the db down?") || len(m.Mentions) != 1 || m.Mentions[0].ID != srv.BotUser().ID ||
		len(m.MentionRoles) != 1 || m.Member == nil {
		t.Errorf("mention message = %+v", m.Message)
	}
	if err := srv.SendMessage(discordtest.UserMessage("dm text").InDM()); err != nil {
		t.Fatal(err)
	}
	if m := recv(t, msgs, "DM"); m.Content != "dm text" || m.GuildID != "" {
		t.Errorf("DM = %+v", m.Message)
	}
	// The bot's own messages are echoed back, as on Discord.
	if _, err := s.ChannelMessageSend(discordtest.DefaultChannelID, "echo me"); err != nil {
		t.Fatal(err)
	}
	if m := recv(t, msgs, "echo"); m.Author.ID != srv.BotUser().ID || m.Content != "echo me" {
		t.Errorf("echo = %+v", m.Message)
	}
}

// REST-only behaviour needs no gateway: a session with the fake's transport
// is enough.
func restSession(t *testing.T, srv *discordtest.Server) *discordgo.Session {
	t.Helper()
	s, err := discordgo.New("Bot " + srv.Token())
	if err != nil {
		t.Fatal(err)
	}
	s.Client = &http.Client{Transport: srv.Transport()}
	return s
}

func TestMessageLimits(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t, discordtest.Config{})
	s := restSession(t, srv)
	field := &discordgo.MessageEmbedField{Name: "n", Value: "v"}
	manyFields := make([]*discordgo.MessageEmbedField, 26)
	for i := range manyFields {
		manyFields[i] = field
	}
	embeds := func(n int) []*discordgo.MessageEmbed {
		out := make([]*discordgo.MessageEmbed, n)
		for i := range out {
			out[i] = &discordgo.MessageEmbed{Title: "t"}
		}
		return out
	}
	cases := []struct {
		name string
		msg  *discordgo.MessageSend
		path string // expected in the errors object
		code int
	}{
		{"content 2001", &discordgo.MessageSend{Content: strings.Repeat("é", 2001)}, `"content"`, discordtest.CodeInvalidFormBody},
		{"description 4097", &discordgo.MessageSend{Embeds: []*discordgo.MessageEmbed{{Description: strings.Repeat("d", 4097)}}}, `"description"`, discordtest.CodeInvalidFormBody},
		{"11 embeds", &discordgo.MessageSend{Embeds: embeds(11)}, `"embeds":{"_errors"`, discordtest.CodeInvalidFormBody},
		{"26 fields", &discordgo.MessageSend{Embeds: []*discordgo.MessageEmbed{{Fields: manyFields}}}, `"fields":{"_errors"`, discordtest.CodeInvalidFormBody},
		{"total 6001", &discordgo.MessageSend{Embeds: []*discordgo.MessageEmbed{{Description: strings.Repeat("a", 4000)}, {Description: strings.Repeat("b", 2001)}}}, `MAX_EMBED_SIZE_EXCEEDED`, discordtest.CodeInvalidFormBody},
		{"empty", &discordgo.MessageSend{}, ``, discordtest.CodeEmptyMessage},
		{"parse users + users", &discordgo.MessageSend{Content: "x", AllowedMentions: &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{discordgo.AllowedMentionTypeUsers}, Users: []string{"1"}}}, `MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE`, discordtest.CodeInvalidFormBody},
	}
	for _, c := range cases {
		_, err := s.ChannelMessageSendComplex(discordtest.DefaultChannelID, c.msg)
		var re *discordgo.RESTError
		if !errors.As(err, &re) || re.Response.StatusCode != 400 || re.Message.Code != c.code || !strings.Contains(string(re.ResponseBody), c.path) {
			t.Errorf("%s: err = %v", c.name, err)
		}
	}
	// At the limits everything is accepted.
	ok := &discordgo.MessageSend{Content: strings.Repeat("é", 2000), Embeds: []*discordgo.MessageEmbed{{Description: strings.Repeat("d", 4096), Fields: manyFields[:25]}}}
	if _, err := s.ChannelMessageSendComplex(discordtest.DefaultChannelID, ok); err != nil {
		t.Errorf("at limits: %v", err)
	}
	if n := len(srv.ChannelMessages(discordtest.DefaultChannelID)); n != 1 {
		t.Errorf("%d messages stored, want 1", n)
	}
}

func TestRateLimits(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t, discordtest.Config{})
	s := restSession(t, srv)
	var events atomic.Int32
	s.AddHandler(func(*discordgo.Session, *discordgo.RateLimit) { events.Add(1) })

	srv.RateLimitNext(discordtest.RouteCreateMessage, 2, 30*time.Millisecond)
	m, err := s.ChannelMessageSend(discordtest.DefaultChannelID, "after the storm")
	if err != nil {
		t.Fatalf("discordgo should retry 429s with a JSON body: %v", err)
	}
	calls := srv.CallsTo(discordtest.RouteCreateMessage)
	if len(calls) != 3 || !calls[0].RateLimited || !calls[1].RateLimited || calls[2].RateLimited || calls[2].Status != 200 {
		t.Errorf("calls = %+v", calls)
	}
	if got := srv.Message(m.ID); got == nil || got.Content != "after the storm" {
		t.Errorf("message = %+v", got)
	}
	if events.Load() != 2 {
		t.Errorf("RateLimit events = %d", events.Load())
	}

	// Without a JSON body (Cloudflare's HTML ban page) discordgo gives up
	// with a JSON syntax error, not a RESTError.
	srv.RateLimitNextWith("POST /channels/"+discordtest.DefaultChannelID+"/messages", discordtest.RateLimit{Count: 1, RetryAfter: time.Second, NoJSONBody: true})
	_, err = s.ChannelMessageSend(discordtest.DefaultChannelID, "lost")
	var syn *json.SyntaxError
	if !errors.As(err, &syn) {
		t.Errorf("429 without JSON body: err = %T %v", err, err)
	}
	if _, ok := discordtest.RESTErrorCode(err); ok {
		t.Error("HTML 429 should not look like a RESTError")
	}
	if n := len(srv.ChannelMessages(discordtest.DefaultChannelID)); n != 1 {
		t.Errorf("%d messages, the HTML-429'd one must not be stored", n)
	}

	// Injected failures: 502 is retried by discordgo, 403 is not.
	srv.FailNext(discordtest.RouteCreateMessage, 1, discordtest.APIError{Status: 502})
	if _, err := s.ChannelMessageSend(discordtest.DefaultChannelID, "retried"); err != nil {
		t.Errorf("502 then success: %v", err)
	}
	srv.FailNext("*", 1, discordtest.APIError{Status: 403, Code: 50013, Message: "Missing Permissions"})
	if _, err := s.ChannelMessageSend(discordtest.DefaultChannelID, "denied"); !discordtest.IsRESTError(err, 50013) {
		t.Errorf("403: %v", err)
	}

	// A dropped connection: a network error, and the message not stored.
	before := len(srv.ChannelMessages(discordtest.DefaultChannelID))
	srv.DisconnectNext(discordtest.RouteCreateMessage, 1)
	_, err = s.ChannelMessageSend(discordtest.DefaultChannelID, "dropped")
	var ue *url.Error
	if !errors.As(err, &ue) {
		t.Errorf("dropped connection: err = %T %v, want a *url.Error", err, err)
	}
	if n := len(srv.ChannelMessages(discordtest.DefaultChannelID)); n != before {
		t.Errorf("%d messages after a dropped request, want %d", n, before)
	}
	if calls := srv.CallsTo(discordtest.RouteCreateMessage); calls[len(calls)-1].Status != 0 {
		t.Errorf("dropped call recorded with status %d", calls[len(calls)-1].Status)
	}
	if _, err := s.ChannelMessageSend(discordtest.DefaultChannelID, "after"); err != nil {
		t.Errorf("after the dropped request: %v", err)
	}
}

func TestThreadsAndHistory(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t, discordtest.Config{DisallowedIntents: discordtest.IntentMessageContent})
	s := restSession(t, srv)
	first := srv.AddMessage(discordtest.UserMessage("the db is down"))
	second := srv.AddMessage(discordtest.UserMessage("still down <@" + srv.BotUser().ID + ">"))

	th, err := s.MessageThreadStartComplex(discordtest.DefaultChannelID, second.ID, &discordgo.ThreadStart{Name: "Incident: db", AutoArchiveDuration: 1440})
	if err != nil {
		t.Fatal(err)
	}
	if th.ID != second.ID || th.Type != discordgo.ChannelTypeGuildPublicThread || th.ParentID != discordtest.DefaultChannelID || th.ThreadMetadata == nil {
		t.Errorf("thread = %+v", th)
	}
	if _, err := s.MessageThreadStart(discordtest.DefaultChannelID, second.ID, "again", 60); !discordtest.IsRESTError(err, discordtest.CodeThreadAlreadyCreated) {
		t.Errorf("second thread on the same message: %v", err)
	}
	if _, err := s.MessageThreadStart(discordtest.DefaultChannelID, "1", "nope", 60); !discordtest.IsRESTError(err, discordtest.CodeUnknownMessage) {
		t.Errorf("thread on unknown message: %v", err)
	}
	// Without a type, API v9 creates a private thread.
	priv, err := s.ThreadStartComplex(discordtest.DefaultChannelID, &discordgo.ThreadStart{Name: "private by default"})
	if err != nil || priv.Type != discordgo.ChannelTypeGuildPrivateThread {
		t.Errorf("ThreadStart = %+v, %v", priv, err)
	}
	if _, err := s.ChannelMessageSend(th.ID, "summary in thread"); err != nil {
		t.Fatal(err)
	}
	if ts := srv.Threads(); len(ts) != 2 || ts[0].StarterMessageID != second.ID || ts[0].Name != "Incident: db" {
		t.Errorf("threads = %+v", ts)
	}
	if ms := srv.ChannelMessages(th.ID); len(ms) != 1 || ms[0].Content != "summary in thread" {
		t.Errorf("thread messages = %+v", ms)
	}

	hist, err := s.ChannelMessages(discordtest.DefaultChannelID, 10, "", "", "")
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != 2 || hist[0].ID != second.ID || hist[1].ID != first.ID {
		t.Fatalf("history (newest first) = %+v", hist)
	}
	// The app lacks MESSAGE_CONTENT: only the message mentioning it is readable.
	if hist[1].Content != "" || !strings.Contains(hist[0].Content, "still down") {
		t.Errorf("content visibility: %q / %q", hist[0].Content, hist[1].Content)
	}
	if older, err := s.ChannelMessages(discordtest.DefaultChannelID, 10, second.ID, "", ""); err != nil || len(older) != 1 || older[0].ID != first.ID {
		t.Errorf("before=%s: %+v %v", second.ID, older, err)
	}
	if _, err := s.ChannelMessages(discordtest.DefaultChannelID, 101, "", "", ""); !discordtest.IsRESTError(err, discordtest.CodeInvalidFormBody) {
		t.Errorf("limit 101: %v", err)
	}
	if err := s.ChannelTyping(th.ID); err != nil {
		t.Errorf("typing: %v", err)
	}
	if _, err := s.ChannelMessageEdit(discordtest.DefaultChannelID, first.ID, "hijack"); !discordtest.IsRESTError(err, discordtest.CodeCannotEditOthersMessage) {
		t.Errorf("editing a user's message: %v", err)
	}
}

func TestCommandsAndRoutes(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t, discordtest.Config{})
	s := restSession(t, srv)
	app := srv.ApplicationID()
	cmds := []*discordgo.ApplicationCommand{
		{Name: "ask", Description: "Ask the incident bot", Options: []*discordgo.ApplicationCommandOption{
			{Type: discordgo.ApplicationCommandOptionString, Name: "question", Description: "What to ask", Required: true},
		}},
		{Name: "status", Description: "Show status"},
	}
	got, err := s.ApplicationCommandBulkOverwrite(app, "", cmds)
	if err != nil || len(got) != 2 || got[0].ID == "" || got[0].ApplicationID != app {
		t.Fatalf("overwrite = %+v, %v", got, err)
	}
	again, err := s.ApplicationCommandBulkOverwrite(app, "", cmds[:1])
	if err != nil || len(again) != 1 || again[0].ID != got[0].ID {
		t.Errorf("IDs must survive an overwrite: %+v %v", again, err)
	}
	if _, err := s.ApplicationCommandBulkOverwrite(app, discordtest.DefaultGuildID, cmds); err != nil {
		t.Fatal(err)
	}
	if g := srv.Commands(discordtest.DefaultGuildID); len(g) != 2 || g[0].Name != "ask" || g[0].Options[0].Name != "question" || !g[0].Options[0].Required {
		t.Errorf("guild commands = %+v", g)
	}
	if list, err := s.ApplicationCommands(app, ""); err != nil || len(list) != 1 {
		t.Errorf("GET commands = %+v %v", list, err)
	}
	bad := []*discordgo.ApplicationCommand{{Name: "Bad Name", Description: "x"}}
	if _, err := s.ApplicationCommandBulkOverwrite(app, "", bad); !discordtest.IsRESTError(err, discordtest.CodeInvalidFormBody) {
		t.Errorf("invalid name: %v", err)
	}

	if u, err := s.User("@me"); err != nil || u.ID != srv.BotUser().ID || !u.Bot {
		t.Errorf("GET /users/@me = %+v %v", u, err)
	}
	if gw, err := s.Gateway(); err != nil || gw != srv.GatewayURL()+"/" {
		t.Errorf("gateway = %q %v", gw, err)
	}

	// Unknown routes are answered like Discord and recorded.
	if _, err := s.GuildRoles(discordtest.DefaultGuildID); !errors.As(err, new(*discordgo.RESTError)) {
		t.Errorf("unknown route: %v", err)
	}
	if u := srv.UnknownCalls(); len(u) != 1 || u[0].Status != 404 || u[0].Path != "/guilds/"+discordtest.DefaultGuildID+"/roles" {
		t.Errorf("unknown calls = %+v", u)
	}

	// Wrong token.
	bad2, _ := discordgo.New("Bot wrong")
	bad2.Client = srv.HTTPClient()
	if _, err := bad2.User("@me"); !errors.As(err, new(*discordgo.RESTError)) {
		t.Errorf("wrong token: %v", err)
	}
	// The transport never lets a request leave loopback.
	if _, err := srv.HTTPClient().Get("https://example.com/"); err == nil || !strings.Contains(err.Error(), "refusing") {
		t.Errorf("foreign host: %v", err)
	}
	// APIBase works for bots that take a configurable REST base URL.
	resp, err := http.Get(srv.APIBase() + "/gateway")
	if err != nil || resp.StatusCode != 200 {
		t.Errorf("APIBase GET /gateway: %v %v", resp, err)
	}
	if resp != nil {
		resp.Body.Close()
	}
}

func TestDMAndModal(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t, discordtest.Config{})
	s := newSession(t, srv)
	type seen struct {
		dmUser   string
		member   bool
		modalID  string
		modalVal string
		err      error
	}
	got := make(chan seen, 2)
	s.AddHandler(func(s *discordgo.Session, ic *discordgo.InteractionCreate) {
		switch ic.Type {
		case discordgo.InteractionApplicationCommand:
			err := s.InteractionRespond(ic.Interaction, &discordgo.InteractionResponse{
				Type: discordgo.InteractionResponseModal,
				Data: &discordgo.InteractionResponseData{CustomID: "report", Title: "Report", Components: []discordgo.MessageComponent{
					discordgo.ActionsRow{Components: []discordgo.MessageComponent{discordgo.TextInput{CustomID: "what", Label: "What broke?", Style: discordgo.TextInputShort}}},
				}},
			})
			got <- seen{dmUser: ic.User.ID, member: ic.Member != nil, err: err}
		case discordgo.InteractionModalSubmit:
			d := ic.ModalSubmitData()
			v := d.Components[0].(*discordgo.ActionsRow).Components[0].(*discordgo.TextInput).Value
			err := s.InteractionRespond(ic.Interaction, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseChannelMessageWithSource, Data: &discordgo.InteractionResponseData{Content: "filed"}})
			got <- seen{modalID: d.CustomID, modalVal: v, err: err}
		}
	})
	open(t, s)
	u := discordtest.NewUser("1500000000000000009", "dmuser")
	cmd := discordtest.SlashCommand("report").InDM(u)
	if err := srv.SendInteraction(cmd); err != nil {
		t.Fatal(err)
	}
	if v := recv(t, got, "DM command"); v.err != nil || v.dmUser != u.ID || v.member {
		t.Errorf("DM command: %+v", v)
	}
	if rec := srv.Interaction(cmd.ID); rec.ResponseType != discordtest.CallbackModal || rec.Original != nil || len(rec.Modal) == 0 || rec.GuildID != "" {
		t.Errorf("modal record = %+v", rec)
	}
	sub := discordtest.ModalSubmit("report", map[string]string{"what": "the db"}).InDM(u)
	if err := srv.SendInteraction(sub); err != nil {
		t.Fatal(err)
	}
	if v := recv(t, got, "modal submit"); v.err != nil || v.modalID != "report" || v.modalVal != "the db" {
		t.Errorf("modal submit: %+v", v)
	}
}

func TestInvalidateSessionAndZombieConnection(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t, discordtest.Config{HeartbeatInterval: 200 * time.Millisecond})
	s := newSession(t, srv)
	readies := make(chan string, 4)
	s.AddHandler(func(_ *discordgo.Session, r *discordgo.Ready) { readies <- r.SessionID })
	open(t, s)
	first := recv(t, readies, "first READY")

	// Op 9: discordgo identifies again on the same connection.
	if err := srv.InvalidateSession(); err != nil {
		t.Fatal(err)
	}
	if second := recv(t, readies, "second READY"); second == first {
		t.Error("expected a new session after INVALID_SESSION")
	}
	if n := len(srv.Connections()); n != 1 || srv.Identifies() != 2 {
		t.Errorf("connections=%d identifies=%d", n, srv.Identifies())
	}

	// Unacknowledged heartbeats: discordgo gives up after 5 intervals. It
	// closes with 1000, which ends the session on Discord's side, so its
	// RESUME is refused and it has to IDENTIFY again.
	srv.DropHeartbeatAcks(true)
	if err := srv.Wait(ctxT(t, 6*time.Second), func() bool { return srv.Resumes() > 0 }); err != nil {
		t.Fatal(err)
	}
	srv.DropHeartbeatAcks(false)
	recv(t, readies, "READY after the refused resume")
	if rr := srv.ResumeRecords()[0]; rr.Accepted {
		t.Errorf("resume after a 1000 close should be refused: %+v", rr)
	}
	if c := srv.Connections(); c[0].ClientCloseCode != websocket.CloseNormalClosure || srv.Identifies() != 3 {
		t.Errorf("connections = %+v, identifies = %d", c, srv.Identifies())
	}
	handled := make(chan struct{}, 1)
	s.AddHandler(func(*discordgo.Session, *discordgo.InteractionCreate) { handled <- struct{}{} })
	if err := srv.SendInteraction(discordtest.SlashCommand("still-there")); err != nil {
		t.Fatal(err)
	}
	recv(t, handled, "interaction after zombie reconnect")
}

func TestAutocompleteSelectAndDMChannel(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t, discordtest.Config{})
	s := newSession(t, srv)
	errs := make(chan error, 2)
	s.AddHandler(func(s *discordgo.Session, ic *discordgo.InteractionCreate) {
		switch ic.Type {
		case discordgo.InteractionApplicationCommandAutocomplete:
			focused := ""
			for _, o := range ic.ApplicationCommandData().Options {
				if o.Focused {
					focused = o.StringValue()
				}
			}
			errs <- s.InteractionRespond(ic.Interaction, &discordgo.InteractionResponse{
				Type: discordgo.InteractionApplicationCommandAutocompleteResult,
				Data: &discordgo.InteractionResponseData{Choices: []*discordgo.ApplicationCommandOptionChoice{{Name: focused + "-db", Value: focused + "-db"}}},
			})
		case discordgo.InteractionMessageComponent:
			vals := ic.MessageComponentData().Values
			err := s.InteractionRespond(ic.Interaction, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredMessageUpdate})
			if err == nil && fmt.Sprint(vals) != "[sev1]" {
				err = fmt.Errorf("values = %v", vals)
			}
			errs <- err
		}
	})
	open(t, s)
	ac := discordtest.Autocomplete("ask", discordtest.StringOption("service", "pay").Focus())
	if err := srv.SendInteraction(ac); err != nil {
		t.Fatal(err)
	}
	if err := recv(t, errs, "autocomplete"); err != nil {
		t.Fatal(err)
	}
	if rec := srv.Interaction(ac.ID); rec.ResponseType != discordtest.CallbackAutocompleteResult || !strings.Contains(string(rec.Callbacks[0].Data), "pay-db") {
		t.Errorf("autocomplete record = %+v", rec)
	}
	sel := discordtest.SelectMenu("severity", "sev1")
	if err := srv.SendInteraction(sel); err != nil {
		t.Fatal(err)
	}
	if err := recv(t, errs, "select"); err != nil {
		t.Fatal(err)
	}
	// The deferred update targets the (synthesized) message holding the select.
	if rec := srv.Interaction(sel.ID); rec.Original == nil || rec.Original.Kind != discordtest.KindComponentHost || rec.Original.FindComponent("severity") == nil {
		t.Errorf("select record = %+v", rec)
	}

	dm, err := s.UserChannelCreate(discordtest.DefaultUserID)
	if err != nil || dm.Type != discordgo.ChannelTypeDM {
		t.Fatalf("UserChannelCreate = %+v, %v", dm, err)
	}
	if _, err := s.ChannelMessageSend(dm.ID, "hello in DM"); err != nil {
		t.Fatal(err)
	}
	if ms := srv.ChannelMessages(dm.ID); len(ms) != 1 || ms[0].GuildID != "" {
		t.Errorf("DM messages = %+v", ms)
	}
}

// Example shows the shape of an end-to-end test: a real discordgo session
// against the fake, one slash command, and assertions on what the bot sent.
func Example() {
	var t testing.T // in a real test, the *testing.T of the test function
	srv := discordtest.New(&t, discordtest.Config{})

	s, _ := discordgo.New("Bot " + srv.Token())
	s.Client = &http.Client{Transport: srv.Transport()}
	s.ShouldReconnectOnError = true
	s.AddHandler(func(s *discordgo.Session, ic *discordgo.InteractionCreate) {
		_ = s.InteractionRespond(ic.Interaction, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource})
		answer := "Restart the primary."
		_, _ = s.InteractionResponseEdit(ic.Interaction, &discordgo.WebhookEdit{
			Content:         &answer,
			AllowedMentions: &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}},
		})
	})
	if err := s.Open(); err != nil {
		t.Fatal(err)
	}
	defer s.Close() // before the server's cleanup

	in := discordtest.SlashCommand("ask", discordtest.StringOption("question", "db down?"))
	if err := srv.SendInteraction(in); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	rec, err := srv.WaitInteraction(ctx, in.ID, func(r *discordtest.InteractionRecord) bool {
		return r.Original != nil && !r.Original.Loading()
	})
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println(rec.Original.Content, rec.AckLatency < 3*time.Second, rec.Original.AllowedMentions.ParseIsEmptyList())
}
