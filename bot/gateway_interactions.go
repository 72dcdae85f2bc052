package bot

import (
	"fmt"
	"strconv"
	"time"

	"github.com/bwmarrin/discordgo"
)

func (d *discord) onInteraction(_ *discordgo.Session, ic *discordgo.InteractionCreate) {
	received := time.Now()
	defer d.recoverEvent("INTERACTION_CREATE", ic.ID)
	ev := d.interactionEvent(ic.Interaction, received)
	if ev == nil {
		return
	}
	d.b.dispatch(ev)
}

// interactionEvent turns a slash command or button click into an Event.
// Other interaction types (autocomplete, modals) are not used.
func (d *discord) interactionEvent(i *discordgo.Interaction, received time.Time) *Event {
	ev := &Event{ID: i.ID, GuildID: i.GuildID, ChannelID: i.ChannelID, Received: received, Options: map[string]string{}}
	switch i.Type {
	case discordgo.InteractionApplicationCommand:
		data := i.ApplicationCommandData()
		ev.Kind, ev.Name = KindCommand, data.Name
		for _, o := range data.Options {
			ev.Options[o.Name] = optionString(o)
		}
	case discordgo.InteractionMessageComponent:
		data := i.MessageComponentData()
		ev.Kind, ev.Name = KindComponent, data.CustomID
		if i.Message != nil {
			ev.MessageContent = i.Message.Content
		}
	default:
		d.b.log.Debug("ignoring interaction", "interaction_id", i.ID, "type", i.Type.String())
		return nil
	}
	switch {
	case i.Member != nil:
		ev.Roles, ev.Permissions = i.Member.Roles, i.Member.Permissions
		if i.Member.User != nil {
			ev.UserID = i.Member.User.ID
		}
	case i.User != nil:
		ev.UserID, ev.DM = i.User.ID, true
	}
	if i.GuildID == "" {
		ev.DM = true
	}
	ev.reply = &interactionReplier{d: d, i: i, ev: ev}
	return ev
}

func optionString(o *discordgo.ApplicationCommandInteractionDataOption) string {
	switch o.Type {
	case discordgo.ApplicationCommandOptionString:
		return o.StringValue()
	case discordgo.ApplicationCommandOptionInteger:
		return strconv.FormatInt(o.IntValue(), 10)
	case discordgo.ApplicationCommandOptionBoolean:
		return strconv.FormatBool(o.BoolValue())
	}
	return fmt.Sprint(o.Value)
}
