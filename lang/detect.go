package lang

import "github.com/abadojack/whatlanggo"

// NotEnglish is the confidence, from 0 to 1, that text is written in a
// language other than English, by the character trigrams of 84 languages
// (whatlanggo, a Go port of whatlang/franc). It is 0 when the text reads
// as English. On a short chat message alone it errs too often to decide
// (typos and chat-speak look foreign); the caller weighs it with the
// words it knows.
func (r *Resources) NotEnglish(text string) float64 {
	info := whatlanggo.Detect(text)
	if info.Lang == whatlanggo.Eng {
		return 0
	}
	return info.Confidence
}
