//go:build !race

package childlimit

// MemoryLimited reports whether a child is held to its memory limit: not
// in a race-detector build (go test -race), whose runtime needs many times
// the memory a child is held to.
const MemoryLimited = true
