package rules

import (
	"cmp"
	"slices"
	"strings"
)

// Nested is one subscription with the add-ons listed under it.
type Nested[T any] struct {
	Item   T
	AddOns []T
}

// NestAddOns groups the items whose parent (parent(item) != "") is in the
// list under that parent; the others, including add-ons whose base is not
// listed, stand on their own. Order is kept. id and parent are called once
// per item: T can be a wide row, copied into each call.
func NestAddOns[T any](items []T, id, parent func(T) string) []Nested[T] {
	ids, parents := make([]string, len(items)), make([]string, len(items))
	present := make(map[string]bool, len(items))
	for i := range items {
		ids[i], parents[i] = id(items[i]), parent(items[i])
		present[ids[i]] = true
	}
	addOn := func(i int) bool { return parents[i] != "" && present[parents[i]] }
	under := map[string][]T{}
	nested := 0
	for i := range items {
		if addOn(i) {
			under[parents[i]] = append(under[parents[i]], items[i])
			nested++
		}
	}
	// Sized up front: growing by appends copies every row several times.
	out := make([]Nested[T], 0, len(items)-nested)
	for i := range items {
		if !addOn(i) {
			out = append(out, Nested[T]{Item: items[i], AddOns: under[ids[i]]})
		}
	}
	return out
}

// SortByName sorts rows by name in any case, then id, keeping equal rows in
// order. It sorts small keys, each name lower-cased once, and then moves
// each row once: T is often a wide row, and sorting the rows themselves
// copied each of a big customer's 500 rows a dozen times.
func SortByName[T any](rows []T, key func(T) (name, id string)) {
	type sortKey struct {
		lower, id string
		at        int
	}
	keys := make([]sortKey, len(rows))
	for i := range rows {
		name, id := key(rows[i])
		keys[i] = sortKey{strings.ToLower(name), id, i}
	}
	slices.SortFunc(keys, func(a, b sortKey) int {
		return cmp.Or(cmp.Compare(a.lower, b.lower), cmp.Compare(a.id, b.id), cmp.Compare(a.at, b.at))
	})
	// Row keys[j].at goes to j: follow each cycle of that permutation,
	// marking a place done by pointing it at itself.
	from := make([]int, len(rows))
	for j, k := range keys {
		from[j] = k.at
	}
	for start := range rows {
		if from[start] == start {
			continue
		}
		held, j := rows[start], start
		for from[j] != start {
			rows[j], from[j], j = rows[from[j]], j, from[j]
		}
		rows[j], from[j] = held, j
	}
}
