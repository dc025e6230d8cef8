package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Deployment binds one blueprint, at one version, to one environment of the
// same project. It owns the state key its Terraform state is stored under.
type Deployment struct {
	ID               int64
	ProjectID        int64
	BlueprintID      int64
	EnvironmentID    int64
	Blueprint        string
	Environment      string
	BlueprintVersion int
	StateKey         string
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// DefaultStateKey is the state key a deployment gets when none is given.
func DefaultStateKey(project, blueprint, environment string) string {
	return project + "/" + blueprint + "/" + environment + ".tfstate"
}

// CreateDeployment binds blueprint at version to environment, all in
// project. A blueprint is deployed to an environment at most once, and a
// state key belongs to one deployment: both are ErrConflict. A missing
// project, blueprint, version or environment is ErrNotFound. An empty
// stateKey means DefaultStateKey.
func (s *Store) CreateDeployment(ctx context.Context, project, blueprint string, version int, environment, stateKey string) (Deployment, error) {
	fail := func(err error) (Deployment, error) {
		return Deployment{}, fmt.Errorf("deploying blueprint %q version %d to environment %q in project %q: %w",
			blueprint, version, environment, project, err)
	}
	if stateKey == "" {
		stateKey = DefaultStateKey(project, blueprint, environment)
	}
	if err := validStateKey(stateKey); err != nil {
		return fail(err)
	}
	now := s.now()
	d := Deployment{
		Blueprint:        blueprint,
		Environment:      environment,
		BlueprintVersion: version,
		StateKey:         stateKey,
		CreatedAt:        now,
		UpdatedAt:        now,
	}
	err := s.inTx(ctx, func(tx *txn) error {
		var err error
		if d.ProjectID, d.BlueprintID, err = blueprintID(ctx, tx, project, blueprint); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM blueprint_versions WHERE blueprint_id = ? AND version = ?`,
			d.BlueprintID, version).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return errorf(ErrNotFound, sql.ErrNoRows, "blueprint %q has no version %d", blueprint, version)
		}
		err = tx.QueryRowContext(ctx, `SELECT id FROM environments WHERE project_id = ? AND name = ?`,
			d.ProjectID, environment).Scan(&d.EnvironmentID)
		if errors.Is(err, sql.ErrNoRows) {
			return errorf(ErrNotFound, err, "no such environment")
		}
		if err != nil {
			return err
		}
		// The transaction holds the write lock (see dsn), so these checks
		// cannot be raced; they exist to say which uniqueness was broken.
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM deployments WHERE blueprint_id = ? AND environment_id = ?`,
			d.BlueprintID, d.EnvironmentID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return errorf(ErrConflict, nil, "the blueprint is already deployed to that environment")
		}
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM deployments WHERE state_key = ?`, stateKey).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return errorf(ErrConflict, nil, "state key %q is used by another deployment", stateKey)
		}
		err = tx.QueryRowContext(ctx,
			`INSERT INTO deployments (project_id, blueprint_id, blueprint_version, environment_id, state_key, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			d.ProjectID, d.BlueprintID, d.BlueprintVersion, d.EnvironmentID, d.StateKey,
			formatTime(d.CreatedAt), formatTime(d.UpdatedAt)).Scan(&d.ID)
		if isUnique(err) {
			return errorf(ErrConflict, err, "a deployment like this already exists")
		}
		return err
	})
	if err != nil {
		return fail(err)
	}
	return d, nil
}

// validStateKey keeps state keys to clean relative paths: they name blobs,
// and the local blob store turns them into file paths.
func validStateKey(key string) error {
	bad := len(key) > 1024 || strings.ContainsAny(key, `\:`)
	for _, seg := range strings.Split(key, "/") {
		if seg == "" || seg == "." || seg == ".." {
			bad = true
		}
	}
	for _, r := range key {
		if r < 0x20 || r == 0x7f {
			bad = true
		}
	}
	if bad {
		return errorf(ErrInvalidName, nil,
			"state key %s is not valid: use a relative path of '/'-separated parts, without '.', '..', '\\', ':' or control characters, at most 1024 bytes",
			quote(key))
	}
	return nil
}

const deploymentSelect = `SELECT d.id, d.project_id, d.blueprint_id, d.environment_id, b.name, e.name,
	d.blueprint_version, d.state_key, d.created_at, d.updated_at
	FROM deployments d
	JOIN blueprints b ON b.id = d.blueprint_id
	JOIN environments e ON e.id = d.environment_id`

func scanDeployment(row interface{ Scan(...any) error }) (Deployment, error) {
	var d Deployment
	err := row.Scan(&d.ID, &d.ProjectID, &d.BlueprintID, &d.EnvironmentID, &d.Blueprint, &d.Environment,
		&d.BlueprintVersion, &d.StateKey, timeColumn{&d.CreatedAt}, timeColumn{&d.UpdatedAt})
	return d, err
}

// Deployments lists a project's deployments, sorted by blueprint and then
// environment name.
func (s *Store) Deployments(ctx context.Context, project string) ([]Deployment, error) {
	fail := func(err error) ([]Deployment, error) {
		return nil, fmt.Errorf("listing deployments in project %q: %w", project, err)
	}
	pid, err := projectID(ctx, s.db, project)
	if err != nil {
		return fail(err)
	}
	rows, err := s.db.QueryContext(ctx, deploymentSelect+` WHERE d.project_id = ? ORDER BY b.name, e.name`, pid)
	if err != nil {
		return fail(err)
	}
	defer rows.Close()
	var ds []Deployment
	for rows.Next() {
		d, err := scanDeployment(rows)
		if err != nil {
			return fail(err)
		}
		ds = append(ds, d)
	}
	if err := rows.Err(); err != nil {
		return fail(err)
	}
	return ds, nil
}

// Deployment returns a deployment of project by id, or ErrNotFound (also
// when the id belongs to another project).
func (s *Store) Deployment(ctx context.Context, project string, id int64) (Deployment, error) {
	fail := func(err error) (Deployment, error) {
		return Deployment{}, fmt.Errorf("reading deployment %d in project %q: %w", id, project, err)
	}
	pid, err := projectID(ctx, s.db, project)
	if err != nil {
		return fail(err)
	}
	d, err := scanDeployment(s.db.QueryRowContext(ctx, deploymentSelect+` WHERE d.project_id = ? AND d.id = ?`, pid, id))
	if errors.Is(err, sql.ErrNoRows) {
		err = errorf(ErrNotFound, err, "no such deployment")
	}
	if err != nil {
		return fail(err)
	}
	return d, nil
}

// UpdateDeploymentVersion rebinds a deployment to a newer version of its blueprint (a
// promotion); the environment and the state key stay. A version that is not newer than the
// deployed one is ErrConflict; a missing deployment or version is ErrNotFound.
func (s *Store) UpdateDeploymentVersion(ctx context.Context, project string, id int64, version int) (Deployment, error) {
	fail := func(err error) (Deployment, error) {
		return Deployment{}, fmt.Errorf("promoting deployment %d in project %q to version %d: %w", id, project, version, err)
	}
	now := s.now()
	var d Deployment
	err := s.inTx(ctx, func(tx *txn) error {
		pid, err := projectID(ctx, tx, project)
		if err != nil {
			return err
		}
		d, err = scanDeployment(tx.QueryRowContext(ctx, deploymentSelect+` WHERE d.project_id = ? AND d.id = ?`, pid, id))
		if errors.Is(err, sql.ErrNoRows) {
			return errorf(ErrNotFound, err, "no such deployment")
		}
		if err != nil {
			return err
		}
		if version <= d.BlueprintVersion {
			return errorf(ErrConflict, nil, "the deployment is at version %d already; promote only to a newer version", d.BlueprintVersion)
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM blueprint_versions WHERE blueprint_id = ? AND version = ?`,
			d.BlueprintID, version).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return errorf(ErrNotFound, sql.ErrNoRows, "blueprint %q has no version %d", d.Blueprint, version)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE deployments SET blueprint_version = ?, updated_at = ? WHERE id = ?`,
			version, formatTime(now), d.ID); err != nil {
			return err
		}
		d.BlueprintVersion, d.UpdatedAt = version, now
		return nil
	})
	if err != nil {
		return fail(err)
	}
	return d, nil
}
