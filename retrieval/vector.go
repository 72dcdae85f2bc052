package retrieval

// Dot is the dot product of two vectors of the same length: the cosine,
// for the unit vectors the encoders and word vectors give. Other packages
// use it rather than a copy of their own (answer's word similarities).
func Dot(a, b []float32) float64 { return dot(a, b) }
