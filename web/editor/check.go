package editor

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/cloudoven/cloudoven/blueprint"
	"github.com/cloudoven/cloudoven/providercheck"
	"github.com/cloudoven/cloudoven/web/page"
)

// ProviderChecker runs the real providers' check of a blueprint (terraform validate with
// the providers from a mirror); *providercheck.Checker has it.
type ProviderChecker interface {
	Check(ctx context.Context, b *blueprint.Blueprint) (providercheck.Result, error)
}

// WithProviderCheck gives the editor its "Check with providers"; nil leaves the button
// saying the check is not configured.
func (s *Handlers) WithProviderCheck(c ProviderChecker) *Handlers {
	s.providers = c
	return s
}

// maxProblemBytes bounds the reason a check did not run shown on the page: terraform init's
// own words can be long.
const maxProblemBytes = 2000

// providerCheckView is the summary line of a providers' check, or why it did not run.
type providerCheckView struct {
	Problem   string // why the check did not run; the rest is empty then
	Errors    int
	Warnings  int
	Providers string // "testprov 0.1.0, time 0.14.2"
	Took      string // how long the check took: "1.2s"
	Cached    bool
	CheckedAt string // when a cached result was made, in UTC
}

// checkProviders answers POST .../edit/check?item=X: the editor on item with the
// providers' diagnostics placed on their fields like CloudOven's own, and a summary line.
// A check that cannot run is a message on the page, not a failed request.
func (s *Handlers) checkProviders(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	es, err := s.openDraft(ctx, r.PathValue("project"), r.PathValue("blueprint"))
	if err != nil {
		return err
	}
	item := r.URL.Query().Get("item")
	if item == "" {
		item = es.defaultItem()
	}
	view, diags := s.runProviderCheck(ctx, es)
	if ctx.Err() != nil {
		return ctx.Err() // the author went away; nobody reads the answer
	}
	props, err := s.editorPropsWith(es, item, nil, diags)
	if err != nil {
		return err
	}
	props.Preview.ProviderCheck = &view
	if !page.IsHTMX(r) {
		return s.frame.Render(w, r, http.StatusOK, editorPage(props), "")
	}
	w.Header().Set("HX-Retarget", "#item-form")
	w.Header().Set("HX-Reswap", "outerHTML")
	return s.renderParts(w, r, editorItem(props), editorItemProblem(props, true), editorPreview(props, true), editorOutline(props, true),
		editorRevisions(props, false))
}

func (s *Handlers) runProviderCheck(ctx context.Context, es *editorSession) (providerCheckView, blueprint.Diagnostics) {
	if s.providers == nil {
		return providerCheckView{Problem: "Checking with providers is not configured on this server: it needs terraform and a provider mirror."}, nil
	}
	res, err := s.providers.Check(ctx, writableFiles(es.bp))
	if err != nil {
		if ctx.Err() == nil {
			s.logger.Warn("provider check did not run", "project", es.project, "blueprint", es.name, "err", err)
		}
		msg := err.Error()
		if len(msg) > maxProblemBytes {
			msg = strings.ToValidUTF8(msg[:maxProblemBytes], "") + "…"
		}
		return providerCheckView{Problem: "The providers' check did not run: " + msg}, nil
	}
	v := providerCheckView{Took: res.Duration.Round(time.Millisecond).String(), Cached: res.Cached}
	v.Errors, v.Warnings = res.Diagnostics.Count()
	if res.Cached {
		v.CheckedAt = res.CheckedAt.UTC().Format("2006-01-02 15:04 UTC")
	}
	var names []string
	for _, p := range res.Providers {
		if p.Version != "" {
			names = append(names, p.Name+" "+p.Version)
		} else {
			names = append(names, p.Name)
		}
	}
	v.Providers = strings.Join(names, ", ")
	if v.Providers == "" {
		v.Providers = "no providers"
	}
	return v, res.Diagnostics.Blueprint()
}

// summary is the check's line: "2 errors, 1 warning from testprov 0.1.0, time 0.14.2
// (checked in 1.2s)".
func (v providerCheckView) summary() string {
	s := fmt.Sprintf("%d %s, %d %s from %s", v.Errors, page.Plural(v.Errors, "error", "errors"),
		v.Warnings, page.Plural(v.Warnings, "warning", "warnings"), v.Providers)
	if v.Cached {
		return s + fmt.Sprintf(" (from the cache: checked in %s on %s)", v.Took, v.CheckedAt)
	}
	return s + fmt.Sprintf(" (checked in %s)", v.Took)
}
