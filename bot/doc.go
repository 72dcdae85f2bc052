// Package bot is the Discord adapter: it turns slash commands, button clicks
// and @mentions into questions for the answerer and renders the answers as
// Discord messages. It speaks the root package's types (incidentbot.Answerer,
// incidentbot.Library) and knows nothing of how they are built.
//
// Files are named by what they hold, grouped by prefix:
//
//	bot.go, config.go       the Bot, its options, Run and shutdown
//	service.go              the command table: every route and the middleware it runs behind, composed once
//	router.go, customid.go  Events, handlers, routing by command name and custom_id pattern
//	command_*.go            one slash command each
//	button_*.go             one kind of button each (buttons.go signs their custom_ids)
//	middleware_*.go         one middleware each
//	gateway*.go, zombie.go  the discordgo session: connecting, reconnecting, events in
//	reply*.go, delivery.go  replying through interactions and channel messages, retrying what may pass
//	conversations.go        the turns kept per thread, DM and console session
//	render.go, split.go     answers, sources and timelines as message text, cut to Discord's limits
//	console.go              the same router in a terminal
//
// Handlers never touch discordgo: they see an Event and reply through its
// replier, which is what lets the console, and the handler tests, run them
// unchanged. /healthz and /metrics are served by package ops.
package bot
