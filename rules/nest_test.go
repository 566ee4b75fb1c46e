package rules

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func TestSortByName(t *testing.T) {
	type row struct{ name, id string }
	tests := []struct {
		name string
		rows []row
		want []string // ids
	}{
		{"case does not count", []row{{"teams", "1"}, {"Azure", "2"}, {"Visio", "3"}}, []string{"2", "1", "3"}},
		{"equal names by id", []row{{"Teams", "b"}, {"teams", "a"}, {"TEAMS", "c"}}, []string{"a", "b", "c"}},
		{"empty", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows := slices.Clone(tt.rows)
			SortByName(rows, func(r row) (string, string) { return r.name, r.id })
			var got []string
			for _, r := range rows {
				got = append(got, r.id)
			}
			if !slices.Equal(got, tt.want) {
				t.Fatalf("order %v, want %v", got, tt.want)
			}
		})
	}
}

// TestSortByNameAsStableSort checks the permutation against a stable sort
// of the rows themselves, on rows with many equal names and ids.
func TestSortByNameAsStableSort(t *testing.T) {
	type row struct{ name, id, tag string }
	r := rand.New(rand.NewPCG(1, 2))
	for n := range 60 {
		rows := make([]row, n*7)
		for i := range rows {
			rows[i] = row{[]string{"teams", "Teams", "azure", "Visio", ""}[r.IntN(5)], strconv.Itoa(r.IntN(10)), strconv.Itoa(i)}
		}
		want := slices.Clone(rows)
		slices.SortStableFunc(want, func(a, b row) int {
			return cmp.Or(cmp.Compare(strings.ToLower(a.name), strings.ToLower(b.name)), cmp.Compare(a.id, b.id))
		})
		SortByName(rows, func(x row) (string, string) { return x.name, x.id })
		if !slices.Equal(rows, want) {
			t.Fatalf("%d rows: got %v\nwant %v", len(rows), rows, want)
		}
	}
}

// wideRow is as wide as a priced subscription row (about 300 bytes).
type wideRow struct {
	id, parent, name string
	Pad              [34]int64 // exported: its width is the point, not its use
}

// BenchmarkNestAndSort nests and sorts a big customer's 500 subscriptions
// (one in five an add-on), as its pages do on every request.
func BenchmarkNestAndSort(b *testing.B) {
	rows := make([]wideRow, 500)
	for i := range rows {
		rows[i] = wideRow{id: fmt.Sprintf("sub-%03d", i), name: fmt.Sprintf("Product %d", (i*7919)%97)}
		if i%5 == 4 {
			rows[i].parent = rows[i-1].id
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		in := slices.Clone(rows)
		SortByName(in, func(r wideRow) (string, string) { return r.name, r.id })
		out := NestAddOns(in, func(r wideRow) string { return r.id }, func(r wideRow) string { return r.parent })
		SortByName(out, func(n Nested[wideRow]) (string, string) { return n.Item.name, n.Item.id })
	}
}
