// Package noatime opens files for reading without updating their access
// time where the system allows: a scan that read every file of a share
// would otherwise make each look used today, and a retention rule that
// archives or deletes what nobody has opened in years would keep them
// all.
package noatime

import (
	"errors"
	"os"
	"syscall"
)

// Open opens for reading with open, asking not to update the access time,
// and again without asking where the system does not allow it for this
// file (EPERM: the caller is not its owner).
func Open(open func(flag int) (*os.File, error)) (*os.File, error) {
	f, err := open(os.O_RDONLY | flag)
	if flag != 0 && errors.Is(err, syscall.EPERM) {
		return open(os.O_RDONLY)
	}
	return f, err
}

// OpenFile opens the file at path for reading as Open does.
func OpenFile(path string) (*os.File, error) {
	return Open(func(flag int) (*os.File, error) { return os.OpenFile(path, flag, 0) })
}
