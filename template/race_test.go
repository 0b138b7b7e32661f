//go:build !race

package template

// raceFactor scales what TestBombs allows a child: 1 without the race
// detector.
const raceFactor = 1
