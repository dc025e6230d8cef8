package deployments

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"

	"github.com/cloudoven/cloudoven/blueprint"
	"github.com/cloudoven/cloudoven/providers"
	"github.com/cloudoven/cloudoven/store"
	"github.com/cloudoven/cloudoven/web/components"
	"github.com/cloudoven/cloudoven/web/page"
	"github.com/cloudoven/cloudoven/web/paths"
)

// A deployment's lock file (.terraform.lock.hcl) records the provider versions and checksums
// its runs install: the first run's init writes it and the run service keeps it. Only
// "Upgrade providers" moves a locked version: a LockUpgrader makes a candidate lock from the
// deployment's files, the newest versions their constraints allow, which waits as the
// deployment's pending lock until an operator uses or discards it after reading its diff.

// LockUpgrader makes the lock file terraform would write for files with the newest provider
// versions their constraints allow; current is the deployment's lock file (nil: none). The
// server's provider cache has it.
type LockUpgrader interface {
	Upgrade(ctx context.Context, files map[string][]byte, current []byte) ([]byte, error)
}

// Locks is what the lock file's section and the upgrade pages keep in the store;
// *store.Store has it.
type Locks interface {
	DeploymentLock(ctx context.Context, deploymentID int64) (store.DeploymentLock, error)
	PendingLock(ctx context.Context, deploymentID int64) (store.PendingLock, error)
	SetPendingLock(ctx context.Context, p store.PendingLock) error
	ClearPendingLock(ctx context.Context, deploymentID int64) error
	UsePendingLock(ctx context.Context, deploymentID int64, user, reason string) (store.DeploymentLock, error)
}

// ProvidersNotConfigured is what the deployment page says when the server has no provider
// cache to make an upgrade with.
const ProvidersNotConfigured = "Provider management is not configured on this server: the lock file is kept and shown, but upgrading its providers needs the server's provider cache."

// AlreadyNewest is what an upgrade that changes nothing says.
const AlreadyNewest = "The lock file already has the newest versions the constraints allow."

// deployLockFragment is the deployment page's lock file section, answered alone to htmx.
const deployLockFragment = "deploy-lock"

type deployLockProps struct {
	Providers []lockedRow
	Raw       string
	Updated   components.Time
	By        string // who wrote it: a user, or "run <id>"
	RunURL    string
	Reason    string
	// Unreadable says why the stored lock file could not be read; it is still shown raw.
	Unreadable string
	Configured bool // an upgrader is set
	Action     string
	PendingURL string // set when an upgrade waits to be used or discarded
	Message    string
	Problem    string
}

type lockedRow struct {
	Source      string
	Version     string
	Constraints string
	Hashes      int
}

// WithUpgrader gives the deployment pages the upgrader "Upgrade providers" asks; without
// one (nil), the page shows the lock file and says provider management is not configured.
func (s *Handlers) WithUpgrader(u LockUpgrader) *Handlers {
	s.upgrader = u
	return s
}

// lockSection builds the lock file's section of the deployment page.
func (s *Handlers) lockSection(ctx context.Context, project string, d store.Deployment) (deployLockProps, error) {
	p := deployLockProps{Configured: s.upgrader != nil, Action: paths.DeploymentProviders(project, d.ID)}
	l, err := s.store.DeploymentLock(ctx, d.ID)
	if err != nil {
		return p, err
	}
	pending, err := s.store.PendingLock(ctx, d.ID)
	if err != nil {
		return p, err
	}
	if pending.Lock != nil {
		p.PendingURL = paths.DeploymentProviders(project, d.ID)
	}
	if l.Lock == nil {
		return p, nil
	}
	p.Raw, p.Updated, p.Reason = string(l.Lock), components.NewTime(l.UpdatedAt), l.Reason
	p.By = l.By
	if l.RunID != "" {
		p.By, p.RunURL = "run "+l.RunID, paths.Run(project, l.RunID)
	}
	lock, err := providers.ParseLock(l.Lock)
	if err != nil {
		p.Unreadable = page.Capitalize(err.Error())
		s.logger.Warn("a stored lock file does not parse", "project", project, "deployment", d.ID, "err", err)
		return p, nil
	}
	p.Providers = lockedRows(lock)
	return p, nil
}

func lockedRows(l providers.Lock) []lockedRow {
	var rows []lockedRow
	for _, p := range l.Providers {
		rows = append(rows, lockedRow{Source: p.Source, Version: p.Version, Constraints: p.Constraints, Hashes: len(p.Hashes)})
	}
	return rows
}

// upgradeProviders answers POST /projects/{project}/deployments/{id}/providers/upgrade: the
// upgrader's candidate lock file becomes the deployment's pending one and the browser goes
// to its diff; no change, or the upgrader's error, is said in the lock file's section.
func (s *Handlers) upgradeProviders(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	project := r.PathValue("project")
	d, err := s.deploymentOf(r)
	if err != nil {
		return err
	}
	answer := func(status int, message, problem string) error {
		props, err := s.deployPage(ctx, project, d)
		if err != nil {
			return err
		}
		props.Lock.Message, props.Lock.Problem = message, problem
		return s.frame.Render(w, r, status, deployPage(props), deployLockFragment)
	}
	if s.upgrader == nil {
		return answer(http.StatusServiceUnavailable, "", ProvidersNotConfigured)
	}
	if err := page.ParseForm(w, r, page.MaxFormBytes); err != nil {
		return answer(page.FormStatus(err), "", page.FormRefusal(err))
	}
	res, err := s.resolver.Resolve(ctx, project, d.ID, d.BlueprintVersion)
	if errors.Is(err, store.ErrNotFound) {
		return err
	}
	if err != nil {
		return answer(http.StatusUnprocessableEntity, "", "The deployment's files cannot be generated, so nothing can be upgraded: "+err.Error()+".")
	}
	files := make(map[string][]byte, len(res.Files))
	for _, f := range res.Files {
		files[f.Name] = f.Content
	}
	current, err := s.store.DeploymentLock(ctx, d.ID)
	if err != nil {
		return err
	}
	candidate, err := s.upgrader.Upgrade(ctx, files, current.Lock)
	if err != nil {
		s.logger.Warn("upgrading a deployment's providers", "project", project, "deployment", d.ID, "err", err)
		return answer(http.StatusUnprocessableEntity, "", "The providers could not be upgraded: "+err.Error()+".")
	}
	next, err := providers.ParseLock(candidate)
	if err != nil {
		return answer(http.StatusUnprocessableEntity, "", "The upgrade made a lock file CloudOven cannot read: "+err.Error()+".")
	}
	if current.Lock != nil {
		if now, err := providers.ParseLock(current.Lock); err == nil && reflect.DeepEqual(now, next) {
			return answer(http.StatusOK, AlreadyNewest, "")
		}
	}
	err = s.store.SetPendingLock(ctx, store.PendingLock{DeploymentID: d.ID, Lock: candidate, Base: current.Lock, By: page.SignedInUser(ctx)})
	switch {
	case errors.Is(err, store.ErrTooLarge), errors.Is(err, store.ErrInvalidLock):
		return answer(http.StatusUnprocessableEntity, "", page.ProblemText(err))
	case err != nil:
		return err
	}
	s.logger.Info("provider upgrade pending", "project", project, "deployment", d.ID)
	page.Redirect(w, r, paths.DeploymentProviders(project, d.ID))
	return nil
}

type lockUpgradeProps struct {
	Layout        page.Layout
	DeploymentURL string
	Blueprint     string
	Environment   string
	Pending       bool
	Changes       []lockChange
	Files         []components.FileDiff
	By            string
	Created       components.Time
	UseAction     string
	DiscardAction string
	Problem       string
}

// lockChange is one provider whose locked version the upgrade changes, adds or drops.
type lockChange struct {
	Source string
	From   string // "" when the upgrade adds it
	To     string // "" when the upgrade drops it
}

// showUpgrade answers GET /projects/{project}/deployments/{id}/providers/upgrade: the
// pending lock file's diff against the deployment's, with "Use these versions" and
// "Discard".
func (s *Handlers) showUpgrade(w http.ResponseWriter, r *http.Request) error {
	d, err := s.deploymentOf(r)
	if err != nil {
		return err
	}
	props, err := s.upgradePage(r.Context(), r.PathValue("project"), d)
	if err != nil {
		return err
	}
	return s.frame.Render(w, r, http.StatusOK, lockUpgradePage(props), "")
}

func (s *Handlers) upgradePage(ctx context.Context, project string, d store.Deployment) (lockUpgradeProps, error) {
	props := lockUpgradeProps{
		Layout: s.frame.Layout(fmt.Sprintf("Upgrade providers of %s → %s", d.Blueprint, d.Environment), page.NavProjects,
			page.InProject(project,
				page.Crumb{Label: "Deployments", URL: paths.Deployments(project), TestID: "breadcrumb-deployments"},
				page.Crumb{Label: d.Blueprint + " → " + d.Environment, URL: paths.Deployment(project, d.ID), TestID: "breadcrumb-deployment"})...),
		DeploymentURL: paths.Deployment(project, d.ID),
		Blueprint:     d.Blueprint,
		Environment:   d.Environment,
		UseAction:     paths.DeploymentProvidersUse(project, d.ID),
		DiscardAction: paths.DeploymentProvidersDiscard(project, d.ID),
	}
	pending, err := s.store.PendingLock(ctx, d.ID)
	if err != nil {
		return props, err
	}
	if pending.Lock == nil {
		return props, nil
	}
	current, err := s.store.DeploymentLock(ctx, d.ID)
	if err != nil {
		return props, err
	}
	props.Pending, props.By, props.Created = true, pending.By, components.NewTime(pending.CreatedAt)
	if !bytes.Equal(current.Lock, pending.Base) {
		props.Problem = "The deployment's lock file has changed since this upgrade was made (a run added to it, or someone chose other versions): discard it and upgrade again."
	}
	props.Changes = lockChanges(current.Lock, pending.Lock)
	var from []blueprint.File
	if current.Lock != nil {
		from = []blueprint.File{{Name: providers.LockFileName, Content: current.Lock}}
	}
	props.Files = components.NewFileDiffs(blueprint.DiffFiles(from, []blueprint.File{{Name: providers.LockFileName, Content: pending.Lock}}))
	return props, nil
}

// lockChanges lists the providers whose versions differ between two lock files, by source.
// An unreadable side counts as empty.
func lockChanges(from, to []byte) []lockChange {
	a, _ := providers.ParseLock(from)
	b, _ := providers.ParseLock(to)
	var out []lockChange
	for _, p := range b.Providers {
		old, ok := a.Provider(p.Source)
		switch {
		case !ok:
			out = append(out, lockChange{Source: p.Source, To: p.Version})
		case old.Version != p.Version:
			out = append(out, lockChange{Source: p.Source, From: old.Version, To: p.Version})
		}
	}
	for _, p := range a.Providers {
		if _, ok := b.Provider(p.Source); !ok {
			out = append(out, lockChange{Source: p.Source, From: p.Version})
		}
	}
	return out
}

// useUpgrade answers POST .../providers/upgrade/use: the pending lock file becomes the
// deployment's (audited by the route), unless the deployment's lock changed since it was
// made.
func (s *Handlers) useUpgrade(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	project := r.PathValue("project")
	d, err := s.deploymentOf(r)
	if err != nil {
		return err
	}
	refuse := func(status int, problem string) error {
		props, err := s.upgradePage(ctx, project, d)
		if err != nil {
			return err
		}
		props.Problem = problem
		return s.frame.Render(w, r, status, lockUpgradePage(props), "")
	}
	if err := page.ParseForm(w, r, page.MaxFormBytes); err != nil {
		return refuse(page.FormStatus(err), page.FormRefusal(err))
	}
	_, err = s.store.UsePendingLock(ctx, d.ID, page.SignedInUser(ctx), "upgrade providers")
	switch {
	case errors.Is(err, store.ErrNotFound):
		return refuse(http.StatusConflict, "There is no pending upgrade to use: it was used or discarded already.")
	case errors.Is(err, store.ErrConflict):
		return refuse(http.StatusConflict, "The deployment's lock file has changed since this upgrade was made: discard it and upgrade again.")
	case err != nil:
		return err
	}
	s.logger.Info("provider upgrade used", "project", project, "deployment", d.ID)
	page.Redirect(w, r, paths.Deployment(project, d.ID))
	return nil
}

// discardUpgrade answers POST .../providers/upgrade/discard.
func (s *Handlers) discardUpgrade(w http.ResponseWriter, r *http.Request) error {
	d, err := s.deploymentOf(r)
	if err != nil {
		return err
	}
	if err := page.ParseForm(w, r, page.MaxFormBytes); err != nil {
		props, perr := s.upgradePage(r.Context(), r.PathValue("project"), d)
		if perr != nil {
			return perr
		}
		props.Problem = page.FormRefusal(err)
		return s.frame.Render(w, r, page.FormStatus(err), lockUpgradePage(props), "")
	}
	if err := s.store.ClearPendingLock(r.Context(), d.ID); err != nil {
		return err
	}
	page.Redirect(w, r, paths.Deployment(r.PathValue("project"), d.ID))
	return nil
}

// zipWithLock returns the zip archive z with the lock file as its first entry (the other
// entries are sorted by name, and ".terraform.lock.hcl" sorts before them all).
func zipWithLock(z, lock []byte) ([]byte, error) {
	zr, err := zip.NewReader(bytes.NewReader(z), int64(len(z)))
	if err != nil {
		return nil, fmt.Errorf("adding the lock file to the zip: %w", err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	h := &zip.FileHeader{Name: providers.LockFileName, Method: zip.Deflate}
	if len(zr.File) > 0 {
		h.Modified = zr.File[0].Modified
	}
	h.SetMode(0o644)
	fw, err := zw.CreateHeader(h)
	if err == nil {
		_, err = io.Copy(fw, bytes.NewReader(lock))
	}
	for _, f := range zr.File {
		if err != nil {
			break
		}
		err = zw.Copy(f)
	}
	if err == nil {
		err = zw.Close()
	}
	if err != nil {
		return nil, fmt.Errorf("adding the lock file to the zip: %w", err)
	}
	return buf.Bytes(), nil
}
