package form

import (
	"strings"
	"testing"
)

// templateOps are the ops the editor's templates write, one or more of each kind with the
// shapes of key they use: rename and delete (resources and providers), add and remove of
// blocks at the top and nested, the three modes, add and remove of rows, and configure.
var templateOps = []string{
	"",
	"rename",
	"delete",
	"add:identity",
	"add:default_node_pool[0].upgrade_settings",
	"remove:identity[0]",
	"remove:default_node_pool[0].upgrade_settings[0]",
	"remove:network_rules[12]",
	"mode:location=value",
	"mode:resource_group_name=ref",
	"mode:tags=expr",
	"mode:default_node_pool[0].vm_size=ref",
	"add",
	"remove:0",
	"remove:10",
	"configure:azurerm",
	"configure:kubernetes",
}

func TestParseOp(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Op
	}{
		{"", Op{}},
		{"rename", RenameOp()},
		{"delete", DeleteOp()},
		{"add", AddRowOp()},
		{"add:identity", AddBlockOp("identity")},
		{"add:default_node_pool[0].upgrade_settings", AddBlockOp("default_node_pool[0].upgrade_settings")},
		{"remove:0", RemoveRowOp(0)},
		{"remove:42", RemoveRowOp(42)},
		{"remove:identity[0]", RemoveBlockOp("identity[0]")},
		{"remove:default_node_pool[0].upgrade_settings[3]", RemoveBlockOp("default_node_pool[0].upgrade_settings[3]")},
		{"mode:location=value", ModeOp("location", ValueMode)},
		{"mode:location=ref", ModeOp("location", RefMode)},
		{"mode:default_node_pool[0].vm_size=expr", ModeOp("default_node_pool[0].vm_size", ExprMode)},
		{"configure:azurerm", ConfigureOp("azurerm")},
		// Any name a required_providers entry holds gets a button, so configure takes any
		// name; the handler refuses those that are no identifier.
		{"configure:", ConfigureOp("")},
		{"configure:a b", ConfigureOp("a b")},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseOp(tc.in)
			if err != nil {
				t.Fatalf("ParseOp(%q): %v", tc.in, err)
			}
			if got != tc.want {
				t.Errorf("ParseOp(%q) = %+v, want %+v", tc.in, got, tc.want)
			}
			if s := got.String(); s != tc.in {
				t.Errorf("String() = %q, want %q", s, tc.in)
			}
		})
	}
}

func TestParseOpRefusesMalformedOps(t *testing.T) {
	for _, tc := range []struct {
		in, want string // want: part of the error
	}{
		{"frob", "no such op"},
		{"Rename", "no such op"},
		{"delete ", "no such op"},
		{" add", "no such op"},
		{"add:", "block type"},
		{"add:identity[0]", "block type"},
		{"add:default_node_pool.upgrade_settings", "block type"},
		{"add:identity.", "block type"},
		{"add:.identity", "block type"},
		{"add:a[0]b", "block type"},
		{"add:a]", "block type"},
		{"remove:", "row number"},
		{"remove:-1", "row number"},
		{"remove:+1", "row number"},
		{"remove:01", "row number"},
		{"remove:1e3", "row number"},
		{"remove:99999999999999999999", "row number"},
		{"remove:abc", "row number"},
		{"remove:[0]", "row number"},
		{"remove:identity[]", "row number"},
		{"remove:identity[x]", "row number"},
		{"remove:identity[-1]", "row number"},
		{"remove:identity[00]", "row number"},
		{"remove:identity[0", "row number"},
		{"remove:identity[0].x", "row number"},
		{"remove:default_node_pool.x[0]", "row number"},
		{"mode:", "KEY=MODE"},
		{"mode:location", "KEY=MODE"},
		{"mode:location=", "the mode is"},
		{"mode:location=Ref", "the mode is"},
		{"mode:location=bogus", "the mode is"},
		{"mode:=ref", "key of a field"},
		{"mode:identity[0]=ref", "key of a field"},
		{"mode:a..b=ref", "key of a field"},
		{"configure", "no such op"},
		{"op:add", "no such op"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			op, err := ParseOp(tc.in)
			if err == nil {
				t.Fatalf("ParseOp(%q) = %+v, want an error", tc.in, op)
			}
			if !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "reading op ") {
				t.Errorf("ParseOp(%q): %q, want a \"reading op\" error about %q", tc.in, err, tc.want)
			}
			if op != (Op{}) {
				t.Errorf("ParseOp(%q) returned %+v with its error", tc.in, op)
			}
		})
	}
}

func TestOpKindString(t *testing.T) {
	for k, want := range map[OpKind]string{OpNone: "no op", OpAddBlock: "add block", OpRemoveRow: "remove row", OpConfigure: "configure", OpKind(99): "OpKind(99)", OpKind(-1): "OpKind(-1)"} {
		if got := k.String(); got != want {
			t.Errorf("OpKind(%d).String() = %q, want %q", int(k), got, want)
		}
	}
}

// FuzzParseOp checks that ParseOp never panics, and that every op it accepts is written
// back by String exactly as it was posted, so ParseOp(op.String()) gives the op again.
func FuzzParseOp(f *testing.F) {
	for _, s := range templateOps {
		f.Add(s)
	}
	for _, s := range []string{"frob", "remove:", "remove:01", "remove:a[0].b", "mode:a=b=ref", "add:a[0].b[1].c", "configure:x=y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		op, err := ParseOp(s)
		if err != nil {
			if op != (Op{}) {
				t.Errorf("ParseOp(%q) returned %+v with its error", s, op)
			}
			return
		}
		if got := op.String(); got != s {
			t.Errorf("ParseOp(%q).String() = %q", s, got)
		}
		again, err := ParseOp(op.String())
		if err != nil {
			t.Fatalf("ParseOp(%q) = %+v, whose String %q does not parse: %v", s, op, op.String(), err)
		}
		if again != op {
			t.Errorf("ParseOp(%q) = %+v, but ParseOp of its String gives %+v", s, op, again)
		}
	})
}
