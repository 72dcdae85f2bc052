package bot_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/incidentbot/incidentbot/bot"
	"github.com/incidentbot/incidentbot/bot/discordtest"
	"github.com/incidentbot/incidentbot/corpus"
)

const (
	modRole        = "1500000000000000001"
	maintainerRole = "1500000000000000002"
	maintainerUser = "1400000000000000009"
	manageMessages = int64(1 << 13)
)

var (
	member     = discordtest.NewMember(discordtest.NewUser("1400000000000000002", "member"))
	withPerm   = discordtest.NewMember(discordtest.NewUser("1400000000000000003", "janitor")).WithPermissions(discordtest.DefaultMemberPermissions | manageMessages)
	withRole   = discordtest.NewMember(discordtest.NewUser("1400000000000000004", "mod")).WithRoles(modRole)
	maintainer = discordtest.NewMember(discordtest.NewUser(maintainerUser, "maintainer"))
)

func moderationSetup(tb testing.TB) setup {
	return setup{
		answerer: newHooked(tb),
		library:  privateStore(tb, corpusCopy(tb)),
		cfg: func(c *bot.Config) {
			c.ModeratorRoles = []string{modRole}
			c.MaintainerRoles = []string{maintainerRole}
			c.MaintainerUsers = []string{maintainerUser}
		},
	}
}

func TestModeratorCommandsAllowedForModerators(t *testing.T) {
	t.Parallel()
	h := start(t, moderationSetup(t))

	in := h.send(discordtest.SlashCommand("summary", discordtest.StringOption("topic", "albania")).ByMember(withPerm))
	rec := h.answered(in.ID)
	if got := rec.Original.Content; !strings.HasPrefix(got, "**Summary — "+topicTitle(t, "albania")+"**") || !strings.Contains(got, "**Sources**") {
		t.Errorf("summary:\n%s", got)
	}
	if rec.Original.Ephemeral() || rec.ResponseType != discordtest.CallbackDeferredMessage {
		t.Error("a summary is posted to the channel, after a public deferral")
	}

	in = h.send(discordtest.SlashCommand("timeline").ByMember(withRole))
	rec = h.replied(in.ID, "**2022-09-07** — Albania cuts diplomatic ties with Iran. [1]")
	if !strings.Contains(rec.Original.Content, "**Sources**") || rec.Original.Ephemeral() {
		t.Errorf("timeline:\n%s", rec.Original.Content)
	}

	// Maintainers count as moderators, and may refresh (by user ID or role).
	in = h.send(discordtest.SlashCommand("timeline").ByMember(maintainer))
	h.replied(in.ID, "**Timeline")
	in = h.send(discordtest.SlashCommand("refresh").ByMember(maintainer))
	rec = h.replied(in.ID, "**Refresh preview**")
	if !rec.Original.Ephemeral() || !strings.Contains(rec.Original.Content, "Nothing to refresh") {
		t.Errorf("refresh of an unchanged corpus:\n%s", rec.Original.Content)
	}
	byRole := discordtest.NewMember(discordtest.NewUser("1400000000000000010", "ops")).WithRoles(maintainerRole)
	in = h.send(discordtest.SlashCommand("refresh").ByMember(byRole))
	h.replied(in.ID, "Nothing to refresh")

	in = h.send(discordtest.SlashCommand("summary", discordtest.StringOption("topic", "mars")).ByMember(withPerm))
	h.replied(in.ID, `Unknown topic "mars"`)
	checkSafeWrites(t, h.srv)
}

func TestSummaryTopicChoicesRegistered(t *testing.T) {
	t.Parallel()
	h := start(t, setup{})
	for _, c := range h.srv.Commands(discordtest.DefaultGuildID) {
		if c.Name != "summary" {
			continue
		}
		var names, values, titles []string
		for _, ch := range c.Options[0].Choices {
			names = append(names, ch.Name)
			values = append(values, fmt.Sprint(ch.Value))
		}
		for _, tp := range corpus.DefaultProfile().Topics {
			titles = append(titles, tp.Title)
		}
		if strings.Join(values, ",") != strings.Join(corpus.DefaultProfile().TopicIDs(), ",") || strings.Join(names, "|") != strings.Join(titles, "|") {
			t.Errorf("summary topic choices %v (values %v), want the profile's titles and ids", names, values)
		}
		return
	}
	t.Fatal("no /summary registered")
}
