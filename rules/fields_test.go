package rules_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cspportal/portal/rules"
)

func TestCheckLengths(t *testing.T) {
	t.Parallel()
	names := []string{"company_name", "first_name", "last_name", "email", "postal_code", "domain_prefix", "unlimited"}
	tests := []struct {
		name   string
		values map[string]string
		want   map[string]string
	}{
		{"all within", map[string]string{"company_name": strings.Repeat("a", 255), "first_name": strings.Repeat("b", 64),
			"postal_code": strings.Repeat("1", 40), "email": strings.Repeat("e", 242) + "@example.com", "unlimited": strings.Repeat("x", 9999)},
			map[string]string{}},
		{"characters, not bytes: 255 Chinese characters are 765 bytes", map[string]string{"company_name": strings.Repeat("公", 255)},
			map[string]string{}},
		{"one character over", map[string]string{"company_name": strings.Repeat("公", 256), "last_name": strings.Repeat("é", 65)},
			map[string]string{"company_name": "Use at most 255 characters (this has 256).", "last_name": "Use at most 64 characters (this has 65)."}},
		{"a 10,000-character last name", map[string]string{"last_name": strings.Repeat("x", 10000)},
			map[string]string{"last_name": "Use at most 64 characters (this has 10000)."}},
		{"postal code and domain prefix", map[string]string{"postal_code": strings.Repeat("9", 41), "domain_prefix": strings.Repeat("a", 28)},
			map[string]string{"postal_code": "Use at most 40 characters (this has 41).", "domain_prefix": "Use at most 27 characters (this has 28)."}},
		{"email over 254", map[string]string{"email": strings.Repeat("e", 243) + "@example.com"},
			map[string]string{"email": "Use at most 254 characters (this has 255)."}},
	}
	for _, tt := range tests {
		got := rules.CheckLengths(names, func(n string) string { return tt.values[n] }, rules.CustomerFieldLimits)
		if d := cmp.Diff(tt.want, got); d != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, d)
		}
	}
	if msg := rules.LengthProblem(strings.Repeat("名", rules.MaxFriendlyNameRunes+1), rules.MaxFriendlyNameRunes); msg == "" {
		t.Error("a 129-character nickname passes")
	}
}
