//go:build !unix

package main

import "os"

// maxRSS is 0 where there is no rusage: the peak is not known.
func maxRSS(*os.ProcessState) int64 { return 0 }
