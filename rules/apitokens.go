package rules

import (
	"strings"
	"unicode/utf8"
)

// API token scopes, as the reseller API checks them.
const (
	ScopeRead      = "read"
	ScopeReadWrite = "read_write"
)

// CheckAPIToken checks a new API token's name and scope; problems come
// back by form field (name, scope), none when the token may be made.
func CheckAPIToken(name, scope string) map[string]string {
	errs := map[string]string{}
	switch n := utf8.RuneCountInString(strings.TrimSpace(name)); {
	case n == 0:
		errs["name"] = "Name the token after the tool that uses it."
	case n > 100:
		errs["name"] = "Keep the name to 100 characters."
	}
	if scope != ScopeRead && scope != ScopeReadWrite {
		errs["scope"] = "Choose read, or read and write."
	}
	return errs
}

// ScopeAllows reports whether a token of scope may make a request that
// writes (write) or only reads.
func ScopeAllows(scope string, write bool) bool {
	return scope == ScopeReadWrite || scope == ScopeRead && !write
}
