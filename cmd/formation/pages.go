package main

import "github.com/formation-engine/formation/engine"

// allPages follows a list's markers to its end, asking for the largest
// pages: list fetches the page opts ask for and returns its items and its
// next marker. The result is never nil, so an empty list is [] in JSON.
func allPages[T any](list func(opts engine.ListOptions) ([]T, string, error)) ([]T, error) {
	all := []T{}
	opts := engine.ListOptions{Limit: engine.MaxListLimit}
	for {
		items, next, err := list(opts)
		if err != nil {
			return nil, err
		}
		all = append(all, items...)
		if next == "" {
			return all, nil
		}
		opts.Marker = next
	}
}
