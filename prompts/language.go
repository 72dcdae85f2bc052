package prompts

import (
	"strings"
)

// OtherLanguage is the reply, offline, to a question not in English.
func OtherLanguage() string { return mustText("other-language") }

// TranslateQuestion returns the messages that ask the model to put a
// question into English.
func TranslateQuestion(question string) ([]Message, error) {
	return render("translate.question", map[string]any{"Text": Escape(strings.TrimSpace(question))})
}

// TranslateAnswer returns the messages that ask the model to put a checked
// answer into the language of question, keeping its citation markers.
func TranslateAnswer(question, answer string) ([]Message, error) {
	return render("translate.answer", map[string]any{"Question": Escape(strings.TrimSpace(question)), "Text": Escape(strings.TrimSpace(answer))})
}
