package template

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// MaxNesting is how deeply an expression may nest: parentheses, brackets,
// braces, interpolations, template directives and operators together. hcl
// parses and evaluates recursively, and a goroutine that runs out of stack
// is a fatal error no recover catches: every deployment in the process
// would die with it. So the nesting of every source is counted on its
// tokens before hcl's parser descends, whatever the Limits: a template
// that nests deeper is refused, never parsed. Real templates nest a dozen
// levels or so.
const MaxNesting = 256

// checkNesting counts the nesting of an HCL or JSON source (a template
// file or vars_body) and reports the first place deeper than MaxNesting.
func checkNesting(src []byte, filename string, isJSON bool) hcl.Diagnostics {
	if isJSON {
		return jsonNesting(src, filename)
	}
	toks, _ := hclsyntax.LexConfig(src, filename, hcl.InitialPos)
	return tokenNesting(toks)
}

// checkExprNesting is checkNesting of one HCL expression (a vars_structure
// value).
func checkExprNesting(src []byte, filename string) hcl.Diagnostics {
	toks, _ := hclsyntax.LexExpression(src, filename, hcl.InitialPos)
	return tokenNesting(toks)
}

// nestFrame is one open bracket, interpolation or template directive.
// ops counts the operators (and index brackets) met in it since the last
// separator: hcl builds a chain of binary operators, unary operators,
// conditionals or index expressions as a tree as deep as the chain, and
// evaluates it recursively.
type nestFrame struct {
	closer     hclsyntax.TokenType // the token that closes it
	lineBreaks bool                // a newline ends an expression here (block bodies, objects)
	ops        int
}

// tokenNesting is the nesting measure over a token stream: each open
// frame counts one plus its operators; it reports the first token at
// which the sum exceeds MaxNesting.
func tokenNesting(toks hclsyntax.Tokens) hcl.Diagnostics {
	frames := []nestFrame{{lineBreaks: true}} // the file's top level
	depth := 1
	// directive is set between %{ and its closing } to the directive's
	// keyword; if and for open a frame that endif and endfor close.
	directive := ""
	afterControl := false
	push := func(f nestFrame) {
		frames = append(frames, f)
		depth++
	}
	pop := func() {
		if len(frames) > 1 {
			depth -= 1 + frames[len(frames)-1].ops
			frames = frames[:len(frames)-1]
		}
	}
	for i := range toks {
		tok := &toks[i]
		top := &frames[len(frames)-1]
		if afterControl {
			afterControl = false
			if tok.Type == hclsyntax.TokenIdent {
				directive = string(tok.Bytes)
			}
		}
		switch tok.Type {
		case hclsyntax.TokenOParen:
			top.ops++ // a call or parenthesised expression after an operator chain
			depth++
			push(nestFrame{closer: hclsyntax.TokenCParen})
		case hclsyntax.TokenOBrack:
			top.ops++ // an index expression chains like an operator
			depth++
			push(nestFrame{closer: hclsyntax.TokenCBrack})
		case hclsyntax.TokenOBrace:
			push(nestFrame{closer: hclsyntax.TokenCBrace, lineBreaks: true})
		case hclsyntax.TokenOQuote:
			push(nestFrame{closer: hclsyntax.TokenCQuote})
		case hclsyntax.TokenOHeredoc:
			push(nestFrame{closer: hclsyntax.TokenCHeredoc})
		case hclsyntax.TokenTemplateInterp:
			push(nestFrame{closer: hclsyntax.TokenTemplateSeqEnd})
		case hclsyntax.TokenTemplateControl:
			push(nestFrame{closer: hclsyntax.TokenTemplateSeqEnd})
			afterControl, directive = true, ""
		case hclsyntax.TokenCParen, hclsyntax.TokenCBrack, hclsyntax.TokenCBrace,
			hclsyntax.TokenCQuote, hclsyntax.TokenCHeredoc:
			if top.closer == tok.Type {
				pop()
			}
		case hclsyntax.TokenTemplateSeqEnd:
			if top.closer != tok.Type {
				break
			}
			pop()
			switch directive {
			case "if", "for":
				push(nestFrame{closer: hclsyntax.TokenNil}) // the directive's body
			case "endif", "endfor":
				if frames[len(frames)-1].closer == hclsyntax.TokenNil {
					pop()
				}
			}
			directive = ""
		case hclsyntax.TokenComma:
			depth -= top.ops
			top.ops = 0
		case hclsyntax.TokenNewline:
			if top.lineBreaks {
				depth -= top.ops
				top.ops = 0
			}
		case hclsyntax.TokenPlus, hclsyntax.TokenMinus, hclsyntax.TokenStar, hclsyntax.TokenSlash,
			hclsyntax.TokenPercent, hclsyntax.TokenEqualOp, hclsyntax.TokenNotEqual,
			hclsyntax.TokenLessThan, hclsyntax.TokenLessThanEq, hclsyntax.TokenGreaterThan,
			hclsyntax.TokenGreaterThanEq, hclsyntax.TokenAnd, hclsyntax.TokenOr, hclsyntax.TokenBang,
			hclsyntax.TokenQuestion:
			top.ops++
			depth++
		}
		if depth > MaxNesting {
			return hcl.Diagnostics{nestingDiag(tok.Range)}
		}
	}
	return nil
}

func nestingDiag(rng hcl.Range) *hcl.Diagnostic {
	return errorDiag("Expression nested too deeply",
		fmt.Sprintf("This expression nests more than %d levels of parentheses, brackets, braces, interpolations, template directives and operators. "+
			"Formation refuses deeper nesting whatever the limits: evaluating it could exhaust the stack of the whole process.", MaxNesting),
		&rng)
}

// jsonNesting counts the nesting of a JSON source: its arrays and objects,
// which hcl's JSON parser reads recursively, and separately the nesting of
// each string that holds a template ("${" or "%{"), which hcl parses
// whenever it evaluates the string.
func jsonNesting(src []byte, filename string) hcl.Diagnostics {
	pos := hcl.InitialPos
	advance := func(b byte) {
		pos.Byte++
		pos.Column++
		if b == '\n' {
			pos.Line++
			pos.Column = 1
		}
	}
	depth := 0
	for i := 0; i < len(src); i++ {
		switch c := src[i]; c {
		case '[', '{':
			depth++
			if depth > MaxNesting {
				return hcl.Diagnostics{nestingDiag(hcl.Range{Filename: filename, Start: pos, End: pos})}
			}
		case ']', '}':
			depth--
		case '"':
			start := pos
			j := i + 1
			for j < len(src) && src[j] != '"' {
				if src[j] == '\\' {
					j++
				}
				j++
			}
			if j >= len(src) {
				return nil // unterminated: the parser reports it
			}
			lit := src[i : j+1]
			for ; i < j; i++ {
				advance(src[i])
			}
			// A string is parsed as a template when it holds one, and as
			// an expression where a reference is expected (depends_on).
			template := strings.Contains(string(lit), "${") || strings.Contains(string(lit), "%{")
			if !template && !strings.ContainsAny(string(lit), "([{!-?") {
				break
			}
			var s string
			if json.Unmarshal(lit, &s) != nil {
				break // the parser reports it
			}
			start.Byte++
			start.Column++
			lex := hclsyntax.LexExpression
			if template {
				lex = hclsyntax.LexTemplate
			}
			toks, _ := lex([]byte(s), filename, start)
			if d := tokenNesting(toks); d != nil {
				return d
			}
		}
		advance(src[i])
	}
	return nil
}

// CheckNesting reports, as the first diagnostic, where src nests deeper
// than MaxNesting: HCL, or JSON when filename ends in .json. A program
// that parses a template's files or variables itself (a variables file)
// calls it first, since hcl's parser would exhaust the stack.
func CheckNesting(src []byte, filename string) hcl.Diagnostics {
	return checkNesting(src, filename, strings.HasSuffix(filename, ".json"))
}
