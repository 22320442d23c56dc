package detectors

import "golang.org/x/sys/cpu"

// classifiers are the implementations of classifyBlocks this processor runs.
func classifiers() map[string]func(*byte, int, *blockMasks, int) {
	impls := map[string]func(*byte, int, *blockMasks, int){"sse2": classifyBlocksSSE2}
	if cpu.X86.HasAVX2 {
		impls["avx2"] = classifyBlocksAVX2
	}
	if hasAVX512VBMI() {
		impls["avx512"] = classifyBlocksAVX512Table
	}
	return impls
}
