package blueprint

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"

	"github.com/cloudoven/cloudoven/hcllimit"
)

// DocumentFormat is the version of the blueprint and environment JSON documents this build
// reads and writes.
const DocumentFormat = 1

// MaxDocumentSize bounds a blueprint or environment document. A 1,000-resource blueprint is
// well under 1 MiB; anything near this limit is a mistake or an attack.
const MaxDocumentSize = 4 << 20

// MaxDocumentNesting bounds how deeply a blueprint or environment document's JSON nests
// (arrays and objects together). A value nested as deep as HCL may be (hcllimit.MaxNesting)
// takes two levels a level ({"list": [...]}), and the document's own structure and nested
// blocks take the rest; the deepest document in the tests nests 19 levels. Decoding a value
// and validating, generating and checking it all recurse once a level.
const MaxDocumentNesting = 2*hcllimit.MaxNesting + 64

// ErrDocument marks every problem with a document's JSON form (as opposed to a blueprint
// that decodes but does not validate, which gets Diagnostics).
var ErrDocument = errors.New("invalid document")

func docErr(path, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if path != "" {
		msg = path + ": " + msg
	}
	return fmt.Errorf("%w: %s", ErrDocument, msg)
}

// The doc* types are the document's JSON shape. Values and bodies stay raw until decodeValue
// and decodeBody read them with their path, so an error can say exactly where it is.
type docBlueprint struct {
	Format            *int               `json:"format"`
	Name              string             `json:"name"`
	Description       string             `json:"description"`
	RequiredVersion   string             `json:"required_version"`
	RequiredProviders []RequiredProvider `json:"required_providers"`
	Providers         []docProvider      `json:"providers"`
	Variables         []docVariable      `json:"variables"`
	Locals            []docLocal         `json:"locals"`
	Data              []docResource      `json:"data"`
	Resources         []docResource      `json:"resources"`
	Outputs           []docOutput        `json:"outputs"`
	Files             []BlueprintFile    `json:"files"`
	Modules           []docModule        `json:"modules"`
	ModuleFiles       []ModuleFile       `json:"module_files"`
}

type docProvider struct {
	Name   string          `json:"name"`
	Alias  string          `json:"alias"`
	Config json.RawMessage `json:"config"`
}

type docVariable struct {
	Name        string               `json:"name"`
	Type        string               `json:"type"`
	Default     json.RawMessage      `json:"default"`
	Description string               `json:"description"`
	Sensitive   bool                 `json:"sensitive"`
	Nullable    *bool                `json:"nullable"`
	Validations []VariableValidation `json:"validations"`
}

type docLocal struct {
	Name  string          `json:"name"`
	Value json.RawMessage `json:"value"`
}

type docResource struct {
	Type      string          `json:"type"`
	Name      string          `json:"name"`
	Provider  string          `json:"provider"`
	Count     json.RawMessage `json:"count"`
	ForEach   json.RawMessage `json:"for_each"`
	DependsOn []string        `json:"depends_on"`
	Lifecycle *Lifecycle      `json:"lifecycle"`
	Config    json.RawMessage `json:"config"`
}

type docOutput struct {
	Name        string          `json:"name"`
	Value       json.RawMessage `json:"value"`
	Description string          `json:"description"`
	Sensitive   bool            `json:"sensitive"`
	DependsOn   []string        `json:"depends_on"`
}

// ParseDocument decodes a blueprint document. It checks the JSON form only (shape, format
// version, value kinds, size); Validate checks the blueprint against the catalog.
func ParseDocument(data []byte) (*Blueprint, error) {
	if err := checkFormat(data, "blueprint"); err != nil {
		return nil, err
	}
	var d docBlueprint
	if err := strictUnmarshal(data, &d); err != nil {
		return nil, err
	}
	b := &Blueprint{
		Name:              d.Name,
		Description:       d.Description,
		RequiredVersion:   d.RequiredVersion,
		RequiredProviders: d.RequiredProviders,
		ModuleFiles:       d.ModuleFiles,
	}
	var err error
	if b.Modules, err = decodeModules(d.Modules); err != nil {
		return nil, err
	}
	for i, p := range d.Providers {
		pc := ProviderConfig{Name: p.Name, Alias: p.Alias}
		if pc.Config, err = decodeBody(p.Config, fmt.Sprintf("providers[%d].config", i)); err != nil {
			return nil, err
		}
		b.Providers = append(b.Providers, pc)
	}
	for i, v := range d.Variables {
		nv := Variable{Name: v.Name, Type: v.Type, Description: v.Description, Sensitive: v.Sensitive, Nullable: v.Nullable, Validations: v.Validations}
		if nv.Default, err = decodeOptionalValue(v.Default, fmt.Sprintf("variables[%d].default", i)); err != nil {
			return nil, err
		}
		b.Variables = append(b.Variables, nv)
	}
	for i, l := range d.Locals {
		val, err := decodeValue(l.Value, fmt.Sprintf("locals[%d].value", i))
		if err != nil {
			return nil, err
		}
		b.Locals = append(b.Locals, Local{Name: l.Name, Value: val})
	}
	if b.Data, err = decodeResources(d.Data, DataMode, "data"); err != nil {
		return nil, err
	}
	if b.Resources, err = decodeResources(d.Resources, ManagedMode, "resources"); err != nil {
		return nil, err
	}
	for i, o := range d.Outputs {
		val, err := decodeValue(o.Value, fmt.Sprintf("outputs[%d].value", i))
		if err != nil {
			return nil, err
		}
		b.Outputs = append(b.Outputs, Output{Name: o.Name, Value: val, Description: o.Description, Sensitive: o.Sensitive, DependsOn: o.DependsOn})
	}
	if b.Files, err = decodeFiles(d.Files); err != nil {
		return nil, err
	}
	return b, nil
}

func decodeResources(in []docResource, mode Mode, list string) ([]Resource, error) {
	var out []Resource
	for i, r := range in {
		path := fmt.Sprintf("%s[%d]", list, i)
		res := Resource{Mode: mode, Type: r.Type, Name: r.Name, Provider: r.Provider, DependsOn: r.DependsOn, Lifecycle: r.Lifecycle}
		var err error
		if res.Count, err = decodeOptionalValue(r.Count, path+".count"); err != nil {
			return nil, err
		}
		if res.ForEach, err = decodeOptionalValue(r.ForEach, path+".for_each"); err != nil {
			return nil, err
		}
		if res.Config, err = decodeBody(r.Config, path+".config"); err != nil {
			return nil, err
		}
		if mode == DataMode && res.Lifecycle != nil {
			return nil, docErr(path, "a data source has no lifecycle settings here; remove \"lifecycle\"")
		}
		out = append(out, res)
	}
	return out, nil
}

// checkFormat enforces the size and nesting limits and the format version before anything
// else is read, so a document from a newer CloudOven gets a clear answer rather than field
// errors.
func checkFormat(data []byte, what string) error {
	if len(data) > MaxDocumentSize {
		return docErr("", "the %s document is %d bytes; the limit is %d bytes (%d MiB)", what, len(data), MaxDocumentSize, MaxDocumentSize>>20)
	}
	if off, deep := jsonTooDeep(data, MaxDocumentNesting); deep {
		line, col := lineCol(data, int64(off))
		return docErr("", "nested more than %d levels deep at line %d, column %d (arrays and objects together), the most a %s document may nest", MaxDocumentNesting, line, col, what)
	}
	var head struct {
		Format *json.RawMessage `json:"format"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return jsonErr(data, err)
	}
	if head.Format == nil {
		return docErr("", "no \"format\" field: this is not a CloudOven %s document (expected \"format\": %d)", what, DocumentFormat)
	}
	var f int
	if err := json.Unmarshal(*head.Format, &f); err != nil {
		return docErr("format", "must be a whole number, got %s", string(*head.Format))
	}
	if f != DocumentFormat {
		return docErr("format", "version %d is not supported: this build reads format %d", f, DocumentFormat)
	}
	return nil
}

func strictUnmarshal(data []byte, into any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(into); err != nil {
		return jsonErr(data, err)
	}
	if dec.More() {
		return docErr("", "unexpected data after the document's closing brace")
	}
	return nil
}

// jsonErr turns encoding/json's errors into ones that name a line and column or a field.
func jsonErr(data []byte, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		// Offset counts the bytes read, the offending one included (at the end of the
		// input there is no offending byte).
		off := syn.Offset
		if off < int64(len(data)) {
			off--
		}
		line, col := lineCol(data, off)
		return docErr("", "malformed JSON at line %d, column %d: %s", line, col, syn.Error())
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "document"
		}
		return docErr(field, "expected %s, got JSON %s", jsonKind(typ.Type), typ.Value)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return docErr("", "unknown field %s (check its spelling against the documented format)", strings.TrimPrefix(err.Error(), "json: unknown field "))
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return docErr("", "the JSON ends early: the document is empty or truncated")
	}
	return docErr("", "%s", strings.TrimPrefix(err.Error(), "json: "))
}

// jsonKind names a Go type as the JSON a user should write, never as Go.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Slice, reflect.Array:
		return "a JSON array"
	case reflect.Struct, reflect.Map:
		return "a JSON object"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int64, reflect.Int32, reflect.Float64:
		return "a number"
	case reflect.Pointer:
		return jsonKind(t.Elem())
	}
	return "another kind of value"
}

// jsonTooDeep reports whether JSON text nests deeper than limit and the offset of the
// bracket that first does. It reads strings as JSON does and nothing else: text that is not
// JSON is the decoder's to refuse, and the decoder reads nothing until all of it is valid.
func jsonTooDeep(data []byte, limit int) (int, bool) {
	depth := 0
	inString, escaped := false, false
	for i, c := range data {
		switch {
		case escaped:
			escaped = false
		case inString && c == '\\':
			escaped = true
		case c == '"':
			inString = !inString
		case inString:
		case c == '{' || c == '[':
			if depth++; depth > limit {
				return i, true
			}
		case c == '}' || c == ']':
			depth--
		}
	}
	return 0, false
}

func lineCol(data []byte, offset int64) (line, col int) {
	offset = max(0, min(offset, int64(len(data))))
	line, col = 1, 1
	for _, c := range data[:offset] {
		if c == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return line, col
}

// MarshalDocument encodes a blueprint as an indented format-1 document. Encoding is
// deterministic; ParseDocument of the result gives back an equal blueprint.
func (b *Blueprint) MarshalDocument() ([]byte, error) {
	out, err := json.MarshalIndent(struct {
		Format int `json:"format"`
		*Blueprint
	}{DocumentFormat, b}, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encoding blueprint %q: %w", b.Name, err)
	}
	return append(out, '\n'), nil
}
