package prompts

// OtherLanguage is the reply, offline, to a question not in English.
func OtherLanguage() string { return mustText("other-language") }
