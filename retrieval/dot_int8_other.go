//go:build !amd64

package retrieval

func dotsInt8(codes []int8, q []int16, out []int32) { dotsInt8Go(codes, q, out) }

func dotsInt8Rows(codes []int8, rows []int32, q []int16, out []int32) {
	dotsInt8RowsGo(codes, rows, q, out)
}
