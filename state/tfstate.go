package state

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/cloudoven/cloudoven/store"
)

// summary is what the server reads from a state file: enough to check its
// order against the stored versions and to show it, and nothing secret.
type summary struct {
	Serial    int64
	Lineage   string
	Outputs   map[string]store.StateOutput
	Resources int
}

// stateFile is the part of Terraform's state format (version 4) the server
// reads. Output values are decoded as raw JSON and dropped.
type stateFile struct {
	Version *int    `json:"version"`
	Serial  *int64  `json:"serial"`
	Lineage *string `json:"lineage"`
	Outputs map[string]struct {
		Type      json.RawMessage `json:"type"`
		Sensitive bool            `json:"sensitive"`
	} `json:"outputs"`
	Resources []struct {
		Mode      string            `json:"mode"`
		Instances []json.RawMessage `json:"instances"`
	} `json:"resources"`
}

// summarize reads a state file. Resources counts the instances of managed
// resources (what a plan adds, changes or destroys), not data sources.
func summarize(data []byte) (summary, error) {
	var f stateFile
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&f); err != nil {
		return summary{}, fmt.Errorf("state is not JSON: %w", err)
	}
	if dec.More() {
		return summary{}, errors.New("state has more than one JSON value")
	}
	switch {
	case f.Version == nil:
		return summary{}, errors.New("state has no format version")
	case *f.Version != 4:
		return summary{}, fmt.Errorf("state format version %d is not supported; Terraform 0.12 and later write version 4", *f.Version)
	case f.Serial == nil || *f.Serial < 0:
		return summary{}, errors.New("state has no serial")
	case f.Lineage == nil || *f.Lineage == "":
		return summary{}, errors.New("state has no lineage")
	}
	s := summary{Serial: *f.Serial, Lineage: *f.Lineage, Outputs: map[string]store.StateOutput{}}
	for name, o := range f.Outputs {
		s.Outputs[name] = store.StateOutput{Sensitive: o.Sensitive, Type: o.Type}
	}
	for _, r := range f.Resources {
		if r.Mode == "managed" {
			s.Resources += len(r.Instances)
		}
	}
	return s, nil
}
