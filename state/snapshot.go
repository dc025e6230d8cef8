package state

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/cloudoven/cloudoven/store"
)

// MaxShowBytes is the largest state version CloudOven reads to show it: its outputs, its
// resources and its diff with another version. The backend keeps larger ones
// (MaxStateBytes); their page shows only what the store holds of them.
const MaxShowBytes = 8 << 20

// ErrTooLarge reports a state version over the size a Reader reads.
var ErrTooLarge = errors.New("state too large to show")

// ErrCorrupt reports a state blob that is not the state its version recorded: its SHA-256
// differs, or it is no state file Terraform writes.
var ErrCorrupt = errors.New("state blob does not match its version")

// Reader reads stored state versions back from their blobs, to show them.
type Reader struct {
	blobs    BlobStore
	maxBytes int64
}

// NewReader returns a Reader of the blobs in blobs, reading up to MaxShowBytes a version.
func NewReader(blobs BlobStore) *Reader {
	return &Reader{blobs: blobs, maxBytes: MaxShowBytes}
}

// WithLimit returns a copy of r reading versions up to maxBytes.
func (r *Reader) WithLimit(maxBytes int64) *Reader {
	c := *r
	c.maxBytes = maxBytes
	return &c
}

// Read reads state version v's blob and parses it. A version over the limit is not read
// (ErrTooLarge); a missing blob is ErrNotFound; a blob whose SHA-256 is not the version's
// is ErrCorrupt. Each error says which version, and its size where that is the reason.
func (r *Reader) Read(ctx context.Context, v store.StateVersion) (*Snapshot, error) {
	fail := func(err error) (*Snapshot, error) {
		return nil, fmt.Errorf("reading state version %d: %w", v.Version, err)
	}
	tooLarge := func(size int64) (*Snapshot, error) {
		return fail(fmt.Errorf("%w: it is %s, and CloudOven shows states up to %s", ErrTooLarge, sizeText(size), sizeText(r.maxBytes)))
	}
	if v.Size > r.maxBytes {
		return tooLarge(v.Size)
	}
	data, err := r.blobs.Get(ctx, v.BlobKey)
	if err != nil {
		return fail(err)
	}
	if int64(len(data)) > r.maxBytes {
		return tooLarge(int64(len(data)))
	}
	if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != v.SHA256 {
		return fail(fmt.Errorf("%w: the blob's SHA-256 is not the one recorded when it was written", ErrCorrupt))
	}
	s, err := Parse(data)
	if err != nil {
		return fail(fmt.Errorf("%w: %w", ErrCorrupt, err))
	}
	return s, nil
}

// sizeText is a byte count for messages: 512 bytes, 8.0 MiB.
func sizeText(n int64) string {
	switch {
	case n < 1<<10:
		return strconv.FormatInt(n, 10) + " bytes"
	case n < 1<<20:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
}

// Snapshot is one state file, parsed to be shown: its outputs (Outputs), its resources
// (Resources) and what changed since another (Compare). It keeps the values, so it lives
// only as long as the request that shows it; nothing shown from it carries a value
// terraform marked sensitive, nor a string that holds one (see secrets).
type Snapshot struct {
	TerraformVersion string
	Serial           int64
	Lineage          string
	outputs          map[string]rawOutput
	resources        []rawResource
	// instances are the resources' instances, by address.
	instances []instance
	// secrets are the sensitive strings of the state: the strings inside sensitive outputs
	// and at sensitive attribute paths. Terraform does not carry the mark through every
	// provider (terraform_data's output copies its input unmarked), so any other string
	// that holds one is masked as well.
	secrets []string
}

type rawOutput struct {
	Value     any             `json:"value"`
	Type      json.RawMessage `json:"type"`
	Sensitive bool            `json:"sensitive"`
}

type rawResource struct {
	Module    string        `json:"module"`
	Mode      string        `json:"mode"`
	Type      string        `json:"type"`
	Name      string        `json:"name"`
	Provider  string        `json:"provider"`
	Instances []rawInstance `json:"instances"`
}

type rawInstance struct {
	IndexKey            any   `json:"index_key"`
	Attributes          any   `json:"attributes"`
	SensitiveAttributes []any `json:"sensitive_attributes"`
}

// instance is one resource instance: Address is terraform's
// (module.net.azurerm_subnet.main["a"]).
type instance struct {
	Address   string
	Type      string
	attrs     any
	sensitive [][]any // paths of string (key) and int (index) steps
}

// Parse reads a state file in Terraform's own format (version 4, what a backend stores).
// terraform-json's State is the other format, `terraform show -json`'s, so it does not
// read this one.
func Parse(data []byte) (*Snapshot, error) {
	var f struct {
		Version          *int                 `json:"version"`
		TerraformVersion string               `json:"terraform_version"`
		Serial           *int64               `json:"serial"`
		Lineage          string               `json:"lineage"`
		Outputs          map[string]rawOutput `json:"outputs"`
		Resources        []rawResource        `json:"resources"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("state is not a state file: %w", err)
	}
	switch {
	case f.Version == nil:
		return nil, errors.New("state has no format version")
	case *f.Version != 4:
		return nil, fmt.Errorf("state format version %d is not supported; Terraform 0.12 and later write version 4", *f.Version)
	case f.Serial == nil:
		return nil, errors.New("state has no serial")
	}
	s := &Snapshot{TerraformVersion: f.TerraformVersion, Serial: *f.Serial, Lineage: f.Lineage, outputs: f.Outputs, resources: f.Resources}
	if s.outputs == nil {
		s.outputs = map[string]rawOutput{}
	}
	secrets := map[string]bool{}
	for _, o := range s.outputs {
		if o.Sensitive {
			collectStrings(o.Value, 0, secrets)
		}
	}
	for _, r := range s.resources {
		base := resourceAddress(r)
		for _, in := range r.Instances {
			inst := instance{Address: base + indexText(in.IndexKey), Type: r.Type, attrs: in.Attributes}
			for _, p := range in.SensitiveAttributes {
				path := sensitivePath(p)
				inst.sensitive = append(inst.sensitive, path)
				collectStrings(lookup(in.Attributes, path, false), 0, secrets)
				collectStrings(lookup(in.Attributes, path, true), 0, secrets)
			}
			s.instances = append(s.instances, inst)
		}
	}
	sort.SliceStable(s.instances, func(i, j int) bool { return s.instances[i].Address < s.instances[j].Address })
	for v := range secrets {
		if len(v) >= minSecretLen {
			s.secrets = append(s.secrets, v)
		}
	}
	sort.Strings(s.secrets)
	return s, nil
}

// Conceal adds values that are secret wherever they come from (an environment's secrets,
// which reach terraform as variables that need not be marked sensitive): a string of the
// state that holds one is masked as a sensitive one is. Values shorter than four bytes are
// ignored, and so are encoded forms (base64, hex) of a value.
func (s *Snapshot) Conceal(values ...string) {
	for _, v := range values {
		if len(v) >= minSecretLen && !slices.Contains(s.secrets, v) {
			s.secrets = append(s.secrets, v)
		}
	}
}

// minSecretLen is the shortest sensitive string looked for in other values: a shorter one
// ("true", a region code) would mask ordinary values and hides little.
const minSecretLen = 4

// resourceAddress is a resource's address without an instance key.
func resourceAddress(r rawResource) string {
	var b strings.Builder
	if r.Module != "" {
		b.WriteString(r.Module + ".")
	}
	if r.Mode == "data" {
		b.WriteString("data.")
	}
	b.WriteString(r.Type + "." + r.Name)
	return b.String()
}

// indexText is an instance key as terraform writes it in an address: [0], ["west"].
func indexText(key any) string {
	switch k := key.(type) {
	case json.Number:
		return "[" + k.String() + "]"
	case string:
		return "[" + strconv.Quote(k) + "]"
	}
	return ""
}

// sensitivePath reads one of sensitive_attributes' paths: steps {"type":"get_attr",
// "value":"name"} and {"type":"index","value":{"value":0,"type":"number"}}. A step it cannot
// read (an index into a set, by value) ends the path there, so what it marks is masked
// with more around it rather than less.
func sensitivePath(p any) []any {
	steps, _ := p.([]any)
	var path []any
	for _, st := range steps {
		m, _ := st.(map[string]any)
		switch m["type"] {
		case "get_attr":
			if name, ok := m["value"].(string); ok {
				path = append(path, name)
				continue
			}
		case "index":
			idx, _ := m["value"].(map[string]any)
			switch v := idx["value"].(type) {
			case string:
				path = append(path, v)
				continue
			case json.Number:
				if n, err := v.Int64(); err == nil {
					path = append(path, int(n))
					continue
				}
			}
		}
		return path
	}
	return path
}

// lookup returns the value at path in v, or nil; through dynamic values (see dynamic) when
// asked.
func lookup(v any, path []any, throughDynamic bool) any {
	for _, step := range path {
		if inner, ok := dynamic(v); ok && throughDynamic {
			v = inner
		}
		switch c := v.(type) {
		case map[string]any:
			k, ok := step.(string)
			if !ok {
				return nil
			}
			v = c[k]
		case []any:
			i, ok := step.(int)
			if !ok || i < 0 || i >= len(c) {
				return nil
			}
			v = c[i]
		default:
			return nil
		}
	}
	return v
}

// collectStrings adds the strings inside v (keys too) to into.
func collectStrings(v any, depth int, into map[string]bool) {
	if depth > maxDepth {
		return
	}
	switch c := v.(type) {
	case string:
		into[c] = true
	case map[string]any:
		for k, e := range c {
			into[k] = true
			collectStrings(e, depth+1, into)
		}
	case []any:
		for _, e := range c {
			collectStrings(e, depth+1, into)
		}
	}
}

// holdsSecret reports whether a string inside v (a key too) holds one of secrets.
func holdsSecret(v any, secrets []string, depth int) bool {
	if len(secrets) == 0 {
		return false
	}
	if depth > maxDepth {
		return true
	}
	switch c := v.(type) {
	case string:
		for _, s := range secrets {
			if strings.Contains(c, s) {
				return true
			}
		}
	case map[string]any:
		for k, e := range c {
			if holdsSecret(k, secrets, depth) || holdsSecret(e, secrets, depth+1) {
				return true
			}
		}
	case []any:
		for _, e := range c {
			if holdsSecret(e, secrets, depth+1) {
				return true
			}
		}
	}
	return false
}

// maxDepth bounds how deep a value is walked; deeper values are masked whole. Terraform's
// values are seldom more than a few levels deep.
const maxDepth = 32

// dynamic returns the value inside v when v is how a state file writes a value of
// terraform's dynamic type (terraform_data's input and output): {"value": ..., "type":
// <a type>}. Terraform's own paths (sensitive_attributes) and its displays step through
// it.
func dynamic(v any) (any, bool) {
	m, ok := v.(map[string]any)
	if !ok || len(m) != 2 {
		return nil, false
	}
	inner, ok := m["value"]
	if !ok || !isType(m["type"]) {
		return nil, false
	}
	return inner, true
}

// isType reports whether t is a type as terraform writes one in JSON: "string", "number",
// "bool", "dynamic", or ["list", <type>], ["object", {...}] and the like.
func isType(t any) bool {
	switch c := t.(type) {
	case string:
		return c == "string" || c == "number" || c == "bool" || c == "dynamic"
	case []any:
		if len(c) == 0 {
			return false
		}
		switch c[0] {
		case "list", "set", "map", "tuple", "object":
			return true
		}
	}
	return false
}
