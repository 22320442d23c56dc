//go:build !unix

package files

// inheritFiles: os/exec cannot hand a child an open file here, so a 7z
// archive is sent as bytes, as one inside another archive is.
const inheritFiles = false
