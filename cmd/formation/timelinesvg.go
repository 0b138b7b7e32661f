package main

import (
	"fmt"
	"html"
	"strings"
	"time"
)

// The chart's geometry, in SVG user units (pixels).
const (
	tlLabelWidth = 330 // the resource addresses, left of the bars
	tlPlotWidth  = 640
	tlRowHeight  = 22
	tlBarHeight  = 14
	tlTop        = 74 // title and legend above the rows
	tlBottom     = 34 // the time axis below them
	tlMargin     = 12
)

// Bar colours by outcome, and the rollback's shade.
var tlColours = map[string]string{
	"complete":   "#2da44e",
	"failed":     "#cf222e",
	"unfinished": "#d4a72c",
}

// svg renders the timeline as a self-contained SVG document.
func (tl *deploymentTimeline) svg() string {
	span := tl.end.Sub(tl.start)
	if span < time.Second {
		span = time.Second
	}
	width := tlMargin + tlLabelWidth + tlPlotWidth + tlMargin
	height := tlTop + len(tl.ops)*tlRowHeight + tlBottom
	x := func(t time.Time) float64 {
		return tlMargin + tlLabelWidth + float64(t.Sub(tl.start))/float64(span)*tlPlotWidth
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="Helvetica, Arial, sans-serif" font-size="12">`+"\n", width, height, width, height)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#ffffff"/>`+"\n", width, height)

	title := fmt.Sprintf("Stack %s, deployment %s", tl.stack, tl.deploymentID)
	status := tl.status
	if status == "" {
		status = "not finished"
	}
	fmt.Fprintf(&b, `<text x="%d" y="20" font-size="14" font-weight="bold">%s</text>`+"\n", tlMargin, esc(title))
	fmt.Fprintf(&b, `<text x="%d" y="38" fill="#57606a">%s · %d resource operations · %s of simulated time</text>`+"\n",
		tlMargin, esc(status), len(tl.ops), tl.end.Sub(tl.start))
	legend := []struct{ colour, text string }{
		{tlColours["complete"], "completed"}, {tlColours["failed"], "failed"}, {tlColours["unfinished"], "not finished"},
	}
	lx := tlMargin
	for _, l := range legend {
		fmt.Fprintf(&b, `<rect x="%d" y="50" width="12" height="10" fill="%s"/><text x="%d" y="59">%s</text>`+"\n", lx, l.colour, lx+16, l.text)
		lx += 110
	}
	fmt.Fprintf(&b, `<rect x="%d" y="50" width="12" height="10" fill="none" stroke="#1f2328" stroke-width="2"/><text x="%d" y="59">critical path</text>`+"\n", lx, lx+16)
	lx += 110
	if !tl.rollbackStart.IsZero() {
		fmt.Fprintf(&b, `<rect x="%d" y="50" width="12" height="10" fill="#cf222e" fill-opacity="0.12"/><text x="%d" y="59">rollback</text>`+"\n", lx, lx+16)
	}

	rowsBottom := tlTop + len(tl.ops)*tlRowHeight
	// Rollback shade and the time grid behind the bars.
	if !tl.rollbackStart.IsZero() {
		fmt.Fprintf(&b, `<rect x="%.1f" y="%d" width="%.1f" height="%d" fill="#cf222e" fill-opacity="0.12"/>`+"\n",
			x(tl.rollbackStart), tlTop-4, x(tl.end)-x(tl.rollbackStart), rowsBottom-tlTop+8)
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" fill="#cf222e" font-size="11">rollback</text>`+"\n", x(tl.rollbackStart)+3, tlTop-8)
	}
	step := tickStep(span)
	for t := time.Duration(0); t <= span; t += step {
		tx := x(tl.start.Add(t))
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#d0d7de"/>`+"\n", tx, tlTop-4, tx, rowsBottom+4)
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle" fill="#57606a">%s</text>`+"\n", tx, rowsBottom+18, t)
	}
	fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end" fill="#57606a">simulated time since the deployment started</text>`+"\n",
		tlMargin+tlLabelWidth+tlPlotWidth, rowsBottom+32)

	for i, op := range tl.ops {
		y := tlTop + i*tlRowHeight
		if i%2 == 1 {
			fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="#f6f8fa" fill-opacity="0.6"/>`+"\n", tlMargin, y, tlLabelWidth, tlRowHeight)
		}
		label := op.verb + " " + op.addr
		fmt.Fprintf(&b, `<text x="%d" y="%d">%s</text>`+"\n", tlMargin+4, y+15, esc(clip(label, 48)))
		x0, x1 := x(op.start), x(op.end)
		if x1-x0 < 3 {
			x1 = x0 + 3 // under a second: still visible
		}
		stroke := ""
		if op.critical {
			stroke = ` stroke="#1f2328" stroke-width="2"`
		}
		fmt.Fprintf(&b, `<rect x="%.1f" y="%d" width="%.1f" height="%d" rx="2" fill="%s"%s><title>%s</title></rect>`+"\n",
			x0, y+(tlRowHeight-tlBarHeight)/2, x1-x0, tlBarHeight, tlColours[op.outcome], stroke,
			esc(fmt.Sprintf("%s %s: %s, %s–%s", op.verb, op.addr, op.outcome, op.start.Sub(tl.start), op.end.Sub(tl.start))))
	}
	b.WriteString("</svg>\n")
	return b.String()
}

// tickStep is a round interval giving at most ten ticks over span.
func tickStep(span time.Duration) time.Duration {
	for _, s := range []time.Duration{
		time.Second, 2 * time.Second, 5 * time.Second, 10 * time.Second, 15 * time.Second, 30 * time.Second,
		time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute, 15 * time.Minute, 30 * time.Minute, time.Hour,
	} {
		if span/s <= 10 {
			return s
		}
	}
	return (span/10 + time.Hour - 1).Truncate(time.Hour)
}

func esc(s string) string { return html.EscapeString(s) }

// clip shortens s to n runes with an ellipsis.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
