package bot

import "strings"

// customID is a pattern for component custom_ids: fields separated by ':',
// each a literal or a {name} that matches any non-empty field, e.g.
// "refresh:apply:{id}" or "fb:{vote}:{id}:{sig}". A custom_id matches when
// it has as many fields and every literal is the same.
type customID []string

func parseCustomID(pattern string) customID { return strings.Split(pattern, ":") }

// match returns the {name} fields of id, or false.
func (p customID) match(id string) (map[string]string, bool) {
	fields := strings.Split(id, ":")
	if len(fields) != len(p) {
		return nil, false
	}
	params := map[string]string{}
	for i, f := range p {
		name, isParam := strings.CutPrefix(f, "{")
		switch {
		case isParam && fields[i] != "":
			params[strings.TrimSuffix(name, "}")] = fields[i]
		case isParam || f != fields[i]:
			return nil, false
		}
	}
	return params, true
}
