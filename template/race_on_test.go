//go:build race

package template

// raceFactor scales what TestBombs allows a child: the race detector
// makes a program several times slower and larger.
const raceFactor = 4
