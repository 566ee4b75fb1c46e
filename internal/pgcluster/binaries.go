package pgcluster

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
)

// ErrNoBinaries means no PostgreSQL server binaries (initdb, postgres) were
// found. Its message says how to install them or what to use instead.
var ErrNoBinaries = errors.New("PostgreSQL server binaries (initdb, postgres) not found on PATH or in /usr/lib/postgresql/*/bin; " +
	"install them (Debian/Ubuntu: apt-get install postgresql) or set DATABASE_URL to an existing database")

// debianRoots are the usual places a distribution keeps versioned server
// binaries; tests replace them.
var debianRoots = []string{"/usr/lib/postgresql", "/usr/local/pgsql"}

// FindBinDir returns a directory holding both initdb and postgres. With
// major set (e.g. "15", from an existing cluster's PG_VERSION) only binaries
// of that major version qualify; otherwise the newest wins. PATH is looked at
// before the versioned Debian directories.
func FindBinDir(major string) (string, error) {
	var candidates []string
	if p, err := exec.LookPath("postgres"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			candidates = append(candidates, filepath.Dir(real))
		}
		candidates = append(candidates, filepath.Dir(p))
	}
	for _, root := range debianRoots {
		candidates = append(candidates, versionedDirs(root)...)
		candidates = append(candidates, filepath.Join(root, "bin"))
	}
	var wrongVersion []string
	for _, dir := range candidates {
		if !isExec(filepath.Join(dir, "initdb")) || !isExec(filepath.Join(dir, "postgres")) {
			continue
		}
		if major != "" {
			v, err := binaryMajor(dir)
			if err != nil || v != major {
				wrongVersion = append(wrongVersion, fmt.Sprintf("%s (%s)", dir, v))
				continue
			}
		}
		return dir, nil
	}
	if len(wrongVersion) > 0 {
		return "", fmt.Errorf("the cluster was created by PostgreSQL %s but only other versions were found: %v; "+
			"install PostgreSQL %s or move the data folder away", major, wrongVersion, major)
	}
	return "", ErrNoBinaries
}

// versionedDirs lists root/<N>/bin, highest N first.
func versionedDirs(root string) []string {
	entries, err := os.ReadDir(root)
	if err != nil {
		return nil
	}
	type dv struct {
		dir string
		v   float64
	}
	var found []dv
	for _, e := range entries {
		v, err := strconv.ParseFloat(e.Name(), 64)
		if err != nil {
			continue
		}
		found = append(found, dv{filepath.Join(root, e.Name(), "bin"), v})
	}
	sort.Slice(found, func(i, j int) bool { return found[i].v > found[j].v })
	out := make([]string, len(found))
	for i, f := range found {
		out[i] = f.dir
	}
	return out
}

var versionRE = regexp.MustCompile(`\(PostgreSQL\) (\d+)(?:\.\d+)?`)

// binaryMajor runs `postgres --version` and returns the major version.
func binaryMajor(dir string) (string, error) {
	out, err := exec.Command(filepath.Join(dir, "postgres"), "--version").Output()
	if err != nil {
		return "", fmt.Errorf("%s --version: %w", filepath.Join(dir, "postgres"), err)
	}
	m := versionRE.FindSubmatch(out)
	if m == nil {
		return "", fmt.Errorf("unrecognised postgres version %q", out)
	}
	return string(m[1]), nil
}

func isExec(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
}
