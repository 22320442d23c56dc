// Package childlimit holds a child process (this same program, started
// again to read a hostile format: a PDF, a 7z archive) to a memory limit,
// so that whatever a file makes its reader allocate ends that process and
// not the scan.
package childlimit
