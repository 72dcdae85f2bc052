package answer

import "github.com/incidentbot/incidentbot/corpus"

// What an Answerer knows of its subject comes from the corpus's profile
// (corpus/profile.yaml): the name its prompts give the incident and the
// topics a summary can be limited to. The profile travels with the Source,
// since it describes the corpus the Source searches:
//
//	a := answer.New(answer.WithProfile(store, profile), answer.Options{…})

// ProfiledSource is a Source together with its corpus's profile.
type ProfiledSource interface {
	Source
	Profile() *corpus.Profile
}

type profiledSource struct {
	Source
	profile *corpus.Profile
}

func (s profiledSource) Profile() *corpus.Profile { return s.profile }

// WithProfile returns src with its corpus's profile p. A nil p leaves src as
// it is.
func WithProfile(src Source, p *corpus.Profile) Source {
	if p == nil {
		return src
	}
	if ps, ok := src.(profiledSource); ok {
		src = ps.Source
	}
	return profiledSource{Source: src, profile: p}
}

// Profiled returns an Answerer like a, over the same corpus and with the
// same options, that the profile p describes (see WithProfile).
func (a *Answerer) Profiled(p *corpus.Profile) *Answerer {
	return New(WithProfile(a.src, p), a.opts)
}

// Profile is the profile of the corpus the Answerer answers from: the one
// given with WithProfile, or else the built-in corpus's
// (corpus.DefaultProfile), which describes the built-in articles.
func (a *Answerer) Profile() *corpus.Profile {
	if ps, ok := a.src.(ProfiledSource); ok {
		if p := ps.Profile(); p != nil {
			return p
		}
	}
	return corpus.DefaultProfile()
}
