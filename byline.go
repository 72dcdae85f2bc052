package incidentbot

import "strings"

// Byline names where and when a source appeared: "DW, 2022-09-16", leaving
// out what is unknown ("" when both are). The bot and the command line
// show it after the title of every source they list.
func Byline(outlet, date string) string {
	var parts []string
	for _, p := range []string{outlet, date} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, ", ")
}
