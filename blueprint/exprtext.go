package blueprint

import (
	"strings"
)

// FormatValue is v written as the HCL expression Generate writes for it, in `terraform fmt`
// layout: how the editor shows a value it cannot show as a plain string, number or bool.
func FormatValue(v Value) (string, error) {
	t, err := v.tokens()
	if err != nil {
		return "", err
	}
	return canonicalExpr(string(t.Bytes())), nil
}

// ParseValue reads an HCL expression typed in the editor into a Value the way Import reads an
// argument: plain data becomes a Literal, a lone reference a Ref, lists and objects of those
// a List or Map when they keep the author's layout, anything else an Expr of the author's
// text. An expression that does not parse is an error that says where, and the caller keeps
// the text as an Expr so that nothing typed is lost.
func ParseValue(src string) (Value, error) {
	src = strings.TrimSpace(src)
	e, err := parseExpr(src)
	if err != nil {
		return Expr(src), err
	}
	im := &importer{b: &Blueprint{}, seen: map[string]string{}, src: []byte(src + "\n")}
	return im.value(e), nil
}
