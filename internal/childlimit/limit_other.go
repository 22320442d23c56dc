//go:build !unix

package childlimit

// Limit has no portable way here; the memory limit of the runtime
// still makes the collector work hard before the heap grows past it.
func Limit(uint64) {}
