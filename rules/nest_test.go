package rules

import (
	"slices"
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
