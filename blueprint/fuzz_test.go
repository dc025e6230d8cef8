package blueprint_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"

	"github.com/cloudoven/cloudoven/blueprint"
	"github.com/cloudoven/cloudoven/hcllimit"
)

// FuzzGenerate: any document that parses and validates generates files that parse as HCL,
// are stable under formatting, and come out the same when generated again and after a
// document round trip. Seeds are the golden corpus. `make fuzz` runs it for a bounded time.
func FuzzGenerate(f *testing.F) {
	matches, _ := filepath.Glob("testdata/generate/*.blueprint.json")
	for _, m := range matches {
		data, err := os.ReadFile(m)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"format":1,"name":"s","resources":[{"type":"terraform_data","name":"a","config":{"input":{"literal":"${x} %{y} \"q\" \\ \n\tü 日本"}}}]}`))
	f.Add([]byte(`{"format":1,"name":"s","locals":[{"name":"m","value":{"map":{"a-b":{"list":[{"ref":"var.v"},{"literal":null}]}}}}],"variables":[{"name":"v","type":"list(string)"}]}`))
	// Nesting just within and just past the limits: expressions (hcllimit.MaxNesting) and
	// the document's JSON (blueprint.MaxDocumentNesting), through values and blocks.
	r := strings.Repeat
	for _, n := range []int{hcllimit.MaxNesting - 2, hcllimit.MaxNesting + 1} {
		for _, expr := range deepExpressions(n) {
			q, _ := json.Marshal(expr)
			f.Add([]byte(`{"format":1,"name":"s","locals":[{"name":"l","value":{"expr":` + string(q) + `}}]}`))
		}
	}
	for _, n := range []int{blueprint.MaxDocumentNesting - 6, blueprint.MaxDocumentNesting + 1} {
		f.Add([]byte(`{"format":1,"name":"s","locals":[{"name":"l","value":{"literal":` + r("[", n) + r("]", n) + `}}]}`))
		f.Add([]byte(`{"format":1,"name":"s","locals":[{"name":"l","value":` + r(`{"list":[`, n/2) + `{"literal":1}` + r(`]}`, n/2) + `}]}`))
		f.Add([]byte(`{"format":1,"name":"s","resources":[{"type":"terraform_data","name":"a","config":` + r(`{"b":[`, n/2) + r(`]}`, n/2) + `}]}`))
	}
	cat := testCatalog(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := blueprint.ParseDocument(data)
		if err != nil {
			return
		}
		if blueprint.Validate(b, cat).HasErrors() {
			return
		}
		files, err := blueprint.Generate(b, blueprint.GenerateOptions{})
		if err != nil {
			t.Fatalf("a valid blueprint failed to generate: %v", err)
		}
		for _, file := range files {
			if strings.Contains(file.Name, "/") || !strings.HasSuffix(file.Name, ".tf") && !strings.HasSuffix(file.Name, ".tfvars") {
				continue // the blueprint's own files and its modules' files are written as they are
			}
			if _, diags := hclsyntax.ParseConfig(file.Content, file.Name, hcl.InitialPos); diags.HasErrors() {
				t.Fatalf("%s does not parse: %s\n%s", file.Name, diags.Error(), file.Content)
			}
			if formatted := hclwrite.Format(file.Content); !bytes.Equal(formatted, file.Content) {
				t.Fatalf("%s is not stable under formatting:\n%s", file.Name, file.Content)
			}
		}
		again, err := blueprint.Generate(b, blueprint.GenerateOptions{})
		if err != nil || !bytes.Equal(filesArchive(files), filesArchive(again)) {
			t.Fatalf("generating twice differs (err %v)", err)
		}
		doc, err := b.MarshalDocument()
		if err != nil {
			t.Fatalf("encoding a valid blueprint: %v", err)
		}
		b2, err := blueprint.ParseDocument(doc)
		if err != nil {
			t.Fatalf("re-reading an encoded blueprint: %v\n%s", err, doc)
		}
		files2, err := blueprint.Generate(b2, blueprint.GenerateOptions{})
		if err != nil || !bytes.Equal(filesArchive(files), filesArchive(files2)) {
			t.Fatalf("generation differs after a document round trip (err %v)", err)
		}
	})
}
