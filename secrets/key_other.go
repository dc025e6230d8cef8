//go:build !unix

package secrets

import "io/fs"

// grantedToOurGroup is false where files carry no Unix owner and group.
func grantedToOurGroup(fs.FileInfo) bool { return false }
