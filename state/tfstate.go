package state

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
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

// NewVersion reads a state file Terraform writes into the state version that records it
// for a deployment: serial, lineage, SHA-256, size, outputs (names and types, no values),
// resource count and the blob key it is kept under (BlobKey). The store numbers it
// (store.Store.AddStateVersion); RunID is the caller's to set.
func NewVersion(deploymentID int64, data []byte) (store.StateVersion, error) {
	sm, err := summarize(data)
	if err != nil {
		return store.StateVersion{}, err
	}
	sum := sha256.Sum256(data)
	v := store.StateVersion{
		DeploymentID: deploymentID,
		Serial:       sm.Serial,
		Lineage:      sm.Lineage,
		SHA256:       hex.EncodeToString(sum[:]),
		Size:         int64(len(data)),
		Outputs:      sm.Outputs,
		Resources:    sm.Resources,
	}
	v.BlobKey = BlobKey(deploymentID, v.SHA256)
	return v, nil
}
