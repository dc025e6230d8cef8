package hcllimit

import (
	"fmt"
	"sync"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// MaxNesting is the deepest any HCL text may nest, counted as Nesting counts. Measured on
// the providers' documentation examples (the catalog's 1,864, or the 2,012 code blocks of
// the raw docs that parse), the deepest nest 10 levels (azurerm and kubernetes; azuread 8,
// helm 4 to 5, random 4), and CloudOven's own test configurations and starters at most 6;
// blueprint's TestRealConfigurationsNestWellWithinTheLimits keeps measuring. Parsed and
// walked, text at the limit takes between 1 and 2 MB of stack, whichever way it nests
// (FuzzConfig); 100,000 levels of brackets take more than Go's 1 GB.
const MaxNesting = 128

// MaxExpressionBytes is the longest one expression may be when it is given on its own: a
// value typed in the editor or an environment, or an "expr" or "ref" in a blueprint
// document. The longest argument in the providers' documentation examples (a portal
// dashboard's JSON) is 3,895 bytes; inline ARM templates and policies can be far longer.
// Checking an expression this long for nesting takes up to a fifth of a second.
const MaxExpressionBytes = 256 << 10

// Kind is a limit text can break.
type Kind int

// The limits text can break.
const (
	// TooDeep is text nested deeper than MaxNesting.
	TooDeep Kind = iota + 1
	// TooLong is an expression longer than MaxExpressionBytes.
	TooLong
)

// Error is HCL text that breaks a limit. It is always the user's to fix.
type Error struct {
	Kind Kind
	// Filename names the text, when it is a file.
	Filename string
	// Pos is where the text first nests deeper than Limit, for TooDeep.
	Pos hcl.Pos
	// Size is the expression's length in bytes, for TooLong.
	Size int
	// Limit is the limit broken.
	Limit int
}

// Error says the problem on one line, naming the limit.
func (e *Error) Error() string {
	switch e.Kind {
	case TooDeep:
		where := fmt.Sprintf("line %d, column %d", e.Pos.Line, e.Pos.Column)
		if e.Filename != "" {
			where = e.Filename + ": " + where
		}
		return fmt.Sprintf("%s: nested more than %d levels deep (brackets, braces, strings, templates and operators together)", where, e.Limit)
	case TooLong:
		return fmt.Sprintf("the expression is %d bytes long; an expression may be at most %d KiB", e.Size, e.Limit>>10)
	}
	return fmt.Sprintf("hcllimit.Kind(%d)", int(e.Kind))
}

// Config checks a configuration file (a .tf file) against MaxNesting. It is nil or an
// *Error.
func Config(src []byte, filename string) error {
	return checkNesting(src, filename)
}

// Expression checks one expression given on its own against MaxExpressionBytes and
// MaxNesting. It is nil or an *Error.
func Expression(src string) error {
	if len(src) > MaxExpressionBytes {
		return &Error{Kind: TooLong, Size: len(src), Limit: MaxExpressionBytes}
	}
	if err := refused.get(src); err != nil {
		return err
	}
	err := checkNesting([]byte(src), "")
	if err != nil {
		refused.put(src, err)
	}
	return err
}

// refused remembers the last expressions Expression refused. One refused expression is
// checked again and again: the editor keeps what was typed, as it keeps any expression that
// does not parse, and each validation, generation and page of the draft parses each value
// several times, while lexing costs about a microsecond a token (a fifth of a second for
// 100,000 levels). Expressions within the limits are not remembered, and the memory held is
// at most maxRefused expressions of MaxExpressionBytes.
var refused refusals

const maxRefused = 64

type refusals struct {
	mu sync.Mutex
	m  map[string]error
}

func (r *refusals) get(src string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.m[src]
}

func (r *refusals) put(src string, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.m == nil || len(r.m) >= maxRefused {
		r.m = make(map[string]error, maxRefused)
	}
	r.m[src] = err
}

func checkNesting(src []byte, filename string) error {
	toks, _ := hclsyntax.LexConfig(src, filename, hcl.InitialPos)
	if depth, at := deepest(toks, MaxNesting); depth > MaxNesting {
		return &Error{Kind: TooDeep, Filename: filename, Pos: at, Limit: MaxNesting}
	}
	return nil
}

// Nesting is how deeply text nests, as MaxNesting counts it, and where it is deepest first.
// The lexer's own problems (a character HCL does not know, say) are the parser's to report.
func Nesting(src []byte) (int, hcl.Pos) {
	toks, _ := hclsyntax.LexConfig(src, "", hcl.InitialPos)
	return deepest(toks, -1)
}
