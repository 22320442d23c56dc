//go:build !amd64

package detectors

// classifiers are the implementations of classifyBlocks this processor runs.
func classifiers() map[string]func(*byte, int, *blockMasks, int) {
	return map[string]func(*byte, int, *blockMasks, int){"portable": classifyBlocks}
}
