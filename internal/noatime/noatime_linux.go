package noatime

import "syscall"

// flag opens a file without updating its access time. Linux allows it to
// the file's owner and to root; others get EPERM.
const flag = syscall.O_NOATIME
