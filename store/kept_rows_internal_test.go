package store

import (
	"slices"
	"testing"

	"github.com/google/uuid"

	"github.com/cspportal/portal/rules"
)

func TestRowKeeperKeepsBigListsNewestAndBounded(t *testing.T) {
	t.Parallel()
	// Each list nests as its length says, so a kept nesting can be told
	// from a fresh one; nested counts the lists nested.
	nested := 0
	k := newRowKeeper(func(rows []int) rules.Nesting { nested++; return rules.Nesting{Bases: []int{len(rows)}} })
	rows := func(n int) rowList[int] { return rowList[int]{rows: make([]int, n)} }
	a, b := uuid.New(), uuid.New()

	k.put(a, 1, rows(keepFrom-1))
	if v, _ := k.get(a); v != noVersion {
		t.Fatalf("a small list was kept (version %d)", v)
	}
	k.put(a, 2, rows(keepFrom))
	k.put(a, 1, rows(keepFrom+1)) // an older read finishing late
	if v, got := k.get(a); v != 2 || len(got.rows) != keepFrom {
		t.Fatalf("a: version %d, %d rows; want the newer version 2", v, len(got.rows))
	}
	// keep: the kept list at its version, else the fresh rows sorted,
	// nested once and kept with their nesting.
	kv, kept := k.get(a)
	kept.nest = rules.Nesting{Bases: []int{-1}}
	if got := k.keep(a, kv, 2, kept, []int{9}, slices.Sort); len(got.rows) != keepFrom || got.nest.Bases[0] != -1 || nested != 0 {
		t.Fatalf("keep at the kept version gave %d rows, nesting %v, %d nested", len(got.rows), got.nest, nested)
	}
	fresh := append(make([]int, keepFrom), 3, 1, 2)
	if got := k.keep(a, kv, 3, kept, fresh, slices.Sort); !slices.IsSorted(got.rows) || len(got.rows) != keepFrom+3 ||
		nested != 1 || got.nest.Bases[0] != keepFrom+3 {
		t.Fatalf("keep at a new version: %d rows, sorted %v, nesting %v, %d nested", len(got.rows), slices.IsSorted(got.rows), got.nest, nested)
	}
	if v, got := k.get(a); v != 3 || len(got.nest.Bases) != 1 || got.nest.Bases[0] != keepFrom+3 || nested != 1 {
		t.Fatalf("kept at version %d with nesting %v after %d nestings; want version 3 and its own", v, got.nest, nested)
	}
	// Beyond keepRows the least recently used goes.
	half := keepRows / 2
	k.put(b, 1, rows(half))
	k.get(a)
	c := uuid.New()
	k.put(c, 1, rows(half))
	if v, _ := k.get(b); v != noVersion {
		t.Fatal("the least recently used list was kept beyond the bound")
	}
	if v, _ := k.get(a); v != 3 {
		t.Fatal("a recently used list was dropped")
	}
	if k.held > keepRows {
		t.Fatalf("%d rows held, bound %d", k.held, keepRows)
	}
	var nilKeeper *rowKeeper[int]
	if v, _ := nilKeeper.get(a); v != noVersion {
		t.Fatal("a nil keeper kept something")
	}
}
