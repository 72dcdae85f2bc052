package retrieval

import (
	"encoding/binary"
	"math"
	"math/bits"
	"math/rand/v2"
)

// The first pass of the compact scan reads one bit a dimension: the sign
// of each component of the vector after a fixed random rotation (64 bytes
// for 512 dimensions, an eighth of the int8 codes). One core reads memory
// at only 6–7 GB/s here, and at a million passages the int8 codes alone
// are 1.4 GB a query; the signs are 173 MB. Their estimate of a cosine is
// rough (it correlates about 0.8 with the exact one), so the pass keeps
// many candidates (keepFirst) for the int8 codes to rescore.
//
// The estimate is RaBitQ's (Gao and Long, 2024): with s the signs of the
// rotated unit vector x and q the rotated query, <q, x> ≈ <q, s> / ‖x‖₁.
// The rotation spreads every direction over all the dimensions, so the
// signs of a real embedding (whose components are not alike, as random
// vectors' are) say as much about it as a random vector's do.

// signRotation is the fixed rotation: flip the signs of a fixed random half
// of the components, then a Walsh–Hadamard transform (d·log d operations,
// not the d² of a dense random rotation). It is the same for every index
// and every run, so codes computed at build time and queries rotated at
// search time agree. Dimensions that are not a power of two are left
// unrotated.
type signRotation struct {
	flip []bool
}

func newSignRotation(dim int) signRotation {
	if dim == 0 || dim&(dim-1) != 0 {
		return signRotation{}
	}
	rng := rand.New(rand.NewPCG(0x1b17, uint64(dim)))
	flip := make([]bool, dim)
	for i := range flip {
		flip[i] = rng.IntN(2) == 1
	}
	return signRotation{flip: flip}
}

// apply writes the rotation of v into out (len(v) floats).
func (r signRotation) apply(v []float32, out []float32) {
	copy(out, v)
	if r.flip == nil {
		return
	}
	for i, f := range r.flip {
		if f {
			out[i] = -out[i]
		}
	}
	for h := 1; h < len(out); h *= 2 {
		for i := 0; i < len(out); i += 2 * h {
			for j := i; j < i+h; j++ {
				a, b := out[j], out[j+h]
				out[j], out[j+h] = a+b, a-b
			}
		}
	}
	// 1/√d keeps it a rotation (‖out‖ = ‖v‖); the estimate does not need
	// it, but the query's quantization reads clearer on unit vectors.
	s := float32(1 / math.Sqrt(float64(len(out))))
	for i := range out {
		out[i] *= s
	}
}

// signBytes is the size of one row's sign code: a whole number of 64-bit
// words, so the kernel reads eight bytes at a time.
func signBytes(dim int) int { return (dim + 63) / 64 * 8 }

// signCode appends the sign code of rotated (a rotated vector) to codes and
// returns it with the row's two factors: 1/‖x‖₁ and the number of set
// bits, which the estimate needs (signEstimate).
func signCode(codes []byte, rotated []float32) ([]byte, float32, uint16) {
	n := signBytes(len(rotated))
	start := len(codes)
	if cap(codes)-start >= n {
		codes = codes[:start+n]
		clear(codes[start:])
	} else {
		codes = append(codes, make([]byte, n)...)
	}
	row := codes[start:]
	var l1 float64
	ones := 0
	for i, x := range rotated {
		l1 += math.Abs(float64(x))
		if x > 0 {
			row[i/8] |= 1 << (i % 8)
			ones++
		}
	}
	inv := float32(0)
	if l1 > 0 {
		inv = float32(1 / l1)
	}
	return codes, inv, uint16(ones)
}

// queryBits is how finely the query is quantized for the sign scan: its
// error is small beside the signs' own (RaBitQ finds four bits enough).
const queryBits = 4

// signQuery is a rotated query quantized for the sign scan: u[i] in
// [0, 15] with q[i] ≈ lo + step·u[i], held as four bit planes (plane p has
// bit i set when bit p of u[i] is), so that a row's sum of u over its set
// bits is Σ_p 2^p · popcount(row & plane p).
type signQuery struct {
	planes   []uint64 // queryBits planes of words(dim) words each
	lo, step float32
	sum      float32 // Σ q[i], as quantized
}

func newSignQuery(rotated []float32) *signQuery {
	lo, hi := rotated[0], rotated[0]
	for _, x := range rotated {
		lo, hi = min(lo, x), max(hi, x)
	}
	const top = 1<<queryBits - 1
	step := (hi - lo) / top
	inv := float32(0)
	if step > 0 {
		inv = 1 / step
	}
	words := signBytes(len(rotated)) / 8
	sq := &signQuery{planes: make([]uint64, queryBits*words), lo: lo, step: step}
	total := 0
	for i, x := range rotated {
		u := int(math.Round(float64((x - lo) * inv)))
		total += u
		for p := range queryBits {
			if u>>p&1 == 1 {
				sq.planes[p*words+i/64] |= 1 << (i % 64)
			}
		}
	}
	sq.sum = step*float32(total) + lo*float32(len(rotated))
	return sq
}

// signSumsGo writes into out[r] the sum of u over the set bits of row r of
// codes (len(out) rows of signBytes bytes): the portable kernel.
func signSumsGo(codes []byte, q *signQuery, out []uint32) {
	words := len(q.planes) / queryBits
	nb := 8 * words
	for r := range out {
		row := codes[r*nb : (r+1)*nb : (r+1)*nb]
		var s uint32
		for w := range words {
			c := binary.LittleEndian.Uint64(row[8*w:])
			for p := range queryBits {
				s += uint32(bits.OnesCount64(c&q.planes[p*words+w])) << p
			}
		}
		out[r] = s
	}
}

// estimate is the estimated cosine of a row from its sum of u over the set
// bits, its number of set bits and 1/‖x‖₁: <q, s> = 2·Σ_{bits set} q − Σ q,
// with Σ_{bits set} q = step·sum + lo·ones.
func (q *signQuery) estimate(sum uint32, ones uint16, invL1 float32) float32 {
	return (2*(q.step*float32(sum)+q.lo*float32(ones)) - q.sum) * invL1
}
