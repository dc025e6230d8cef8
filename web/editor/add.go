package editor

import (
	"errors"
	"fmt"
	"net/http"
	"slices"

	"github.com/cloudoven/cloudoven/blueprint"
	"github.com/cloudoven/cloudoven/catalog"
	"github.com/cloudoven/cloudoven/store"
	"github.com/cloudoven/cloudoven/web/form"
	"github.com/cloudoven/cloudoven/web/page"
	"github.com/cloudoven/cloudoven/web/paths"
)

// addToDraft answers POST .../edit/add with type and kind: a new resource or data source of
// that type, with a free name, its provider's requirement and configuration when missing.
// It carries no revision: the catalog's pages post it too.
func (s *Handlers) addToDraft(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	if err := page.ParseForm(w, r, 64<<10); err != nil {
		return s.editRefused(w, r, http.StatusRequestEntityTooLarge, "The request is too large.")
	}
	kind := catalog.KindResource
	if r.PostForm.Get("kind") == "data" {
		kind = catalog.KindDataSource
	}
	var addr string
	// Adding depends on nothing the author saw: it goes onto whatever the draft holds, and
	// an add that races another change is applied again, never lost.
	dw := store.DraftWrite{Writer: writerOf(ctx), Seen: store.AnyRevision}
	es, err := s.changeDraft(ctx, r.PathValue("project"), r.PathValue("blueprint"), dw, func(es *editorSession) (bool, error) {
		typ := es.cat.Lookup(kind, r.PostForm.Get("type"))
		if typ == nil {
			return false, errNoSuchType
		}
		addr = addType(es.bp, typ)
		return true, nil
	})
	switch {
	case errors.Is(err, errNoSuchType):
		return s.editRefused(w, r, http.StatusUnprocessableEntity, fmt.Sprintf("The catalog has no %s %q.", kindLabel(kind), r.PostForm.Get("type")))
	case errors.Is(err, errBusyDraft):
		return s.editRefused(w, r, http.StatusConflict, busyDraftMessage)
	case errors.Is(err, store.ErrTooLarge):
		return s.editRefused(w, r, http.StatusRequestEntityTooLarge, "The blueprint would be larger than CloudOven stores; nothing was added.")
	case err != nil:
		return err
	}
	page.Redirect(w, r, paths.EditItem(es.project, es.name, addr))
	return nil
}

// errNoSuchType is an add of a type the catalog does not have.
var errNoSuchType = errors.New("no such type in the catalog")

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
		res.Config = form.Skeleton(typ.Schema.Block, blueprint.TypeExample(typ))
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
