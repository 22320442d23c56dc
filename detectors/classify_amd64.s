#include "textflag.h"

// Offsets of the mask arrays in blockMasks (TestMaskLayout checks them).
#define DIGIT 0
#define SEP 512
#define START 1024
#define LETTER 1536
#define WORD 2048
#define HIGH 2560
#define SPACE 3072
#define DASH 3584

// ARGS loads classifyBlocks' arguments: SI the text, CX the blocks, DI
// the digit mask of block first (the other masks at their offsets).
#define ARGS \
	MOVQ p+0(FP), SI \
	MOVQ n+8(FP), CX \
	MOVQ m+16(FP), DI \
	MOVQ first+24(FP), AX \
	SHLQ $3, AX \
	ADDQ AX, DI

// ZERO_MASKS clears the registers the masks of a block are ORed into.
#define ZERO_MASKS \
	XORQ R10, R10 \
	XORQ R11, R11 \
	XORQ R12, R12 \
	XORQ R13, R13 \
	XORQ R14, R14 \
	XORQ R8, R8 \
	XORQ BX, BX \
	XORQ DX, DX

// STORE_MASKS writes a block's masks and moves SI and DI to the next.
#define STORE_MASKS \
	MOVQ R10, DIGIT(DI) \
	MOVQ R11, SEP(DI) \
	MOVQ R12, START(DI) \
	MOVQ R13, LETTER(DI) \
	MOVQ R14, WORD(DI) \
	MOVQ R8, HIGH(DI) \
	MOVQ BX, SPACE(DI) \
	MOVQ DX, DASH(DI) \
	ADDQ $64, SI \
	ADDQ $8, DI

// BROADCAST fills X with the byte in the low 8 bits of the 32-bit constant c
// repeated (c must already be repeated four times).
#define BROADCAST(c, X) \
	MOVL $c, AX \
	MOVD AX, X \
	PSHUFL $0, X, X

// CLASSIFY16 classifies the 16 bytes at off(SI) and ORs their masks, shifted
// left by off, into R10 (digit), R11 (sep), R12 (start), R13 (letter), R14
// (word), R8 (high), BX (space) and DX (dash).
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
	PMOVMSKB X6, AX \
	SHLQ $off, AX \
	ORQ AX, BX \
	PMOVMSKB X5, AX \
	SHLQ $off, AX \
	ORQ AX, DX \
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
	MOVOU lettera32<>(SB), X6 \
	PSUBB X6, X3 \
	MOVO X3, X4 \
	MOVOU letter25x32<>(SB), X7 \
	PMINUB X7, X4 \
	PCMPEQB X3, X4 \
	MOVO X0, X5 \
	MOVOU underscore32<>(SB), X6 \
	PCMPEQB X6, X5 \
	POR X4, X5 \
	POR X2, X5 \
	PMOVMSKB X4, AX \
	SHLQ $off, AX \
	ORQ AX, R13 \
	PMOVMSKB X5, AX \
	SHLQ $off, AX \
	ORQ AX, R14 \
	PMOVMSKB X0, AX \
	SHLQ $off, AX \
	ORQ AX, R8

// Constants for which no register is left, 32 bytes for AVX2; SSE2
// loads the first 16 with MOVOU, so their alignment does not matter.
DATA lettera32<>+0(SB)/8, $0x6161616161616161
DATA lettera32<>+8(SB)/8, $0x6161616161616161
DATA lettera32<>+16(SB)/8, $0x6161616161616161
DATA lettera32<>+24(SB)/8, $0x6161616161616161
GLOBL lettera32<>(SB), RODATA|NOPTR, $32
DATA letter25x32<>+0(SB)/8, $0x1919191919191919
DATA letter25x32<>+8(SB)/8, $0x1919191919191919
DATA letter25x32<>+16(SB)/8, $0x1919191919191919
DATA letter25x32<>+24(SB)/8, $0x1919191919191919
GLOBL letter25x32<>(SB), RODATA|NOPTR, $32
DATA underscore32<>+0(SB)/8, $0x5f5f5f5f5f5f5f5f
DATA underscore32<>+8(SB)/8, $0x5f5f5f5f5f5f5f5f
DATA underscore32<>+16(SB)/8, $0x5f5f5f5f5f5f5f5f
DATA underscore32<>+24(SB)/8, $0x5f5f5f5f5f5f5f5f
GLOBL underscore32<>(SB), RODATA|NOPTR, $32

// func classifyBlocksSSE2(p *byte, n int, m *blockMasks, first int)
TEXT ·classifyBlocksSSE2(SB), NOSPLIT, $0-32
	ARGS
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
	ZERO_MASKS
	CLASSIFY16(0)
	CLASSIFY16(16)
	CLASSIFY16(32)
	CLASSIFY16(48)
	STORE_MASKS
	DECQ CX
	JNZ loop

done:
	RET

// The AVX2 classifier does the same on 32 bytes at a time: half the
// instructions per block.

// VBROADCAST fills Y with the byte c.
#define VBROADCAST(c, Y, X) \
	MOVL $c, AX \
	VMOVD AX, X \
	VPBROADCASTB X, Y

// CLASSIFY32(off) classifies the 32 bytes at off(SI) and ORs their masks,
// shifted left by off, into R10 (digit), R11 (sep), R12 (start), R13
// (letter), R14 (word), R8 (high), BX (space) and DX (dash).
#define CLASSIFY32(off) \
	VMOVDQU off(SI), Y0 \
	VPSUBB Y8, Y0, Y1 \
	VPMINUB Y9, Y1, Y2 \
	VPCMPEQB Y1, Y2, Y2 \
	VPCMPEQB Y10, Y0, Y3 \
	VPCMPEQB Y11, Y0, Y4 \
	VPCMPEQB Y12, Y0, Y5 \
	VPCMPEQB Y13, Y0, Y6 \
	VPMOVMSKB Y6, AX \
	SHLQ $off, AX \
	ORQ AX, BX \
	VPMOVMSKB Y5, AX \
	SHLQ $off, AX \
	ORQ AX, DX \
	VPOR Y4, Y5, Y5 \
	VPOR Y6, Y5, Y5 \
	VPOR Y3, Y5, Y5 \
	VPCMPEQB Y14, Y0, Y6 \
	VPCMPEQB Y15, Y0, Y7 \
	VPOR Y6, Y7, Y7 \
	VPOR Y3, Y7, Y7 \
	VPOR Y2, Y7, Y7 \
	VPMOVMSKB Y2, AX \
	SHLQ $off, AX \
	ORQ AX, R10 \
	VPMOVMSKB Y5, AX \
	SHLQ $off, AX \
	ORQ AX, R11 \
	VPMOVMSKB Y7, AX \
	SHLQ $off, AX \
	ORQ AX, R12 \
	VPOR Y13, Y0, Y3 \
	VPSUBB lettera32<>(SB), Y3, Y3 \
	VPMINUB letter25x32<>(SB), Y3, Y4 \
	VPCMPEQB Y3, Y4, Y4 \
	VPCMPEQB underscore32<>(SB), Y0, Y5 \
	VPOR Y4, Y5, Y5 \
	VPOR Y2, Y5, Y5 \
	VPMOVMSKB Y4, AX \
	SHLQ $off, AX \
	ORQ AX, R13 \
	VPMOVMSKB Y5, AX \
	SHLQ $off, AX \
	ORQ AX, R14 \
	VPMOVMSKB Y0, AX \
	SHLQ $off, AX \
	ORQ AX, R8


// func classifyBlocksAVX2(p *byte, n int, m *blockMasks, first int)
TEXT ·classifyBlocksAVX2(SB), NOSPLIT, $0-32
	ARGS
	VBROADCAST(0x30, Y8, X8)  // '0'
	VBROADCAST(0x09, Y9, X9)  // 9
	VBROADCAST(0x3a, Y10, X10) // ':'
	VBROADCAST(0x2e, Y11, X11) // '.'
	VBROADCAST(0x2d, Y12, X12) // '-'
	VBROADCAST(0x20, Y13, X13) // ' '
	VBROADCAST(0x40, Y14, X14) // '@'
	VBROADCAST(0x25, Y15, X15) // '%'
	TESTQ CX, CX
	JZ avxdone

avxloop:
	ZERO_MASKS
	CLASSIFY32(0)
	CLASSIFY32(32)
	STORE_MASKS
	DECQ CX
	JNZ avxloop

avxdone:
	VZEROUPPER
	RET

// The AVX-512 classifier looks each byte's classes up in a table of the
// 128 ASCII bytes (asciiClasses) with one permute per 64 bytes, and
// tests each class bit into a mask register. Bytes of multi-byte
// characters are in no class but high; the permute reads them as their
// low seven bits, so the write mask leaves them out.

// func classifyBlocksAVX512(p *byte, n int, m *blockMasks, first int, table *[128]byte)
TEXT ·classifyBlocksAVX512(SB), NOSPLIT, $0-40
	ARGS
	MOVQ table+32(FP), AX
	VMOVDQU64 (AX), Z4
	VMOVDQU64 64(AX), Z5
	MOVL $1, AX
	VPBROADCASTB AX, Z6 // digit
	MOVL $2, AX
	VPBROADCASTB AX, Z7 // sep
	MOVL $4, AX
	VPBROADCASTB AX, Z8 // start
	MOVL $8, AX
	VPBROADCASTB AX, Z9 // letter
	MOVL $16, AX
	VPBROADCASTB AX, Z10 // word
	MOVL $32, AX
	VPBROADCASTB AX, Z11 // space
	MOVL $64, AX
	VPBROADCASTB AX, Z12 // dash
	TESTQ CX, CX
	JZ avx512done

avx512loop:
	VMOVDQU64 (SI), Z0
	VPMOVB2M Z0, K1
	KNOTQ K1, K2
	VPERMI2B Z5, Z4, Z0
	KMOVQ K1, R8
	VPTESTMB Z6, Z0, K2, K3
	KMOVQ K3, R10
	VPTESTMB Z7, Z0, K2, K3
	KMOVQ K3, R11
	VPTESTMB Z8, Z0, K2, K3
	KMOVQ K3, R12
	VPTESTMB Z9, Z0, K2, K3
	KMOVQ K3, R13
	VPTESTMB Z10, Z0, K2, K3
	KMOVQ K3, R14
	VPTESTMB Z11, Z0, K2, K3
	KMOVQ K3, BX
	VPTESTMB Z12, Z0, K2, K3
	KMOVQ K3, DX
	STORE_MASKS
	DECQ CX
	JNZ avx512loop

avx512done:
	VZEROUPPER
	RET
