package editor

import (
	"github.com/cloudoven/cloudoven/catalog"
	"github.com/cloudoven/cloudoven/web/form"
)

// rulesOf looks arguments' rules up in the type's crawled docs (catalog.Type.Rules), for the
// form's choices, bounds, defaults and forces-new marks.
func rulesOf(typ *catalog.Type) form.RulesOf {
	if typ == nil {
		return nil
	}
	return typ.Rules
}
