#include "textflag.h"

// BROADCAST fills X with the byte in the low 8 bits of the 32-bit constant c
// repeated (c must already be repeated four times).
#define BROADCAST(c, X) \
	MOVL $c, AX \
	MOVD AX, X \
	PSHUFL $0, X, X

// CLASSIFY16 classifies the 16 bytes at off(SI) and ORs their masks, shifted
// left by off, into R10 (digit), R11 (sep), R12 (start), R13 (letter) and
// R14 (word).
#define CLASSIFY16(off) \
	MOVOU off(SI), X0 \
	MOVO X0, X1 \
	PSUBB X8, X1 \
	MOVO X1, X2 \
	PMINUB X9, X2 \
	PCMPEQB X1, X2 \
	MOVO X0, X3 \
	PCMPEQB X10, X3 \
	MOVO X0, X4 \
	PCMPEQB X11, X4 \
	MOVO X0, X5 \
	PCMPEQB X12, X5 \
	MOVO X0, X6 \
	PCMPEQB X13, X6 \
	POR X4, X5 \
	POR X6, X5 \
	POR X3, X5 \
	MOVO X0, X6 \
	PCMPEQB X14, X6 \
	MOVO X0, X7 \
	PCMPEQB X15, X7 \
	POR X6, X7 \
	POR X3, X7 \
	POR X2, X7 \
	PMOVMSKB X2, AX \
	SHLQ $off, AX \
	ORQ AX, R10 \
	PMOVMSKB X5, AX \
	SHLQ $off, AX \
	ORQ AX, R11 \
	PMOVMSKB X7, AX \
	SHLQ $off, AX \
	ORQ AX, R12 \
	MOVO X0, X3 \
	POR X13, X3 \
	PSUBB lettera<>(SB), X3 \
	MOVO X3, X4 \
	PMINUB letter25<>(SB), X4 \
	PCMPEQB X3, X4 \
	MOVO X0, X5 \
	PCMPEQB underscore<>(SB), X5 \
	POR X4, X5 \
	POR X2, X5 \
	PMOVMSKB X4, AX \
	SHLQ $off, AX \
	ORQ AX, R13 \
	PMOVMSKB X5, AX \
	SHLQ $off, AX \
	ORQ AX, R14

// Constants used as memory operands, which SSE wants 16-byte aligned.
DATA lettera<>+0(SB)/8, $0x6161616161616161
DATA lettera<>+8(SB)/8, $0x6161616161616161
GLOBL lettera<>(SB), RODATA|NOPTR, $16
DATA letter25<>+0(SB)/8, $0x1919191919191919
DATA letter25<>+8(SB)/8, $0x1919191919191919
GLOBL letter25<>(SB), RODATA|NOPTR, $16
DATA underscore<>+0(SB)/8, $0x5f5f5f5f5f5f5f5f
DATA underscore<>+8(SB)/8, $0x5f5f5f5f5f5f5f5f
GLOBL underscore<>(SB), RODATA|NOPTR, $16

// func classifyBlocks(p *byte, n int, digit, sep, start, letter, word *uint64)
TEXT ·classifyBlocks(SB), NOSPLIT, $0-56
	MOVQ p+0(FP), SI
	MOVQ n+8(FP), CX
	MOVQ digit+16(FP), DI
	MOVQ sep+24(FP), R8
	MOVQ start+32(FP), R9
	MOVQ letter+40(FP), BX
	MOVQ word+48(FP), DX
	BROADCAST(0x30303030, X8)  // '0'
	BROADCAST(0x09090909, X9)  // 9
	BROADCAST(0x3a3a3a3a, X10) // ':'
	BROADCAST(0x2e2e2e2e, X11) // '.'
	BROADCAST(0x2d2d2d2d, X12) // '-'
	BROADCAST(0x20202020, X13) // ' '
	BROADCAST(0x40404040, X14) // '@'
	BROADCAST(0x25252525, X15) // '%'
	TESTQ CX, CX
	JZ done

loop:
	XORQ R10, R10
	XORQ R11, R11
	XORQ R12, R12
	XORQ R13, R13
	XORQ R14, R14
	CLASSIFY16(0)
	CLASSIFY16(16)
	CLASSIFY16(32)
	CLASSIFY16(48)
	MOVQ R10, (DI)
	MOVQ R11, (R8)
	MOVQ R12, (R9)
	MOVQ R13, (BX)
	MOVQ R14, (DX)
	ADDQ $64, SI
	ADDQ $8, DI
	ADDQ $8, R8
	ADDQ $8, R9
	ADDQ $8, BX
	ADDQ $8, DX
	DECQ CX
	JNZ loop

done:
	RET
