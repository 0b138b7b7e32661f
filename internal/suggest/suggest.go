// Package suggest finds the word a user probably meant, for the "did you
// mean" hints of the template diagnostics and the command line.
package suggest

// Nearest returns the candidate closest to given by edit distance, if that
// distance is at most within; ties go to the first in alphabetical order,
// so the hint does not depend on the candidates' order. It returns "" when
// no candidate is near enough.
func Nearest(given string, candidates []string, within int) string {
	best, bestDist := "", within+1
	for _, c := range candidates {
		if d := Distance(given, c, bestDist+1); d < bestDist || (d == bestDist && best != "" && c < best) {
			best, bestDist = c, d
		}
	}
	return best
}

// Distance is the Levenshtein distance of a and b counted in runes, or
// limit when it is at least limit: callers looking for a near word stop
// paying for far ones.
func Distance(a, b string, limit int) int {
	ra, rb := []rune(a), []rune(b)
	if d := len(ra) - len(rb); d >= limit || -d >= limit {
		return limit
	}
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return min(prev[len(rb)], limit)
}
