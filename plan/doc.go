// Package plan is the pure planner: it diffs a template's desired instances
// against a stack's recorded state and returns the changes as data, in RFS
// execution plan shape, with text and JSON renderings.
package plan
