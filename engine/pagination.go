package engine

import (
	"encoding/base64"
	"strconv"

	"github.com/formation-engine/formation"
)

// ListOptions pages through a list (spec §0): Limit items per page (0 means
// the default of 1000; otherwise 10 to 1000) starting after Marker, a
// next_marker or previous_marker from an earlier page of the same list.
type ListOptions struct {
	Marker string `json:"marker,omitempty"`
	Limit  int    `json:"limit,omitempty"`
}

// PageInfo tells where a page sits in its list: NextMarker is empty on the
// last page, PreviousMarker on the first.
type PageInfo struct {
	NextMarker     string `json:"next_marker,omitempty"`
	PreviousMarker string `json:"previous_marker,omitempty"`
	CurrentCount   int    `json:"current_count"`
}

// cursor is a decoded marker: a position in a list ordered by a strictly
// decreasing number (creation sequence, event sequence), and a direction.
type cursor struct {
	backward bool   // previous page: items before pos
	pos      uint64 // the page starts just after (before) the item with this number
}

const maxMarkerLength = 512

// limit validates and defaults opts.Limit.
func (opts ListOptions) limit(op string) (int, error) {
	switch {
	case opts.Limit == 0:
		return DefaultListLimit, nil
	case opts.Limit < MinListLimit || opts.Limit > MaxListLimit:
		return 0, formation.Errorf(formation.CodeInvalidParameter, op, "", "limit %d is out of range [%d, %d]", opts.Limit, MinListLimit, MaxListLimit)
	}
	return opts.Limit, nil
}

// cursor decodes opts.Marker; a nil cursor means the first page.
func (opts ListOptions) cursor(op string) (*cursor, error) {
	if opts.Marker == "" {
		return nil, nil
	}
	bad := func() error {
		return formation.Errorf(formation.CodeInvalidParameter, op, "", "marker %q is not a marker this list produced", opts.Marker)
	}
	if len(opts.Marker) > maxMarkerLength {
		return nil, bad()
	}
	raw, err := base64.RawURLEncoding.DecodeString(opts.Marker)
	if err != nil || len(raw) < 2 || (raw[0] != 'n' && raw[0] != 'p') {
		return nil, bad()
	}
	pos, err := strconv.ParseUint(string(raw[1:]), 10, 64)
	if err != nil {
		return nil, bad()
	}
	return &cursor{backward: raw[0] == 'p', pos: pos}, nil
}

func marker(backward bool, pos uint64) string {
	dir := "n"
	if backward {
		dir = "p"
	}
	return base64.RawURLEncoding.EncodeToString([]byte(dir + strconv.FormatUint(pos, 10)))
}

// paginate cuts one page out of items, which are ordered by a strictly
// decreasing number (num(i) for items[i]) — newest first.
func paginate[T any](op string, items []T, num func(i int) uint64, opts ListOptions) ([]T, PageInfo, error) {
	limit, err := opts.limit(op)
	if err != nil {
		return nil, PageInfo{}, err
	}
	c, err := opts.cursor(op)
	if err != nil {
		return nil, PageInfo{}, err
	}
	start, end := 0, min(limit, len(items))
	if c != nil {
		// first index whose number is below pos: items are descending.
		i := 0
		for i < len(items) && num(i) >= c.pos {
			i++
		}
		if c.backward {
			// the page ends just before the item numbered pos
			j := i
			if j > 0 && num(j-1) == c.pos {
				j--
			}
			start, end = max(0, j-limit), j
		} else {
			start, end = i, min(i+limit, len(items))
		}
	}
	page := items[start:end]
	info := PageInfo{CurrentCount: len(page)}
	if len(page) > 0 {
		if end < len(items) {
			info.NextMarker = marker(false, num(end-1))
		}
		if start > 0 {
			info.PreviousMarker = marker(true, num(start))
		}
	}
	return page, info, nil
}

// byPosition numbers a list for paginate by position: markers over it hold
// while the list does not change between pages, as RFS's do.
func byPosition(n int) func(i int) uint64 {
	return func(i int) uint64 { return uint64(n - i) }
}
