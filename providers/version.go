package providers

import (
	"fmt"

	"github.com/hashicorp/go-version"
)

// constraint is a parsed terraform version constraint; empty matches every version.
type constraint struct {
	text string
	c    version.Constraints
}

func parseConstraint(s string) (constraint, error) {
	if s == "" {
		return constraint{}, nil
	}
	if len(s) > 256 {
		return constraint{}, fmt.Errorf("version constraint %.40q…: over 256 bytes", s)
	}
	c, err := version.NewConstraint(s)
	if err != nil {
		return constraint{}, fmt.Errorf("version constraint %q: %w", s, err)
	}
	return constraint{text: s, c: c}, nil
}

// allows says whether v matches. As terraform does, a pre-release matches only a
// constraint that names it exactly.
func (c constraint) allows(v string) bool {
	ver, err := version.NewVersion(v)
	if err != nil {
		return false
	}
	if c.c == nil {
		return ver.Prerelease() == ""
	}
	return c.c.Check(ver)
}

// compareVersions orders two versions, unparseable ones first.
func compareVersions(a, b string) int {
	va, errA := version.NewVersion(a)
	vb, errB := version.NewVersion(b)
	switch {
	case errA != nil && errB != nil:
		return 0
	case errA != nil:
		return -1
	case errB != nil:
		return 1
	}
	return va.Compare(vb)
}
