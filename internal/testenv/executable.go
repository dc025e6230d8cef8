package testenv

import (
	"os"
	"syscall"
	"testing"
)

// WriteExecutable writes data to path as an executable (0755) that a test then runs.
//
// It holds syscall.ForkLock while the file is open for writing. Without it, a parallel
// test that starts a process in between inherits the open file until that process execs,
// and running the executable meanwhile fails with "text file busy" (ETXTBSY; Go issue
// 22315): os/exec forks under ForkLock's read lock, so no fork sees this file open.
func WriteExecutable(t testing.TB, path string, data []byte) {
	t.Helper()
	syscall.ForkLock.Lock()
	err := os.WriteFile(path, data, 0o755)
	syscall.ForkLock.Unlock()
	if err != nil {
		t.Fatal(err)
	}
}
