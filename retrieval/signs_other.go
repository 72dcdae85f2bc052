//go:build !amd64

package retrieval

func signSums(codes []byte, q *signQuery, out []uint32) { signSumsGo(codes, q, out) }
