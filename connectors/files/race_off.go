//go:build !race

package files

// raceEnabled: this is a race-detector build; see race_on.go.
const raceEnabled = false
