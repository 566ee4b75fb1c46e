package store

import (
	"slices"
	"testing"

	"github.com/google/uuid"
)

func TestRowKeeperKeepsBigListsNewestAndBounded(t *testing.T) {
	t.Parallel()
	k := newRowKeeper[int]()
	rows := func(n int) []int { return make([]int, n) }
	a, b := uuid.New(), uuid.New()

	k.put(a, 1, rows(keepFrom-1))
	if v, _ := k.get(a); v != noVersion {
		t.Fatalf("a small list was kept (version %d)", v)
	}
	k.put(a, 2, rows(keepFrom))
	k.put(a, 1, rows(keepFrom+1)) // an older read finishing late
	if v, got := k.get(a); v != 2 || len(got) != keepFrom {
		t.Fatalf("a: version %d, %d rows; want the newer version 2", v, len(got))
	}
	// keep: the kept rows at their version, else the fresh ones sorted.
	kv, kept := k.get(a)
	if got := k.keep(a, kv, 2, kept, []int{9}, slices.Sort); len(got) != keepFrom {
		t.Fatalf("keep at the kept version gave %d rows", len(got))
	}
	fresh := append(rows(keepFrom), 3, 1, 2)
	if got := k.keep(a, kv, 3, kept, fresh, slices.Sort); !slices.IsSorted(got) || len(got) != keepFrom+3 {
		t.Fatalf("keep at a new version: %d rows, sorted %v", len(got), slices.IsSorted(got))
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
