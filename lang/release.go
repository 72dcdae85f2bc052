package lang

// Release gives back the pages of the pack this process has read. They
// stay in the page cache (other processes mapping the pack keep theirs),
// and a later lookup maps again the few pages it reads, as on first use.
// Where the pack was read onto the heap it does nothing.
//
// It is for a caller that has just read much of the pack once and will
// read little of it again. Preparing an index to read questions does
// that: it looks up every word of the corpus (its vector, its rank) and
// every name's definition, and the speller reads its 100,000 words; with
// the shipped corpus that made 27 MB of the pack resident, where answering
// questions afterwards reads some 15-20 MB of it, and the rest (the
// definitions, the vectors of words no question's passages hold) stayed
// resident for nothing.
func (r *Resources) Release() {
	if r.evict != nil {
		r.evict(r.pack)
	}
}
