package providersview

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/cloudoven/cloudoven/providers"
	"github.com/cloudoven/cloudoven/store"
	"github.com/cloudoven/cloudoven/web/components"
	"github.com/cloudoven/cloudoven/web/page"
	"github.com/cloudoven/cloudoven/web/paths"
)

// NotConfigured is what the page says when the server has no provider cache.
const NotConfigured = "Provider management is not configured on this server: it was started without a provider cache, so runs install their providers themselves."

type providersProps struct {
	Layout       page.Layout
	Configured   bool
	Packages     []packageRow
	Unreadable   []usedBy // deployments whose lock files could not be read
	RemoveAction string
	PruneAction  string
	Message      string
	Problem      string
}

type packageRow struct {
	Source    string
	Version   string
	Platform  string
	Size      string
	Hashes    []string
	From      string
	Installed components.Time
	UsedBy    []usedBy
}

type usedBy struct {
	Label string // project/blueprint → environment
	URL   string
}

// show answers GET /admin/providers.
func (s *Handlers) show(w http.ResponseWriter, r *http.Request) error {
	return s.render(w, r, http.StatusOK, "", "")
}

func (s *Handlers) render(w http.ResponseWriter, r *http.Request, status int, message, problem string) error {
	props, err := s.props(r.Context())
	if err != nil {
		return err
	}
	props.Message, props.Problem = message, cmpOr(problem, props.Problem)
	return s.frame.Render(w, r, status, providersPage(props), "")
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func (s *Handlers) props(ctx context.Context) (providersProps, error) {
	p := providersProps{
		Layout:       s.frame.Layout("Providers", ""),
		Configured:   s.cache != nil,
		RemoveAction: paths.AdminProviderRemove(),
		PruneAction:  paths.AdminProvidersPrune(),
	}
	if s.cache == nil {
		return p, nil
	}
	usage, err := s.usage(ctx)
	if err != nil {
		return p, err
	}
	for _, u := range usage.Unreadable {
		p.Unreadable = append(p.Unreadable, userOf(u.LockUser))
	}
	pkgs, err := s.cache.List(ctx)
	if err != nil {
		s.logger.Error("listing the provider cache", "err", err)
		p.Problem = "The provider cache could not be listed: " + err.Error() + "."
		return p, nil
	}
	for _, pkg := range pkgs {
		row := packageRow{Source: pkg.Source, Version: pkg.Version, Platform: pkg.Platform, Size: page.ByteSize(pkg.Size),
			Hashes: pkg.Hashes, From: pkg.From, Installed: components.NewTime(pkg.InstalledAt)}
		for _, u := range usage.Using(pkg.Source, pkg.Version) {
			row.UsedBy = append(row.UsedBy, userOf(u))
		}
		p.Packages = append(p.Packages, row)
	}
	return p, nil
}

// usage reads which deployments' lock files name which versions, and logs those it could
// not read (they are listed on the page too).
func (s *Handlers) usage(ctx context.Context) (store.LockUsage, error) {
	u, err := s.store.LockUsage(ctx)
	if err != nil {
		return u, err
	}
	for _, bad := range u.Unreadable {
		s.logger.Warn("a deployment's lock file does not parse", "project", bad.Project, "deployment", bad.DeploymentID, "err", bad.Err)
	}
	return u, nil
}

func userOf(u store.LockUser) usedBy {
	return usedBy{Label: fmt.Sprintf("%s/%s → %s", u.Project, u.Blueprint, u.Environment), URL: paths.Deployment(u.Project, u.DeploymentID)}
}

// maxField bounds each posted field: a provider address is host/namespace/type.
const maxField = 512

// remove answers POST /admin/providers/remove with source, version and platform.
func (s *Handlers) remove(w http.ResponseWriter, r *http.Request) error {
	if s.cache == nil {
		return s.render(w, r, http.StatusServiceUnavailable, "", NotConfigured)
	}
	if err := page.ParseForm(w, r, page.MaxFormBytes); err != nil {
		return s.render(w, r, page.FormStatus(err), "", page.FormRefusal(err))
	}
	pkg := providers.Package{
		Source:   strings.TrimSpace(r.PostForm.Get("source")),
		Version:  strings.TrimSpace(r.PostForm.Get("version")),
		Platform: strings.TrimSpace(r.PostForm.Get("platform")),
	}
	if pkg.Source == "" || pkg.Version == "" || pkg.Platform == "" || len(pkg.Source)+len(pkg.Version)+len(pkg.Platform) > maxField {
		return s.render(w, r, http.StatusUnprocessableEntity, "", "Say which package to remove: its source, version and platform.")
	}
	if err := s.cache.Remove(r.Context(), pkg.Source, pkg.Version, pkg.Platform); err != nil {
		s.logger.Warn("removing a cached provider package", "provider", pkg.Path(), "err", err)
		return s.render(w, r, http.StatusUnprocessableEntity, "", fmt.Sprintf("%s %s for %s could not be removed: %s.", pkg.Source, pkg.Version, pkg.Platform, err))
	}
	s.frame.Audit(r, "provider.remove", "", pkg.Path(), "")
	s.logger.Info("cached provider package removed", "provider", pkg.Path())
	return s.render(w, r, http.StatusOK, fmt.Sprintf("Removed %s %s for %s. A run that needs it installs it again.", pkg.Source, pkg.Version, pkg.Platform), "")
}

// prune answers POST /admin/providers/prune: every package whose version no deployment's
// lock file names is removed. It refuses while a lock file cannot be read, since what that
// deployment needs is then unknown.
func (s *Handlers) prune(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	if s.cache == nil {
		return s.render(w, r, http.StatusServiceUnavailable, "", NotConfigured)
	}
	if err := page.ParseForm(w, r, page.MaxFormBytes); err != nil {
		return s.render(w, r, page.FormStatus(err), "", page.FormRefusal(err))
	}
	usage, err := s.usage(ctx)
	if err != nil {
		return err
	}
	if n := len(usage.Unreadable); n > 0 {
		return s.render(w, r, http.StatusConflict, "", fmt.Sprintf("Nothing was pruned: the lock %s of %d %s cannot be read, so what %s is unknown. Upgrade %s providers first.",
			page.Plural(n, "file", "files"), n, page.Plural(n, "deployment", "deployments"), page.Plural(n, "it needs", "they need"), page.Plural(n, "its", "their")))
	}
	pkgs, err := s.cache.List(ctx)
	if err != nil {
		return s.render(w, r, http.StatusUnprocessableEntity, "", "The provider cache could not be listed: "+err.Error()+".")
	}
	var removed []string
	for _, pkg := range pkgs {
		if len(usage.Using(pkg.Source, pkg.Version)) > 0 {
			continue
		}
		if err := s.cache.Remove(ctx, pkg.Source, pkg.Version, pkg.Platform); err != nil {
			s.logger.Warn("pruning a cached provider package", "provider", pkg.Path(), "err", err)
			msg := ""
			if len(removed) > 0 {
				msg = "Removed " + strings.Join(removed, ", ") + "."
			}
			return s.render(w, r, http.StatusUnprocessableEntity, msg, fmt.Sprintf("Pruning stopped at %s %s for %s: %s.", pkg.Source, pkg.Version, pkg.Platform, err))
		}
		removed = append(removed, pkg.Path())
		s.frame.Audit(r, "provider.remove", "", pkg.Path(), "pruned: no lock file names it")
	}
	if len(removed) == 0 {
		return s.render(w, r, http.StatusOK, "Nothing to prune: a deployment's lock file names every cached package.", "")
	}
	s.logger.Info("provider cache pruned", "removed", len(removed))
	return s.render(w, r, http.StatusOK, fmt.Sprintf("Removed %d unused %s: %s.", len(removed), page.Plural(len(removed), "package", "packages"), strings.Join(removed, ", ")), "")
}
