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
	bases, addOns := NestIndexes(len(items), func(i int) string { return id(items[i]) }, func(i int) string { return parent(items[i]) })
	out := make([]Nested[T], len(bases))
	for j, b := range bases {
		out[j].Item = items[b]
		if a := addOns[b]; len(a) > 0 {
			out[j].AddOns = make([]T, len(a))
			for k, i := range a {
				out[j].AddOns[k] = items[i]
			}
		}
	}
	return out
}

// Nesting is NestIndexes's answer: the positions of the items that stand
// on their own, in order, and of each one's add-ons, in order.
type Nesting struct {
	Bases  []int
	AddOns map[int][]int
}

// Nest is NestIndexes as a Nesting.
func Nest(n int, id, parent func(i int) string) Nesting {
	b, a := NestIndexes(n, id, parent)
	return Nesting{Bases: b, AddOns: a}
}

// NestIndexes is NestAddOns by position, for callers that make their own
// rows from the items (no item is copied): the positions of the items
// that stand on their own, in order, and of each one's add-ons, in order.
// id and parent are called once per position.
func NestIndexes(n int, id, parent func(i int) string) (bases []int, addOns map[int][]int) {
	ids, parents := make([]string, n), make([]string, n)
	at := make(map[string]int, n)
	for i := range n {
		ids[i], parents[i] = id(i), parent(i)
		at[ids[i]] = i
	}
	addOns = map[int][]int{}
	bases = make([]int, 0, n)
	for i := range n {
		if b, ok := at[parents[i]]; parents[i] != "" && ok {
			addOns[b] = append(addOns[b], i)
		} else {
			bases = append(bases, i)
		}
	}
	return bases, addOns
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
