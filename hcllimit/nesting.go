package hcllimit

import (
	"bytes"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// What counts as a level of nesting is what makes hclsyntax's parser, or a walk over the
// tree it builds, go one call deeper:
//
//   - each bracket, brace and parenthesis (blocks, objects, tuples, calls, grouping) and
//     each string, heredoc and template sequence (${ and %{) until it closes;
//   - each template directive (%{ if } and %{ for }) until its %{ endif } or %{ endfor };
//   - each operator of the item being read at a level: binary ones build a left-deep tree,
//     and unary ones, the conditional (?) and index and splat steps each nest what follows
//     them, so !!!!x, a ? b : c ? d : … and a[*].b[*].c[*]… go as deep as [[[…]]] does.
//     A comma ends an item, and so does a newline where the parser ends one there (at the
//     top, in blocks and in objects).
//
// A closer that does not match the construct open last closes the nearest one it matches,
// as the parser's recovery does; one that matches nothing is ignored. Text that does not
// parse is thus measured as the parser would read it as far as it can.

// frame is a construct open at a token.
type frame struct {
	// close is the token that closes the frame, or 0 for a template directive, which
	// closes on its end directive.
	close hclsyntax.TokenType
	// opens is what the frame, a template control sequence, does once it closes: +1 when
	// it opens an if or for directive, -1 when it ends one, 0 otherwise.
	opens int
	// ops counts the operators of the item being read.
	ops int
	// lines says that a newline ends an item here.
	lines bool
}

// deepest walks the tokens once and returns the deepest nesting and where it is first
// reached. With stopAbove >= 0 it returns as soon as the nesting passes stopAbove.
func deepest(toks hclsyntax.Tokens, stopAbove int) (int, hcl.Pos) {
	stack := []frame{{lines: true}}
	ops := 0 // the ops of every frame on the stack
	best, at := 0, hcl.InitialPos
	var prev hclsyntax.TokenType // the last token that is not a newline or a comment
	push := func(f frame) { stack = append(stack, f) }
	for i, tok := range toks {
		top := &stack[len(stack)-1]
		switch t := tok.Type; {
		case t == hclsyntax.TokenOBrace:
			push(frame{close: hclsyntax.TokenCBrace, lines: !startsFor(toks[i+1:])})
		case t == hclsyntax.TokenOBrack:
			if endsTerm(prev) { // an index or a splat: a step deeper than what it indexes
				top.ops++
				ops++
			}
			push(frame{close: hclsyntax.TokenCBrack})
		case t == hclsyntax.TokenOParen:
			push(frame{close: hclsyntax.TokenCParen})
		case t == hclsyntax.TokenOQuote:
			push(frame{close: hclsyntax.TokenCQuote})
		case t == hclsyntax.TokenOHeredoc:
			push(frame{close: hclsyntax.TokenCHeredoc})
		case t == hclsyntax.TokenTemplateInterp:
			push(frame{close: hclsyntax.TokenTemplateSeqEnd})
		case t == hclsyntax.TokenTemplateControl:
			push(frame{close: hclsyntax.TokenTemplateSeqEnd, opens: directive(toks[i+1:])})
		case isCloser(t):
			j := len(stack) - 1
			for j > 0 && stack[j].close != t {
				j--
			}
			if j == 0 {
				break // closes nothing open
			}
			closed := stack[j]
			for _, f := range stack[j:] {
				ops -= f.ops
			}
			stack = stack[:j]
			switch {
			case closed.opens > 0:
				push(frame{})
			case closed.opens < 0 && len(stack) > 1 && stack[len(stack)-1].close == 0:
				ops -= stack[len(stack)-1].ops
				stack = stack[:len(stack)-1]
			}
		case t == hclsyntax.TokenComma, endsLine(tok) && top.lines:
			ops -= top.ops
			top.ops = 0
		case isOperator(t):
			top.ops++
			ops++
		}
		if depth := len(stack) - 1 + ops; depth > best {
			best, at = depth, tok.Range.Start
			if stopAbove >= 0 && best > stopAbove {
				return best, at
			}
		}
		if t := tok.Type; t != hclsyntax.TokenNewline && t != hclsyntax.TokenComment {
			prev = t
		}
	}
	return best, at
}

func isCloser(t hclsyntax.TokenType) bool {
	switch t {
	case hclsyntax.TokenCBrace, hclsyntax.TokenCBrack, hclsyntax.TokenCParen, hclsyntax.TokenCQuote,
		hclsyntax.TokenCHeredoc, hclsyntax.TokenTemplateSeqEnd:
		return true
	}
	return false
}

func isOperator(t hclsyntax.TokenType) bool {
	switch t {
	case hclsyntax.TokenPlus, hclsyntax.TokenMinus, hclsyntax.TokenStar, hclsyntax.TokenSlash,
		hclsyntax.TokenPercent, hclsyntax.TokenEqualOp, hclsyntax.TokenNotEqual,
		hclsyntax.TokenLessThan, hclsyntax.TokenLessThanEq, hclsyntax.TokenGreaterThan,
		hclsyntax.TokenGreaterThanEq, hclsyntax.TokenAnd, hclsyntax.TokenOr, hclsyntax.TokenBang,
		hclsyntax.TokenQuestion:
		return true
	}
	return false
}

// endsTerm says whether a token can end an expression, so that a bracket after it indexes
// that expression rather than starting a tuple.
func endsTerm(t hclsyntax.TokenType) bool {
	switch t {
	case hclsyntax.TokenIdent, hclsyntax.TokenNumberLit, hclsyntax.TokenCBrack, hclsyntax.TokenCParen,
		hclsyntax.TokenCBrace, hclsyntax.TokenCQuote, hclsyntax.TokenCHeredoc:
		return true
	}
	return false
}

// endsLine says whether a token ends a line: a newline, or a line comment, which the lexer
// ends with the newline itself.
func endsLine(tok hclsyntax.Token) bool {
	return tok.Type == hclsyntax.TokenNewline ||
		tok.Type == hclsyntax.TokenComment && bytes.HasSuffix(tok.Bytes, []byte("\n"))
}

// startsFor says whether the tokens after an opening brace start a for expression, inside
// which the parser reads newlines as spaces.
func startsFor(toks hclsyntax.Tokens) bool {
	for _, tok := range toks {
		switch tok.Type {
		case hclsyntax.TokenNewline, hclsyntax.TokenComment:
			continue
		case hclsyntax.TokenIdent:
			return string(tok.Bytes) == "for"
		}
		return false
	}
	return false
}

// directive is what the template control sequence whose tokens follow does: +1 when it
// opens an if or a for, -1 when it ends one, 0 otherwise (else, or text that is not a
// directive).
func directive(toks hclsyntax.Tokens) int {
	if len(toks) == 0 || toks[0].Type != hclsyntax.TokenIdent {
		return 0
	}
	switch string(toks[0].Bytes) {
	case "if", "for":
		return 1
	case "endif", "endfor":
		return -1
	}
	return 0
}
