//go:build unix

package files

// inheritFiles: a child can be handed an open file (os/exec's ExtraFiles).
const inheritFiles = true
