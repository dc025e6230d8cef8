package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/cloudoven/cloudoven/providers"
)

// LockUser is a deployment whose lock file names a provider version.
type LockUser struct {
	DeploymentID int64
	Project      string
	Blueprint    string
	Environment  string
}

// ProviderUse is one provider version and the deployments whose lock files name it.
type ProviderUse struct {
	Source      string
	Version     string
	Deployments []LockUser // by project, blueprint, environment
}

// UnreadableLock is a stored lock file ParseLock refuses (written by hand, or by an older
// build): LockUsage skips it and says so here.
type UnreadableLock struct {
	LockUser
	Err error
}

// LockUsage is which deployments' lock files name which provider versions.
type LockUsage struct {
	Providers  []ProviderUse // by source, then version
	Unreadable []UnreadableLock
}

// Using is the deployments whose lock files name source at version.
func (u LockUsage) Using(source, version string) []LockUser {
	for _, p := range u.Providers {
		if p.Source == source && p.Version == version {
			return p.Deployments
		}
	}
	return nil
}

// LockUsage reads every deployment's lock file and says which provider versions each names.
// A lock file that does not parse is left out and listed in Unreadable, never an error.
func (s *Store) LockUsage(ctx context.Context) (LockUsage, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT d.id, p.name, b.name, e.name, l.lock
		FROM deployment_locks l
		JOIN deployments d ON d.id = l.deployment_id
		JOIN projects p ON p.id = d.project_id
		JOIN blueprints b ON b.id = d.blueprint_id
		JOIN environments e ON e.id = d.environment_id
		ORDER BY p.name, b.name, e.name`)
	if err != nil {
		return LockUsage{}, fmt.Errorf("reading the deployments' lock files: %w", err)
	}
	defer rows.Close()
	var u LockUsage
	byKey := map[[2]string]int{}
	for rows.Next() {
		var user LockUser
		var lock []byte
		if err := rows.Scan(&user.DeploymentID, &user.Project, &user.Blueprint, &user.Environment, &lock); err != nil {
			return LockUsage{}, fmt.Errorf("reading the deployments' lock files: %w", err)
		}
		parsed, err := providers.ParseLock(lock)
		if err != nil {
			u.Unreadable = append(u.Unreadable, UnreadableLock{LockUser: user, Err: err})
			continue
		}
		for _, p := range parsed.Providers {
			key := [2]string{p.Source, p.Version}
			i, ok := byKey[key]
			if !ok {
				i = len(u.Providers)
				byKey[key] = i
				u.Providers = append(u.Providers, ProviderUse{Source: p.Source, Version: p.Version})
			}
			u.Providers[i].Deployments = append(u.Providers[i].Deployments, user)
		}
	}
	if err := rows.Err(); err != nil {
		return LockUsage{}, fmt.Errorf("reading the deployments' lock files: %w", err)
	}
	slices.SortFunc(u.Providers, func(a, b ProviderUse) int {
		return cmp.Or(strings.Compare(a.Source, b.Source), strings.Compare(a.Version, b.Version))
	})
	return u, nil
}
