package rules

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
