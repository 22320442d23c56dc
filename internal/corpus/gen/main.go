// Command gen writes the example tree of realistic exports that the README's
// first command scans: go generate ./internal/corpus.
package main

import (
	"fmt"
	"os"

	"datakart/detectors"
	"datakart/internal/corpus"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: gen DIR")
		os.Exit(2)
	}
	if err := os.RemoveAll(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if _, err := corpus.WriteTree(os.Args[1], corpus.TreeOptions{Seed: 2026, Rows: 40, IsFnr: detectors.ValidFodselsnummer}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
