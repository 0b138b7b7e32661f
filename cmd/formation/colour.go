package main

import (
	"strings"

	"github.com/formation-engine/formation/plan"
)

// Plans in colour on a terminal, as terraform plan shows them: + green,
// ~ yellow, -/+ and +/- magenta, - red. The symbol is painted, the rest
// of the line left alone; a pipe or a file gets the text as it is.

const sgrMagenta = 35

// planSymbols are the change markers plan text starts its lines with
// (after the indentation), and their colours.
var planSymbols = []struct {
	symbol string
	code   int
}{
	{"-/+ ", sgrMagenta}, {"+/- ", sgrMagenta}, {"+ ", sgrGreen}, {"~ ", sgrYellow}, {"- ", sgrRed},
}

// colourPlan paints the change markers of plan text, when colour is on.
func (o *output) colourPlan(text string) string {
	if !o.color {
		return text
	}
	lines := strings.SplitAfter(text, "\n")
	for i, line := range lines {
		body := strings.TrimLeft(line, " ")
		indent := line[:len(line)-len(body)]
		for _, s := range planSymbols {
			if strings.HasPrefix(body, s.symbol) {
				sym := strings.TrimSuffix(s.symbol, " ")
				lines[i] = indent + o.paint(s.code, sym) + body[len(sym):]
				break
			}
		}
	}
	return strings.Join(lines, "")
}

// writePlanText prints a plan as terraform plan does, coloured on a
// terminal.
func (inv *invocation) writePlanText(p *plan.Plan) error {
	var b strings.Builder
	if err := p.WriteText(&b); err != nil {
		return err
	}
	return inv.out.printf("%s", inv.out.colourPlan(b.String()))
}
