package answer

import "strings"

// The word lists the question reader (focus.go) and the checks (fit.go)
// rely on: English function words, and a little knowledge of the world
// (countries, titles, what a "bureau" may be).

// attacked are the countries whose incidents the corpus covers; a question
// about one of them must be answered about it.
var attacked = map[string]bool{"albania": true, "montenegro": true, "kosovo": true}

// countries is a small gazetteer: the corpus's countries and those its
// articles compare them with. Words as Terms gives them.
var countries = set("albania montenegro kosovo iran us usa america russia israel serbia ukraine canada britain uk " +
	"england france germany italy greece turkey netherland china iraq syria jordan kuwait cyprus saudi arabia " +
	"lebanon egypt afghanistan pakistan india japan korea macedonia bosnia croatia slovenia bulgaria romania")

// Words that end the noun phrase after "which", "what" or "how many".
var (
	auxiliaries = set("is are was were be been do does did has have had will would can could should may might must")
	phraseEnds  = set("of in on at for from to by with about after before over against during since into under " +
		"between through behind according than as that who whom which when where whose while if because " +
		"close near next " + // "the newspaper close to the supreme leader"
		"the a an this these those it its their his her there")
	// Irregular past forms, which the "-ed" test misses.
	irregular = set("took made said told gave won left came went put cut hit led sent held met became began broke " +
		"brought built caught chose drew fell felt fled found got grew heard hid kept knew lost meant paid ran rose saw " +
		"sold shut spoke stole struck thought threw wrote drove rode wore tore bore shook woke froze stood understood " +
		"sought bought fought taught flew blew sang rang swam sat lay fed bled sped shot lit hung dug stuck spun slid " +
		"bit forgot beat let set hurt quit split spread cost " +
		"say says claim claims take takes make makes give gives " +
		// and present forms that follow a plural subject ("How many MEK members live…")
		"live work want need believe think consider use hold call serve")
	// Nouns that name the kind of answer, not its subject: "What position
	// does Hultquist hold?" is answered by "vice president of …".
	answerNouns = set("people person persons number numbers amount name names kind kinds type types sort position " +
		"positions role roles job title day days date dates year years month months week weeks time times hour hours " +
		"country countries city cities place places thing things part way ways percentage share sum else " +
		"word words term terms power powers figure figures individual individuals personality personalities " +
		"neighbour neighbours neighbor neighbors ally allies partner partners")
	// Words that make a title of the noun after them.
	titleWords = set("prime foreign interior deputy vice")
	// Adjectives that say which one, not what it is.
	plainAdjectives = set("best worst main first last other new old big biggest large largest small major key " +
		"top same different exact current recent many few several")
	// Class nouns whose members the corpus names without the class: the
	// "bureau" that sent experts is the FBI, the "machines" are computers.
	members = map[string]string{
		"bureau":       "fbi",
		"treaty":       "treaty, convention, agreement, accord, pact",
		"treaties":     "treaties, conventions, agreements, accords, pacts",
		"agency":       "agency, ministry, intelligence, fbi",
		"machine":      "computer",
		"machines":     "computers",
		"body":         "agency, council, ministry, institution",
		"bodies":       "agencies, councils, ministries, institutions",
		"institution":  "institution, agency, council, ministry, office, authority",
		"institutions": "institutions, agencies, councils, ministries, offices, authorities",
		"event":        "conference, summit, gathering, meeting",
		"events":       "conferences, summits",
		"head":         "prime minister, leader, chairman, director, chief, president",
		"leader":       "prime minister, head, chairman, director, chief, president",
	}
)

func set(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}

// nameJoiners may stand inside a name: "Agency for Cyber Security".
var nameJoiners = set("for of and the")

// lightVerbs carry no event of their own: "take place", "happen".
// Nor do verbs of opinion and speech, which reports paraphrase freely
// ("think" / "considers").
var lightVerbs = set("take takes took taken happen happens happened occur occurs occurred get gets got go goes went " +
	"come comes came make makes made have has had do does did be say says said think thinks thought believe " +
	"believes believed consider considers considered feel feels felt claim claims claimed " +
	// requests, which news reports word many ways ("at the request of")
	"ask asks asked tell tells told urge urges urged request requests requested")

// institutionWords are capitalised words that make no one's name.
var institutionWords = set("united states kingdom republic ministry minister prime foreign affairs national security council " +
	"government islamic european union democratic party freedom revolutionary guard corps white house cyber agency " +
	"information society draft law secretary general office state department public administration interior " +
	"armed forces police north south east west middle")
