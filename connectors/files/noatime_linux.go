package files

import "syscall"

// noAtime opens a file without updating its access time: a scan that
// read every file of a share would otherwise make each look used today,
// and a retention rule that archives or deletes what nobody has opened
// in years would keep them all. Linux allows it to the file's owner and
// to root; others get EPERM, and the file is opened as usual.
const noAtime = syscall.O_NOATIME
