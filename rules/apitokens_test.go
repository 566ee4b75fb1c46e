package rules

import (
	"strings"
	"testing"
)

func TestCheckAPIToken(t *testing.T) {
	for _, tc := range []struct {
		name, scope string
		want        []string // fields with a problem
	}{
		{"PSA sync", ScopeRead, nil},
		{"RMM", ScopeReadWrite, nil},
		{"  ", ScopeRead, []string{"name"}},
		{strings.Repeat("x", 101), ScopeRead, []string{"name"}},
		{strings.Repeat("é", 100), ScopeRead, nil},
		{"ok", "write", []string{"scope"}},
		{"", "", []string{"name", "scope"}},
	} {
		got := CheckAPIToken(tc.name, tc.scope)
		if len(got) != len(tc.want) {
			t.Errorf("CheckAPIToken(%q, %q) = %v, want problems with %v", tc.name, tc.scope, got, tc.want)
			continue
		}
		for _, f := range tc.want {
			if got[f] == "" {
				t.Errorf("CheckAPIToken(%q, %q): no problem with %s", tc.name, tc.scope, f)
			}
		}
	}
}

func TestScopeAllows(t *testing.T) {
	for _, tc := range []struct {
		scope string
		write bool
		want  bool
	}{
		{ScopeRead, false, true},
		{ScopeRead, true, false},
		{ScopeReadWrite, true, true},
		{ScopeReadWrite, false, true},
		{"", false, false},
		{"admin", true, false},
	} {
		if got := ScopeAllows(tc.scope, tc.write); got != tc.want {
			t.Errorf("ScopeAllows(%q, %v) = %v, want %v", tc.scope, tc.write, got, tc.want)
		}
	}
}
