package form

import (
	"fmt"
	"sort"
	"strings"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/cloudoven/cloudoven/blueprint"
)

// Skeleton is a new body for schema: every block the schema requires, recursively, and no
// arguments, so the form shows the author exactly what is left to fill in. The blocks come
// in schema order (Order), with example the type's doc example (blueprint.ExampleOrder).
func Skeleton(schema *tfjson.SchemaBlock, example []string) blueprint.Body {
	return skeleton(schema, "", func() []string { return example })
}

func skeleton(schema *tfjson.SchemaBlock, schemaPath string, example func() []string) blueprint.Body {
	var body blueprint.Body
	if schema == nil {
		return body
	}
	var names []string
	for _, name := range sortedKeys(schema.NestedBlocks) {
		if bt := schema.NestedBlocks[name]; bt != nil && bt.MinItems > 0 {
			names = append(names, name)
		}
	}
	_, rank := Order(schema, schemaPath, example)
	sort.SliceStable(names, func(i, j int) bool {
		ri, _ := rank(names[i])
		rj, _ := rank(names[j])
		return ri < rj
	})
	for _, name := range names {
		bt := schema.NestedBlocks[name]
		for range bt.MinItems {
			body.Blocks = append(body.Blocks, blueprint.Block{Type: name, Body: skeleton(bt.Block, JoinKey(schemaPath, name), example)})
		}
	}
	return body
}

// AddBlock adds an instance of the block type at key (default_node_pool, or
// default_node_pool[0].upgrade_settings) to body, with its own required blocks; a type body
// has no block of goes where opts place it (ParseOptions).
func AddBlock(schema *tfjson.SchemaBlock, body blueprint.Body, key string, opts ParseOptions) (blueprint.Body, error) {
	return editBlock(schema, body, key, blueprint.Placement{Prior: opts.Prior}, "", opts.Example, func(bt *tfjson.SchemaBlockType, blocks []blueprint.Block, name, schemaPath string) ([]blueprint.Block, error) {
		max := int(bt.MaxItems)
		if bt.NestingMode == tfjson.SchemaNestingModeSingle || bt.NestingMode == tfjson.SchemaNestingModeGroup {
			max = 1
		}
		if max > 0 && len(blocks) >= max {
			return nil, fmt.Errorf("%s takes at most %d %s", name, max, plural(max, "block", "blocks"))
		}
		return append(blocks, blueprint.Block{Type: name, Body: skeleton(bt.Block, schemaPath, opts.Example)}), nil
	})
}

// RemoveBlock removes the instance at key (default_node_pool[0]) from body.
func RemoveBlock(schema *tfjson.SchemaBlock, body blueprint.Body, key string) (blueprint.Body, error) {
	blockKey, i, ok := ParseInstanceKey(key)
	if !ok {
		return body, fmt.Errorf("%q is not a block instance", key)
	}
	return editBlock(schema, body, blockKey, blueprint.Placement{}, "", nil, func(bt *tfjson.SchemaBlockType, blocks []blueprint.Block, name, _ string) ([]blueprint.Block, error) {
		if i >= len(blocks) {
			return nil, fmt.Errorf("there is no %s", key)
		}
		return append(blocks[:i:i], blocks[i+1:]...), nil
	})
}

// editBlock finds the block type at key and replaces its instances with what edit returns.
func editBlock(schema *tfjson.SchemaBlock, body blueprint.Body, key string, place blueprint.Placement, schemaPath string, example func() []string, edit func(bt *tfjson.SchemaBlockType, blocks []blueprint.Block, name, schemaPath string) ([]blueprint.Block, error)) (blueprint.Body, error) {
	head, rest, nested := strings.Cut(key, ".")
	name, idx := head, -1
	if nested {
		var indexed, valid bool
		if name, idx, indexed, valid = cutIndex(head); !valid || !indexed {
			return body, fmt.Errorf("%q is not a block path", key)
		}
	}
	if schema == nil || schema.NestedBlocks[name] == nil {
		return body, fmt.Errorf("there is no block %q here", name)
	}
	bt := schema.NestedBlocks[name]
	blocks := body.BlocksOf(name)
	if nested {
		if idx >= len(blocks) {
			return body, fmt.Errorf("there is no %s", head)
		}
		inner, err := editBlock(bt.Block, blocks[idx].Body, rest, place.Block(name, idx, nil), JoinKey(schemaPath, name), example, edit)
		if err != nil {
			return body, err
		}
		blocks = append([]blueprint.Block(nil), blocks...)
		blocks[idx].Body = inner
	} else {
		var err error
		if blocks, err = edit(bt, append([]blueprint.Block(nil), blocks...), name, JoinKey(schemaPath, name)); err != nil {
			return body, err
		}
	}
	_, place.Rank = Order(schema, schemaPath, example)
	body.SetBlocks(name, blocks, place)
	return body, nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
