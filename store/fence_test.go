package store_test

import (
	"bufio"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// dbImporters are the packages allowed to import store/db: the store itself
// and the use-case packages whose transactions span several queries. Every
// other package (handlers, auth, jobs, cmd) reaches Postgres through store
// methods, so a query's shape changes in one room. A new use-case package
// is added here in the commit that creates it.
var dbImporters = []string{"store", "commerce", "mirror", "mail", "accounts", "attention", "billing", "prices"}

const module = "github.com/cspportal/portal/"

// fenceViolations reads `go list` lines of "package: import import ..."
// (its own, its tests' and its external tests' imports) and returns the
// packages that import store/db without being allowed to.
func fenceViolations(listing string) []string {
	var bad []string
	sc := bufio.NewScanner(strings.NewReader(listing))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		pkg, imports, ok := strings.Cut(sc.Text(), ":")
		if !ok || !slices.Contains(strings.Fields(imports), module+"store/db") {
			continue
		}
		rel := strings.TrimSuffix(strings.TrimPrefix(pkg, module), "_test")
		top, _, _ := strings.Cut(rel, "/")
		if !slices.Contains(dbImporters, top) {
			bad = append(bad, pkg)
		}
	}
	return bad
}

func TestFenceViolations(t *testing.T) {
	t.Parallel()
	listing := module + "auth: context " + module + "store " + module + "store/db\n" +
		module + "web/handlers: net/http " + module + "store\n" +
		module + "web/handlers_test: " + module + "store/db\n" +
		module + "commerce: " + module + "store/db\n" +
		module + "store/db: context\n"
	got := fenceViolations(listing)
	want := []string{module + "auth", module + "web/handlers_test"}
	if !slices.Equal(got, want) {
		t.Fatalf("violations %v, want %v", got, want)
	}
}

// TestStoreDBFence fails when a package outside dbImporters (counting its
// tests) imports store/db.
func TestStoreDBFence(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("runs go list over the module")
	}
	cmd := exec.CommandContext(t.Context(), "go", "list", "-e", "-f",
		`{{.ImportPath}}: {{join .Imports " "}} {{join .TestImports " "}} {{join .XTestImports " "}}`, "./...")
	cmd.Dir = ".."
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	if !strings.Contains(string(out), module+"store/db:") {
		t.Fatalf("go list did not list store/db:\n%.2000s", out)
	}
	if bad := fenceViolations(string(out)); len(bad) > 0 {
		t.Fatalf("these packages import store/db; move their SQL into store methods: %v", bad)
	}
}
