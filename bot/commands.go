package bot

import (
	"context"
	"errors"
	"fmt"

	"github.com/bwmarrin/discordgo"
)

// registerCommands overwrites the application's commands in one request:
// in the configured guild (instant, for development) or globally.
func (d *discord) registerCommands(ctx context.Context) error {
	if d.b.cfg.ShardID != 0 {
		return nil // one shard registers for all; the others would only repeat it
	}
	app := d.appID()
	if app == "" {
		return errors.New("bot: READY carried no application ID")
	}
	cmds, err := d.s.ApplicationCommandBulkOverwrite(app, d.b.cfg.GuildID, commands(d.b.cfg, d.b.about), discordgo.WithContext(ctx))
	if err != nil {
		d.b.countDiscordError(err)
		return fmt.Errorf("bot: registering slash commands: %w", err)
	}
	scope := "global"
	if d.b.cfg.GuildID != "" {
		scope = "guild " + d.b.cfg.GuildID
	}
	d.b.log.Info("registered commands", "count", len(cmds), "scope", scope)
	return nil
}

// commands are the slash commands the router handles; /summary offers the
// profile's topics as choices, each shown by its title.
func commands(cfg Config, about About) []*discordgo.ApplicationCommand {
	dm := cfg.AllowDMs
	var topics []*discordgo.ApplicationCommandOptionChoice
	for _, t := range about.Topics[:min(len(about.Topics), maxChoices)] {
		name := t.Title
		if name == "" {
			name = t.ID
		}
		topics = append(topics, &discordgo.ApplicationCommandOptionChoice{Name: clipRunes(name, maxChoiceName), Value: t.ID})
	}
	return []*discordgo.ApplicationCommand{
		{Name: "ask", Description: about.askDescription(), DMPermission: &dm,
			Options: []*discordgo.ApplicationCommandOption{{Type: discordgo.ApplicationCommandOptionString, Name: "question", Description: "Your question", Required: true}}},
		{Name: "sources", Description: "Show the article passages that best match a query", DMPermission: &dm,
			Options: []*discordgo.ApplicationCommandOption{{Type: discordgo.ApplicationCommandOptionString, Name: "query", Description: "What to look for", Required: true}}},
		{Name: "summary", Description: "Post a cited summary of the articles (moderators)", DMPermission: &dm,
			Options: []*discordgo.ApplicationCommandOption{{Type: discordgo.ApplicationCommandOptionString, Name: "topic", Description: "Limit the summary to one topic", Choices: topics}}},
		{Name: "timeline", Description: "Post a dated timeline of the events (moderators)", DMPermission: &dm},
		{Name: "refresh", Description: "Re-read the articles and update the index (maintainers)", DMPermission: &dm},
	}
}
