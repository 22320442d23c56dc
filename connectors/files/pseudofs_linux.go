package files

import "syscall"

// pseudoFS names the kernel's pseudo filesystem that holds path, or "" for
// one that holds files. /proc, /sys and their kind are views of the
// running kernel, not stored data: a scan of / must not walk them, and
// some of their files never end (/proc/kmsg blocks a read until the kernel
// logs again).
func pseudoFS(path string) string {
	var st syscall.Statfs_t
	if err := syscall.Statfs(path, &st); err != nil {
		return ""
	}
	return pseudoFSNames[int64(st.Type)]
}

// pseudoFSNames are the magic numbers of linux/magic.h for the pseudo
// filesystems. tmpfs (and /dev's devtmpfs) hold real files and are read;
// the devices in /dev are skipped one by one as not regular files.
var pseudoFSNames = map[int64]string{
	0x9fa0:     "proc",
	0x62656572: "sysfs",
	0x1cd1:     "devpts",
	0x64626720: "debugfs",
	0x74726163: "tracefs",
	0x73636673: "securityfs",
	0x27e0eb:   "cgroup",
	0x63677270: "cgroup2",
	0x6165676c: "pstore",
	0xcafe4a11: "bpf",
	0x62656570: "configfs",
	0x65735543: "fusectl",
	0x19800202: "mqueue",
	0x958458f6: "hugetlbfs",
	0xde5e81e4: "efivarfs",
	0x42494e4d: "binfmt_misc",
}
