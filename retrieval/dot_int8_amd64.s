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
