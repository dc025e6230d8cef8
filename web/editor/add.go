package editor

import (
	"fmt"
	"net/http"
	"slices"

	"github.com/cloudoven/cloudoven/blueprint"
	"github.com/cloudoven/cloudoven/catalog"
	"github.com/cloudoven/cloudoven/web/form"
	"github.com/cloudoven/cloudoven/web/page"
	"github.com/cloudoven/cloudoven/web/paths"
)

// addToDraft answers POST .../edit/add with type and kind: a new resource or data source of
// that type, with a free name, its provider's requirement and configuration when missing.
func (s *Handlers) addToDraft(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	if err := page.ParseForm(w, r, 64<<10); err != nil {
		return s.editRefused(w, r, http.StatusRequestEntityTooLarge, "The request is too large.")
	}
	es, err := s.openDraft(ctx, r.PathValue("project"), r.PathValue("blueprint"))
	if err != nil {
		return err
	}
	kind := catalog.KindResource
	if r.PostForm.Get("kind") == "data" {
		kind = catalog.KindDataSource
	}
	typ := es.cat.Lookup(kind, r.PostForm.Get("type"))
	if typ == nil {
		return s.editRefused(w, r, http.StatusUnprocessableEntity, fmt.Sprintf("The catalog has no %s %q.", kindLabel(kind), r.PostForm.Get("type")))
	}
	addr := addType(es.bp, typ)
	if err := s.saveDraft(ctx, es); err != nil {
		return err
	}
	page.Redirect(w, r, paths.EditItem(es.project, es.name, addr))
	return nil
}

func kindLabel(k catalog.Kind) string {
	if k == catalog.KindDataSource {
		return "data source"
	}
	return "resource type"
}

// addType adds a resource or data source of typ to b and returns its address. Its name is
// "main" (or main2, main3…) and its config has the blocks the schema requires, with every
// argument left for the author: the diagnostics then list exactly what is left to fill in.
func addType(b *blueprint.Blueprint, typ *catalog.Type) string {
	res := blueprint.NewResource(typ, func(addr string) bool { return b.Resource(addr) != nil })
	if typ.Schema != nil {
		res.Config = form.Skeleton(typ.Schema.Block)
	}
	b.AddResource(res)
	if rp, ok := blueprint.RequiredProviderFor(typ); ok && !slices.ContainsFunc(b.RequiredProviders, func(x blueprint.RequiredProvider) bool { return x.Name == rp.Name }) {
		b.RequiredProviders = append(b.RequiredProviders, rp)
	}
	if pc, ok := blueprint.ProviderConfigFor(typ); ok && !slices.ContainsFunc(b.Providers, func(x blueprint.ProviderConfig) bool { return x.Name == pc.Name }) {
		b.Providers = append(b.Providers, pc)
	}
	return res.Address()
}
