package retrieval

// dotsInt8Go is the portable kernel of the compact scan: out[r] is the dot
// product of row r of codes (len(q) int8s a row) with q. Codes are within
// ±127 and q within ±32767, so a row of up to 4096 dimensions cannot
// overflow int32.
func dotsInt8Go(codes []int8, q []int16, out []int32) {
	dim := len(q)
	for r := range out {
		row := codes[r*dim : (r+1)*dim : (r+1)*dim]
		var s0, s1, s2, s3 int32
		i := 0
		for ; i+4 <= dim; i += 4 {
			s0 += int32(row[i]) * int32(q[i])
			s1 += int32(row[i+1]) * int32(q[i+1])
			s2 += int32(row[i+2]) * int32(q[i+2])
			s3 += int32(row[i+3]) * int32(q[i+3])
		}
		for ; i < dim; i++ {
			s0 += int32(row[i]) * int32(q[i])
		}
		out[r] = s0 + s1 + s2 + s3
	}
}

// dotsInt8RowsGo is dotsInt8Go for the listed rows of codes: out[i] is row
// rows[i]'s dot product with q.
func dotsInt8RowsGo(codes []int8, rows []int32, q []int16, out []int32) {
	dim := len(q)
	for i, r := range rows {
		dotsInt8Go(codes[int(r)*dim:(int(r)+1)*dim], q, out[i:i+1])
	}
}
