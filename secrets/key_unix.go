//go:build unix

package secrets

import (
	"io/fs"
	"os"
	"syscall"
)

// grantedToOurGroup reports whether a key file open to its group is one another user (an
// administrator, root) owns and lets only this process's group read: mode 0440 or 0400|040,
// root:<our group>, the shape of /etc/ssl/private's keys and of a Kubernetes Secret mounted
// with the pod's fsGroup. Nobody outside the group can read it and this process cannot change
// it. A file this process owns must still be 0600: its group bits would be a mistake.
func grantedToOurGroup(fi fs.FileInfo) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return false
	}
	perm := fi.Mode().Perm()
	return perm&0o037 == 0 && int(st.Uid) != os.Geteuid() && int(st.Gid) == os.Getegid()
}
