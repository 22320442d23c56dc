//go:build race

package files

// raceEnabled: this is a race-detector build (go test -race), whose
// runtime needs many times the memory a PDF child is held to.
const raceEnabled = true
