//go:build race

package detectors

// RaceEnabled says the tests run under the race detector, which makes
// sync.Pool drop items at random (so allocation counts mean nothing) and
// makes scans many times slower. Exported for the external tests.
const RaceEnabled = true
