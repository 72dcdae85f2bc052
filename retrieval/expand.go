package retrieval

import (
	"regexp"
	"strings"
)

// formulaic phrases of questions carry no subject: "What does TIMS stand
// for?" is about TIMS, and "stand" would find "took a stand".
var formulaic = regexp.MustCompile(`(?i)\b(stands?|short) for\b|\bwhat does\b|\bmean(s)?\b`)

// News writing names things indirectly: a capital for its government
// ("Tehran said"), a description for a country ("the Balkan country"), a
// synonym for a role ("envoys"). Questions do the same, with other words than
// the article. ExpandQuery appends the corpus's words for such references, so
// BM25 can match them; the original words stay and keep their weight.
var aliases = map[string]string{
	"tehran":          "iran iranian",
	"teheran":         "iran iranian",
	"tirana":          "albania albanian",
	"balkan":          "albania albanian",
	"pristina":        "kosovo",
	"prishtina":       "kosovo",
	"podgorica":       "montenegro montenegrin",
	"washington":      "us united states american",
	"moscow":          "russia russian",
	"kremlin":         "russia russian",
	"beijing":         "china chinese",
	"america":         "us united states american",
	"islamic":         "iran",
	"envoy":           "diplomat ambassador representatives",
	"envoys":          "diplomats ambassador representatives",
	"embassy":         "diplomatic",
	"exiles":          "mek mujahedeen opposition",
	"exile":           "mek mujahedeen opposition",
	"dissident":       "mek mujahedeen opposition",
	"dissidents":      "mek mujahedeen opposition",
	"mujahideen":      "mek mujahedeen",
	"hack":            "cyberattack attack",
	"hacked":          "cyberattack attack",
	"hacking":         "cyberattack attack",
	"hackers":         "cyberattack attackers groups",
	"breach":          "attack",
	"breached":        "attack",
	"law-enforcement": "police",
	"cops":            "police",
	"premier":         "prime minister",
	"leader":          "prime minister head",
	"head":            "prime minister leader",
	"press":           "newspapers media",
	"newspaper":       "newspapers",
	"papers":          "newspapers",
	"phone":           "telecom telephone",
	"operator":        "company",
	"bill":            "draft law",
	"spy":             "intelligence",
	"agency":          "ministry intelligence",
	"ties":            "relations",
	"relations":       "ties",
	"sever":           "cut break",
	"cut":             "sever break",
	"ended":           "cut sever",
	"ending":          "cut sever termination",
	"expelled":        "leave",
	"left":            "leave departed",
	"departed":        "left leave",
	"blame":           "accused behind",
	"blamed":          "accused behind",
	"tech":            "technology company",
	"giant":           "company",
	"compound":        "headquarters camp",
	"camp":            "headquarters",
	"gathering":       "conference summit event",
	"get-together":    "conference summit event",
	"meeting":         "conference summit",
	"scholar":         "professor",
	"analyst":         "expert",
	"characterise":    "said called described",
	"characterize":    "said called described",
	"describe":        "said called",
	"body":            "council ministry institution",
	"spoke":           "spokesman spokesperson said",
	"lead":            "leader head",
	"leads":           "leader head",
	"led":             "leader head",
	"fast":            "hasty quick",
	"quickly":         "hasty",
	"cabinet":         "minister ministry",
	"post":            "minister ministry",
	"retired":         "former",
	"information":     "data",
	"recovered":       "restored lost",
	"never":           "forever",
	"utilities":       "water electricity power supply",
	"utility":         "water electricity power supply",
	"service":         "agency",
	"findings":        "report analysis investigation",
	"database":        "system data",
	"welcome":         "host shelter accommodate took",
	"welcomed":        "host shelter accommodate took",
	"rama":            "prime minister head government",
	"creature":        "mosquito animal",
	"why":             "because reason motivation",
	"motive":          "motivation reason",
}

// ExpandQuery returns the query with the corpus's words for its indirect
// references appended.
func ExpandQuery(q string) string {
	var extra []string
	for _, w := range words(q) {
		if a, ok := aliases[w]; ok && a != "" {
			extra = append(extra, a)
		}
	}
	if len(extra) == 0 {
		return q
	}
	return q + " " + strings.Join(extra, " ")
}
