package blueprint

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// jsonNode is a JSON value read once, with its objects' keys in the order they are written
// (a key given twice, twice). Values and bodies are decoded from it rather than from raw
// bytes level by level: unmarshalling each level's raw JSON again reads every byte once a
// level it is nested in, which took seconds on a few megabytes nested a few hundred deep.
type jsonNode struct {
	kind nodeKind
	str  string      // a string
	num  json.Number // a number
	bool bool        // a bool
	keys []string    // an object's keys, in order
	vals []*jsonNode // an object's values, by key, or an array's items
}

type nodeKind int

const (
	nodeNull nodeKind = iota
	nodeBool
	nodeNumber
	nodeString
	nodeArray
	nodeObject
)

// readJSON reads raw JSON, which must be one complete value. The depth is bounded again
// here, though ParseDocument refused deeper documents before anything was read: reading
// recurses once a level.
func readJSON(raw []byte) (*jsonNode, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	n, err := readJSONValue(dec, 0)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("unexpected data after a value")
	}
	return n, nil
}

func readJSONValue(dec *json.Decoder, depth int) (*jsonNode, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch tok := tok.(type) {
	case nil:
		return &jsonNode{kind: nodeNull}, nil
	case bool:
		return &jsonNode{kind: nodeBool, bool: tok}, nil
	case json.Number:
		return &jsonNode{kind: nodeNumber, num: tok}, nil
	case string:
		return &jsonNode{kind: nodeString, str: tok}, nil
	case json.Delim:
		if depth++; depth > MaxDocumentNesting {
			return nil, fmt.Errorf("nested more than %d levels deep", MaxDocumentNesting)
		}
		n := &jsonNode{kind: nodeArray}
		if tok == '{' {
			n.kind = nodeObject
		}
		for dec.More() {
			if n.kind == nodeObject {
				key, err := dec.Token()
				if err != nil {
					return nil, err
				}
				n.keys = append(n.keys, key.(string)) // object keys are always strings
			}
			item, err := readJSONValue(dec, depth)
			if err != nil {
				return nil, err
			}
			n.vals = append(n.vals, item)
		}
		if _, err := dec.Token(); err != nil { // the closing delimiter
			return nil, err
		}
		return n, nil
	}
	return nil, fmt.Errorf("unexpected JSON token %v", tok)
}

// lastByKey is an object's values by key, the last one of a key given twice winning, as
// encoding/json decodes an object into a map; and the keys in the order they were first
// given.
func (n *jsonNode) lastByKey() (map[string]*jsonNode, []string) {
	m := make(map[string]*jsonNode, len(n.keys))
	var order []string
	for i, k := range n.keys {
		if _, seen := m[k]; !seen {
			order = append(order, k)
		}
		m[k] = n.vals[i]
	}
	return m, order
}

// any is the value as encoding/json decodes it into an interface with UseNumber.
func (n *jsonNode) any() any {
	switch n.kind {
	case nodeBool:
		return n.bool
	case nodeNumber:
		return n.num
	case nodeString:
		return n.str
	case nodeArray:
		out := make([]any, len(n.vals))
		for i, v := range n.vals {
			out[i] = v.any()
		}
		return out
	case nodeObject:
		out := make(map[string]any, len(n.keys))
		for i, k := range n.keys {
			out[k] = n.vals[i].any()
		}
		return out
	}
	return nil
}

// describe names the kind of value, as an error message says what it got.
func (n *jsonNode) describe() string {
	switch n.kind {
	case nodeObject:
		return "an object"
	case nodeArray:
		return "an array"
	case nodeString:
		return "a string"
	case nodeBool:
		return "a bool"
	case nodeNull:
		return "null"
	}
	return "a number"
}
