#include "textflag.h"

// func dotsInt8AVX2(codes *int8, q *int16, dim, rows int, out *int32)
// For each row: widen 16 codes to int16 (VPMOVSXBW), multiply with 16
// query values and add pairs into 8 int32 lanes (VPMADDWD), accumulate;
// then add the lanes. dim is a multiple of 16.
TEXT ·dotsInt8AVX2(SB), NOSPLIT, $0-40
	MOVQ codes+0(FP), SI
	MOVQ q+8(FP), DI
	MOVQ dim+16(FP), DX
	MOVQ rows+24(FP), BX
	MOVQ out+32(FP), R8

row:
	TESTQ BX, BX
	JZ    done
	VPXOR Y0, Y0, Y0
	VPXOR Y1, Y1, Y1
	MOVQ  DI, R9  // query cursor
	MOVQ  DX, CX  // dimensions left

loop32:
	CMPQ      CX, $32
	JL        tail16
	VPMOVSXBW (SI), Y2
	VPMOVSXBW 16(SI), Y3
	VPMADDWD  (R9), Y2, Y2
	VPMADDWD  32(R9), Y3, Y3
	VPADDD    Y2, Y0, Y0
	VPADDD    Y3, Y1, Y1
	ADDQ      $32, SI
	ADDQ      $64, R9
	SUBQ      $32, CX
	JMP       loop32

tail16:
	CMPQ      CX, $16
	JL        sum
	VPMOVSXBW (SI), Y2
	VPMADDWD  (R9), Y2, Y2
	VPADDD    Y2, Y0, Y0
	ADDQ      $16, SI

sum:
	VPADDD       Y1, Y0, Y0
	VEXTRACTI128 $1, Y0, X1
	VPADDD       X1, X0, X0
	VPSHUFD      $0x4E, X0, X1
	VPADDD       X1, X0, X0
	VPSHUFD      $0xB1, X0, X1
	VPADDD       X1, X0, X0
	VMOVD        X0, AX
	MOVL         AX, (R8)
	ADDQ         $4, R8
	DECQ         BX
	JMP          row

done:
	VZEROUPPER
	RET

// func dotsInt8RowsAVX2(codes *int8, rows *int32, n int, q *int16, dim int, out *int32)
// dotsInt8AVX2 for the listed rows of codes: out[i] is row rows[i]'s dot
// product with q. The rows are scattered (the sign pass's candidates), so
// each row's cache lines are prefetched four rows ahead: waiting for each
// row in turn took 0.5 µs a row, most of the rescoring.
TEXT ·dotsInt8RowsAVX2(SB), NOSPLIT, $0-48
	MOVQ codes+0(FP), R10
	MOVQ rows+8(FP), R11
	MOVQ n+16(FP), BX
	MOVQ q+24(FP), DI
	MOVQ dim+32(FP), DX
	MOVQ out+40(FP), R8
	XORQ R12, R12

next:
	CMPQ    R12, BX
	JGE     rdone
	LEAQ    4(R12), R13
	CMPQ    R13, BX
	JGE     compute
	MOVLQSX (R11)(R13*4), AX
	IMULQ   DX, AX
	LEAQ    (R10)(AX*1), R14
	MOVQ    DX, CX

prefetch:
	PREFETCHT0 (R14)
	ADDQ       $64, R14
	SUBQ       $64, CX
	JG         prefetch

compute:
	MOVLQSX (R11)(R12*4), AX
	IMULQ   DX, AX
	LEAQ    (R10)(AX*1), SI
	VPXOR   Y0, Y0, Y0
	VPXOR   Y1, Y1, Y1
	MOVQ    DI, R9
	MOVQ    DX, CX

rloop32:
	CMPQ      CX, $32
	JL        rtail16
	VPMOVSXBW (SI), Y2
	VPMOVSXBW 16(SI), Y3
	VPMADDWD  (R9), Y2, Y2
	VPMADDWD  32(R9), Y3, Y3
	VPADDD    Y2, Y0, Y0
	VPADDD    Y3, Y1, Y1
	ADDQ      $32, SI
	ADDQ      $64, R9
	SUBQ      $32, CX
	JMP       rloop32

rtail16:
	CMPQ      CX, $16
	JL        rsum
	VPMOVSXBW (SI), Y2
	VPMADDWD  (R9), Y2, Y2
	VPADDD    Y2, Y0, Y0

rsum:
	VPADDD       Y1, Y0, Y0
	VEXTRACTI128 $1, Y0, X1
	VPADDD       X1, X0, X0
	VPSHUFD      $0x4E, X0, X1
	VPADDD       X1, X0, X0
	VPSHUFD      $0xB1, X0, X1
	VPADDD       X1, X0, X0
	VMOVD        X0, AX
	MOVL         AX, (R8)(R12*4)
	INCQ         R12
	JMP          next

rdone:
	VZEROUPPER
	RET
