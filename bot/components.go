package bot

import "github.com/bwmarrin/discordgo"

// components lays buttons out in action rows of five.
func components(bs []Button) []discordgo.MessageComponent {
	out := []discordgo.MessageComponent{}
	var row discordgo.ActionsRow
	for _, b := range bs {
		btn := discordgo.Button{CustomID: b.ID, Label: b.Label, Style: discordgo.SecondaryButton}
		if b.Emoji != "" {
			btn.Emoji = &discordgo.ComponentEmoji{Name: b.Emoji}
		}
		row.Components = append(row.Components, btn)
		if len(row.Components) == 5 {
			out = append(out, row)
			row = discordgo.ActionsRow{}
		}
	}
	if len(row.Components) > 0 {
		out = append(out, row)
	}
	return out
}

// noMentions lets nothing in a message ping anyone: answers quote articles
// and echo questions, and either may contain @everyone or <@id>. Discord
// applies allowed_mentions per request, so every create and edit sends it.
func noMentions() *discordgo.MessageAllowedMentions {
	return &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}
}
