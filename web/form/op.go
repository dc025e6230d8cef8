package form

import (
	"fmt"
	"strconv"
	"strings"
)

// OpName is the name the editor's op buttons submit under. A form posts at most one op: the
// value of the button that was pressed, or none while the author types.
const OpName = "op"

// OpKind is what an op asks the editor to do.
type OpKind int

const (
	OpNone        OpKind = iota // "": no op, the author typed; only the fields change
	OpRename                    // "rename": the resource takes the name in MetaName, references follow
	OpDelete                    // "delete": the item goes
	OpAddBlock                  // "add:KEY": another instance of the block type at KEY
	OpRemoveBlock               // "remove:KEY[N]": the block instance at KEY[N] goes
	OpMode                      // "mode:KEY=MODE": the field at KEY is shown in MODE
	OpAddRow                    // "add": a new row in the variables, locals or outputs table
	OpRemoveRow                 // "remove:N": row N of the table goes
	OpConfigure                 // "configure:NAME": a configuration for the required provider NAME
)

var opKindNames = [...]string{
	OpNone: "no op", OpRename: "rename", OpDelete: "delete", OpAddBlock: "add block",
	OpRemoveBlock: "remove block", OpMode: "mode", OpAddRow: "add row", OpRemoveRow: "remove row",
	OpConfigure: "configure",
}

// String names the kind for messages: "add block".
func (k OpKind) String() string {
	if k >= 0 && int(k) < len(opKindNames) {
		return opKindNames[k]
	}
	return fmt.Sprintf("OpKind(%d)", int(k))
}

// Op is one structural change the editor's form posts. Which fields it uses depends on Kind.
type Op struct {
	Kind  OpKind
	Key   string // OpAddBlock: a block key; OpRemoveBlock: an instance key; OpMode: a field key
	Index int    // OpRemoveRow: the row
	Mode  Mode   // OpMode: the mode to show the field in
	Name  string // OpConfigure: the provider's local name, as required_providers has it
}

// The words of an op as it is posted.
const (
	opRename    = "rename"
	opDelete    = "delete"
	opAdd       = "add"
	opAddPrefix = "add:"
	opRemove    = "remove:"
	opMode      = "mode:"
	opConfigure = "configure:"
)

// RenameOp renames the resource to the name in the MetaName input.
func RenameOp() Op { return Op{Kind: OpRename} }

// DeleteOp deletes the item: a resource, or a provider configuration.
func DeleteOp() Op { return Op{Kind: OpDelete} }

// AddBlockOp adds an instance of the block type at key (default_node_pool[0].upgrade_settings).
func AddBlockOp(key string) Op { return Op{Kind: OpAddBlock, Key: key} }

// RemoveBlockOp removes the block instance at key (default_node_pool[0]).
func RemoveBlockOp(key string) Op { return Op{Kind: OpRemoveBlock, Key: key} }

// ModeOp shows the field at key in mode m.
func ModeOp(key string, m Mode) Op { return Op{Kind: OpMode, Key: key, Mode: m} }

// AddRowOp adds a row to the variables, locals or outputs table.
func AddRowOp() Op { return Op{Kind: OpAddRow} }

// RemoveRowOp removes row i of the variables, locals or outputs table.
func RemoveRowOp(i int) Op { return Op{Kind: OpRemoveRow, Index: i} }

// ConfigureOp adds a configuration for the required provider with local name name.
func ConfigureOp(name string) Op { return Op{Kind: OpConfigure, Name: name} }

// String is the op as a button posts it; ParseOp reads it back.
func (op Op) String() string {
	switch op.Kind {
	case OpRename:
		return opRename
	case OpDelete:
		return opDelete
	case OpAddBlock:
		return opAddPrefix + op.Key
	case OpRemoveBlock:
		return opRemove + op.Key
	case OpMode:
		return opMode + op.Key + "=" + string(op.Mode)
	case OpAddRow:
		return opAdd
	case OpRemoveRow:
		return opRemove + strconv.Itoa(op.Index)
	case OpConfigure:
		return opConfigure + op.Name
	}
	return ""
}

// ParseOp reads a posted op. It accepts exactly what String writes for a well-formed key:
// "" (no op), rename, delete, add, add:KEY, remove:N, remove:KEY[N], mode:KEY=MODE and
// configure:NAME. Anything else is an error, never a panic; whether the named block, row or
// provider exists is for the handler applying the op to find out.
func ParseOp(s string) (Op, error) {
	switch s {
	case "":
		return Op{}, nil
	case opRename:
		return RenameOp(), nil
	case opDelete:
		return DeleteOp(), nil
	case opAdd:
		return AddRowOp(), nil
	}
	if key, ok := strings.CutPrefix(s, opAddPrefix); ok {
		if indexed, valid := checkKey(key); !valid || indexed {
			return Op{}, fmt.Errorf("reading op %q: add takes the key of a block type, such as default_node_pool[0].upgrade_settings", s)
		}
		return AddBlockOp(key), nil
	}
	if rest, ok := strings.CutPrefix(s, opRemove); ok {
		if i, ok := parseIndex(rest); ok {
			return RemoveRowOp(i), nil
		}
		if _, _, ok := ParseInstanceKey(rest); ok {
			return RemoveBlockOp(rest), nil
		}
		return Op{}, fmt.Errorf("reading op %q: remove takes a row number or the key of a block instance, such as default_node_pool[0]", s)
	}
	if rest, ok := strings.CutPrefix(s, opMode); ok {
		// The mode comes last and holds no "=", so the last one ends the key.
		eq := strings.LastIndexByte(rest, '=')
		if eq < 0 {
			return Op{}, fmt.Errorf("reading op %q: mode takes KEY=MODE", s)
		}
		key, m := rest[:eq], Mode(rest[eq+1:])
		if indexed, valid := checkKey(key); !valid || indexed {
			return Op{}, fmt.Errorf("reading op %q: mode takes the key of a field, such as default_node_pool[0].vm_size", s)
		}
		switch m {
		case ValueMode, RefMode, ExprMode:
			return ModeOp(key, m), nil
		}
		return Op{}, fmt.Errorf("reading op %q: the mode is %s, %s or %s", s, ValueMode, RefMode, ExprMode)
	}
	if name, ok := strings.CutPrefix(s, opConfigure); ok {
		// Any name a required_providers entry holds gets a button; the handler decides
		// whether it can be configured.
		return ConfigureOp(name), nil
	}
	return Op{}, fmt.Errorf("reading op %q: no such op", s)
}
