package blueprint_test

import (
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/cloudoven/cloudoven/blueprint"
)

// TestParseVariableValue is the one rule for a variable's value as typed, used for an
// environment's values and for a variable's default alike.
func TestParseVariableValue(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, typ, text string
		want            cty.Value // cty.NilVal: no value
		wantErr         string    // in the summary or detail
	}{
		{name: "a word is the string itself", typ: "string", text: "northeurope", want: cty.StringVal("northeurope")},
		{name: "a quoted word is unquoted once", typ: "string", text: `"northeurope"`, want: cty.StringVal("northeurope")},
		{name: "spaces around are dropped", typ: "string", text: "  northeurope \t", want: cty.StringVal("northeurope")},
		{name: "quotes keep spaces", typ: "string", text: `"  x  "`, want: cty.StringVal("  x  ")},
		{name: "two quotes are the empty string", typ: "string", text: `""`, want: cty.StringVal("")},
		{name: "quotes inside the text are kept", typ: "string", text: `say "hi" now`, want: cty.StringVal(`say "hi" now`)},
		{name: "an escaped quote inside quotes", typ: "string", text: `"a\"b"`, want: cty.StringVal(`a"b`)},
		{name: "JSON text is a string", typ: "string", text: `{"a": 1}`, want: cty.StringVal(`{"a": 1}`)},
		{name: "a dollar brace without quotes is text", typ: "string", text: "${var.x}", want: cty.StringVal("${var.x}")},
		{name: "a number for a string is its text", typ: "string", text: "10", want: cty.StringVal("10")},
		{name: "null is null", typ: "string", text: "null", want: cty.NullVal(cty.DynamicPseudoType)},
		{name: "quoted null is the string", typ: "string", text: `"null"`, want: cty.StringVal("null")},
		{name: "empty is no value", typ: "string", text: "", want: cty.NilVal},
		{name: "blank is no value", typ: "number", text: "   ", want: cty.NilVal},
		{name: "quoted interpolation is refused", typ: "string", text: `"${var.x}"`, wantErr: "interpolates"},
		{name: "two quoted strings are refused", typ: "string", text: `"a" "b"`, wantErr: "not one string"},

		{name: "a number", typ: "number", text: "3", want: cty.NumberIntVal(3)},
		{name: "a decimal", typ: "number", text: "2.5", want: cty.NumberFloatVal(2.5)},
		{name: "a quoted number becomes the number", typ: "number", text: `"3"`, want: cty.NumberIntVal(3)},
		{name: "a word is not a number", typ: "number", text: "many", wantErr: "expected a number"},
		{name: "a list is not a number", typ: "number", text: "[1]", wantErr: "like 3 or 2.5"},
		{name: "a bool", typ: "bool", text: "false", want: cty.False},
		{name: "yes is not a bool", typ: "bool", text: "yes", wantErr: "true or false"},

		{name: "a list of strings", typ: "list(string)", text: `["1", "2"]`, want: cty.TupleVal([]cty.Value{cty.StringVal("1"), cty.StringVal("2")})},
		{name: "a list of unquoted words is refused", typ: "list(string)", text: "[a, b]", wantErr: `like ["dev", "dev"]`},
		{name: "a map for a list is refused", typ: "list(string)", text: `{ a = "b" }`, wantErr: "expected list(string), got a map"},
		{name: "a map", typ: "map(string)", text: `{ env = "dev" }`, want: cty.ObjectVal(map[string]cty.Value{"env": cty.StringVal("dev")})},
		{name: "a JSON object", typ: "map(string)", text: `{"env": "dev"}`, want: cty.ObjectVal(map[string]cty.Value{"env": cty.StringVal("dev")})},
		{name: "a word for a map is refused", typ: "map(string)", text: "dev", wantErr: "like { env = \"dev\" }"},
		{name: "a reference is refused", typ: "map(string)", text: "{ env = var.env }", wantErr: "no references"},
		{name: "an object missing an attribute", typ: "object({ name = string, size = number })", text: `{ name = "a" }`, wantErr: `missing attribute "size"`},

		{name: "no type: a word is a string", typ: "", text: "northeurope", want: cty.StringVal("northeurope")},
		{name: "no type: a number is a number", typ: "", text: "3", want: cty.NumberIntVal(3)},
		{name: "no type: a quoted number is a string", typ: "", text: `"3"`, want: cty.StringVal("3")},
		{name: "no type: a list", typ: "", text: `["a"]`, want: cty.TupleVal([]cty.Value{cty.StringVal("a")})},
		{name: "no type: a broken list is refused", typ: "", text: "[a", wantErr: "does not parse"},
		{name: "an unreadable type is no type", typ: "lst(string)", text: "northeurope", want: cty.StringVal("northeurope")},
		{name: "an oversized value is refused", typ: "list(string)", text: "[" + strings.Repeat(`"a",`, 70000) + "]", wantErr: "too large"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			v, set, ds := blueprint.ParseVariableValue("variables.x", tt.text, tt.typ)
			if tt.wantErr != "" {
				if len(ds) == 0 {
					t.Fatalf("read as %#v, want an error with %q", v, tt.wantErr)
				}
				if d := ds[0]; d.Severity != blueprint.Error || d.Path != "variables.x" || !strings.Contains(d.Summary+": "+d.Detail, tt.wantErr) {
					t.Errorf("diagnostic %s, want an error at variables.x with %q", d, tt.wantErr)
				}
				if v.Kind != blueprint.ExpressionKind || v.Expr != strings.TrimSpace(tt.text) {
					t.Errorf("the typed text is not kept: %#v", v)
				}
				return
			}
			if len(ds) > 0 {
				t.Fatalf("unexpected diagnostics: %v", ds)
			}
			if tt.want == cty.NilVal {
				if set {
					t.Errorf("read %#v, want no value", v)
				}
				return
			}
			if !set || v.Kind != blueprint.LiteralKind || !v.Literal.RawEquals(tt.want) {
				t.Errorf("read %#v (set %t), want %#v", v.Literal, set, tt.want)
			}
		})
	}
}

// TestFormatVariableValueReadsBack: what an input shows is read back as the same value, so
// saving a form nobody changed changes nothing.
func TestFormatVariableValueReadsBack(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, typ string
		v         blueprint.Value
		shown     string
	}{
		{name: "a string is shown bare", typ: "string", v: blueprint.String("northeurope"), shown: "northeurope"},
		{name: "a string with spaces around is quoted", typ: "string", v: blueprint.String(" x "), shown: `" x "`},
		{name: "the empty string is quoted", typ: "string", v: blueprint.String(""), shown: `""`},
		{name: "the string null is quoted", typ: "string", v: blueprint.String("null"), shown: `"null"`},
		{name: "a string in quotes is quoted again", typ: "string", v: blueprint.String(`"x"`), shown: `"\"x\""`},
		{name: "two lines are quoted", typ: "string", v: blueprint.String("a\nb"), shown: `"a\nb"`},
		{name: "null", typ: "string", v: blueprint.Null(), shown: "null"},
		{name: "a number", typ: "number", v: blueprint.Int(3), shown: "3"},
		{name: "a list", typ: "list(string)", v: blueprint.Literal(cty.TupleVal([]cty.Value{cty.StringVal("1")})), shown: `["1"]`},
		{name: "no type: a word", typ: "", v: blueprint.String("westeurope"), shown: "westeurope"},
		{name: "no type: a number's text is quoted", typ: "", v: blueprint.String("10"), shown: `"10"`},
		{name: "no type: text like a list is quoted", typ: "", v: blueprint.String("[a]"), shown: `"[a]"`},
		{name: "no type: a number", typ: "", v: blueprint.Int(10), shown: "10"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			shown := blueprint.FormatVariableValue(tt.v, tt.typ)
			if shown != tt.shown {
				t.Errorf("shown as %s, want %s", shown, tt.shown)
			}
			back, set, ds := blueprint.ParseVariableValue("x", shown, tt.typ)
			if !set || len(ds) > 0 || back.Kind != blueprint.LiteralKind || !back.Literal.RawEquals(tt.v.Literal) {
				t.Errorf("%s reads back as %#v (%v), want %#v", shown, back.Literal, ds, tt.v.Literal)
			}
		})
	}
}
