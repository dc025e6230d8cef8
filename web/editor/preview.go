package editor

import (
	"github.com/cloudoven/cloudoven/blueprint"
)

// previewable is a copy of b that Generate can write while the author is halfway through
// an expression: every value that cannot be written yet (an expression that does not parse,
// a malformed reference) becomes null. It returns how many were replaced; b is not changed.
func previewable(b *blueprint.Blueprint) (*blueprint.Blueprint, int, error) {
	doc, err := b.MarshalDocument()
	if err != nil {
		return nil, 0, err
	}
	c, err := blueprint.ParseDocument(doc)
	if err != nil {
		return nil, 0, err
	}
	n := 0
	fix := func(v *blueprint.Value) {
		if v == nil || v.IsZero() {
			return
		}
		if _, err := blueprint.FormatValue(*v); err != nil {
			*v = blueprint.Null()
			n++
		}
	}
	var body func(*blueprint.Body)
	body = func(bd *blueprint.Body) {
		for i := range bd.Attributes {
			fix(&bd.Attributes[i].Value)
		}
		for i := range bd.Blocks {
			body(&bd.Blocks[i].Body)
		}
	}
	for r := range c.AllResources() {
		fix(r.Count)
		fix(r.ForEach)
		body(&r.Config)
	}
	for i := range c.Providers {
		body(&c.Providers[i].Config)
	}
	for i := range c.Variables {
		fix(c.Variables[i].Default)
	}
	for i := range c.Locals {
		fix(&c.Locals[i].Value)
	}
	for i := range c.Outputs {
		fix(&c.Outputs[i].Value)
	}
	return c, n, nil
}
