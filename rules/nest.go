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
// listed, stand on their own. Order is kept.
func NestAddOns[T any](items []T, id, parent func(T) string) []Nested[T] {
	present := make(map[string]bool, len(items))
	for _, it := range items {
		present[id(it)] = true
	}
	under := map[string][]T{}
	nested := 0
	for _, it := range items {
		if p := parent(it); p != "" && present[p] {
			under[p] = append(under[p], it)
			nested++
		}
	}
	// Sized up front: T can be a wide row, and growing by appends copies
	// every row several times.
	out := make([]Nested[T], 0, len(items)-nested)
	for _, it := range items {
		if p := parent(it); p != "" && present[p] {
			continue
		}
		out = append(out, Nested[T]{Item: it, AddOns: under[id(it)]})
	}
	return out
}

// SortByName sorts rows by name in any case, then id, keeping equal rows in
// order. Each name is lower-cased once: lower-casing inside the comparison
// allocated twice per comparison, thousands of times for a big customer.
func SortByName[T any](rows []T, key func(T) (name, id string)) {
	lower := make(map[string]string, len(rows))
	for _, r := range rows {
		name, id := key(r)
		lower[id] = strings.ToLower(name)
	}
	slices.SortStableFunc(rows, func(a, b T) int {
		_, ia := key(a)
		_, ib := key(b)
		return cmp.Or(cmp.Compare(lower[ia], lower[ib]), cmp.Compare(ia, ib))
	})
}
