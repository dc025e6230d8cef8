package blueprint

import (
	"testing"

	"github.com/zclconf/go-cty/cty"
)

func TestParseValueKinds(t *testing.T) {
	for _, tc := range []struct {
		src  string
		kind ValueKind
		out  string
	}{
		{`"westeurope"`, LiteralKind, `"westeurope"`},
		{`3`, LiteralKind, `3`},
		{`["a", "b"]`, LiteralKind, `["a", "b"]`},
		{`{ env = "dev" }`, LiteralKind, "{\n  env = \"dev\"\n}"},
		{`azurerm_resource_group.main.name`, ReferenceKind, `azurerm_resource_group.main.name`},
		{`[var.a, "b"]`, ListKind, `[var.a, "b"]`},
		{`merge(var.tags, { env = "dev" })`, ExpressionKind, `merge(var.tags, { env = "dev" })`},
		{"  var.x  ", ReferenceKind, "var.x"},
	} {
		v, err := ParseValue(tc.src)
		if err != nil {
			t.Errorf("ParseValue(%q): %v", tc.src, err)
			continue
		}
		if v.Kind != tc.kind {
			t.Errorf("ParseValue(%q) is a %s, want %s", tc.src, v.Kind, tc.kind)
		}
		got, err := FormatValue(v)
		if err != nil {
			t.Errorf("FormatValue(ParseValue(%q)): %v", tc.src, err)
		}
		if got != tc.out {
			t.Errorf("FormatValue(ParseValue(%q)) = %q, want %q", tc.src, got, tc.out)
		}
	}
}

func TestParseValueKeepsWhatDoesNotParse(t *testing.T) {
	v, err := ParseValue("merge(var.tags,")
	if err == nil {
		t.Fatal("no error for an unfinished call")
	}
	if v.Kind != ExpressionKind || v.Expr != "merge(var.tags," {
		t.Errorf("got %+v, want the text kept as an expression", v)
	}
}

func TestFormatValueMultiLine(t *testing.T) {
	v := Literal(cty.ObjectVal(map[string]cty.Value{"a": cty.StringVal("x"), "bb": cty.NumberIntVal(2)}))
	got, err := FormatValue(v)
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseValue(got)
	if err != nil {
		t.Fatalf("ParseValue(%q): %v", got, err)
	}
	if !back.Literal.RawEquals(v.Literal) {
		t.Errorf("round trip of %q changed the value: %#v", got, back.Literal.GoString())
	}
}
