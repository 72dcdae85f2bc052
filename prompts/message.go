package prompts

// Message is one message to a chat language model, as the templates write
// it and the model's client (openai) sends it.
type Message struct {
	Role    string // "system", "user" or "assistant"
	Content string
}
