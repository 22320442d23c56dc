// Command datakart finds personal data in file trees and databases and
// draws the data-inventory map a privacy team needs.
//
// Exit codes (stable):
//
//	0    the scan finished (with or without findings); check: passed
//	1    check: undeclared personal data; diff --exit-code: personal data appeared
//	2    usage error or fatal error (nothing was scanned)
//	3    check: nothing undeclared in what was read, but a store, table or file could not be read;
//	     init: the config was written, but a store, table or file could not be read
//	130  interrupted (Ctrl-C): a partial inventory marked incomplete was written
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "0.1.0-dev"

// Exit codes.
const (
	exitOK          = 0
	exitFindings    = 1
	exitUsage       = 2
	exitUnread      = 3 // check: nothing undeclared in what was read, init: a config written, but not all could be read
	exitInterrupted = 130
)

// usageError marks errors that are the caller's words being off.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return usageError{fmt.Sprintf(format, a...)} }

// exitError carries an exit code other than exitUsage for a failed run.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit %d", e.code) }

const mainUsage = `datakart finds personal data in file trees and databases and maps it.

Usage:
  datakart <command> [flags] [arguments]

Commands:
  scan      scan targets and write the data inventory
  check     scan and fail on personal data the policy does not declare (for CI)
  diff      show what changed between two inventories or recorded runs
  history   list the recorded scans, show one, or prune old ones
  report    write an HTML audit report or a records-of-processing export
  init      scan and write a starter datakart.yaml declaring what was found
  rules     list the detectors, categories and column-name rules
  bench     measure datakart against grep on a generated corpus
  version   print the version

Run 'datakart <command> --help' for a command's flags and examples.

Exit codes: 0 finished (check: passed), 1 check found undeclared personal
data (diff --exit-code: personal data appeared), 2 usage or fatal error,
3 check found nothing undeclared but could not read a store, table or file
(init: wrote the config, but could not read one), 130 interrupted (partial
output written).
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, mainUsage)
		return exitUsage
	}
	var err error
	switch args[0] {
	case "scan":
		err = runScan(args[1:], stdout, stderr)
	case "check":
		err = runCheck(args[1:], stdout, stderr)
	case "diff":
		err = runDiff(args[1:], stdout, stderr)
	case "history":
		err = runHistory(args[1:], stdout, stderr)
	case "report":
		err = runReport(args[1:], stdout, stderr)
	case "init":
		err = runInit(args[1:], stdout, stderr)
	case "rules":
		err = runRules(args[1:], stdout, stderr)
	case "bench":
		err = runBench(args[1:], stdout, stderr)
	case "version", "--version", "-version":
		fmt.Fprintf(stdout, "datakart %s\n", version)
	case "help", "-h", "--help", "-help":
		fmt.Fprint(stdout, mainUsage)
	default:
		err = usagef("unknown command %q", args[0])
	}
	if err == nil {
		return exitOK
	}
	var ee exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	var ue usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(stderr, "datakart: %s\nRun 'datakart --help' for usage.\n", ue.msg)
		return exitUsage
	}
	if errors.Is(err, errHelp) {
		return exitOK
	}
	fmt.Fprintf(stderr, "datakart: %s\n", err)
	return exitUsage
}
