package incidentbot

// Answer modes, reported to users and in JSON.
const (
	ModeExtractive = "extractive" // sentences quoted from the corpus, no model
	ModeLLM        = "llm"        // written by a language model, citations checked
	ModeFallback   = "fallback"   // the model failed; this is the extractive answer
)

// Answer is what a user is shown: a short text whose sentences carry [n]
// markers, and the citations those markers point at.
type Answer struct {
	Question string `json:"question"`
	Text     string `json:"answer"`
	Refused  bool   `json:"refused"`
	Mode     string `json:"mode"`
	// Notice is shown with the answer when something about it needs saying,
	// e.g. that the language model was unavailable and this is the fallback.
	Notice    string     `json:"notice,omitempty"`
	Citations []Citation `json:"citations"`
	// Closest are the nearest passages when the answer is refused: shown as
	// "closest sources", never as support.
	Closest []Citation `json:"closest,omitempty"`
	// OtherLanguage: the question is not in English and no language model
	// is there to read it; Closest are the sources its names point to.
	OtherLanguage      bool               `json:"other_language,omitempty"`
	SupportedSentences int                `json:"supported_sentences"`
	TotalSentences     int                `json:"total_sentences"`
	TimingsMS          map[string]float64 `json:"timings_ms"`
}

// Citation is a numbered source: a verbatim quote from an article.
type Citation struct {
	N      int    `json:"n"`
	Doc    string `json:"doc"`
	Title  string `json:"title"`
	Outlet string `json:"outlet"`
	Date   string `json:"date"`
	URL    string `json:"url"`
	Added  string `json:"added,omitempty"` // when the article entered the index, YYYY-MM-DD
	Quote  string `json:"quote"`
	// Before and After are the article's words just around the quote, so
	// a reader who has just read the quote in the answer sees where it
	// stands without reading it twice.
	Before string  `json:"before,omitempty"`
	After  string  `json:"after,omitempty"`
	Start  int     `json:"start"`
	End    int     `json:"end"`
	Score  float64 `json:"score"`
}

// Turn is one earlier exchange in a conversation (a Discord thread), used to
// resolve follow-ups such as "and who did the ministry blame?".
type Turn struct {
	Question string
	Answer   string
}

// Timeline is a list of dated events, in order, each citing its sources.
type Timeline struct {
	Events    []TimelineEvent `json:"events"`
	Citations []Citation      `json:"citations"`
}

// TimelineEvent is one dated event. Date is normalised to YYYY-MM-DD, or
// YYYY-MM / YYYY when the source is no more precise. Text ends with its
// citation markers, e.g. "Hackers took the ministry's portal offline. [1][2]".
type TimelineEvent struct {
	Date string `json:"date"`
	Text string `json:"text"`
}
