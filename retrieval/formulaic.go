package retrieval

import "regexp"

// formulaic phrases of questions carry no subject: "What does NCSC stand
// for?" is about NCSC, and "stand" would find "took a stand".
var formulaic = regexp.MustCompile(`(?i)\b(stands?|short) for\b|\bwhat does\b|\bmean(s)?\b`)
