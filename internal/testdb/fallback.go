package testdb

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cspportal/portal/internal/pgcluster"
)

// privatePrefix names the temporary folders of private test clusters.
const privatePrefix = "portal-testdb-"

var (
	serverOnce sync.Once
	serverURL  string
	serverErr  error
)

// localOrPrivate returns DefaultAdminURL when that server answers within two
// seconds, else starts a private cluster for this test binary (once). The
// cluster runs until the test binary exits: it is the binary's child, and
// the kernel stops it (fast shutdown) when the binary ends. Its folder is
// removed by the next test binary that starts one.
func localOrPrivate(ctx context.Context) (string, error) {
	serverOnce.Do(func() {
		pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		conn, err := pgx.Connect(pctx, DefaultAdminURL)
		cancel()
		if err == nil {
			conn.Close(context.Background())
			serverURL = DefaultAdminURL
			return
		}
		serverURL, serverErr = startPrivate(ctx, err)
	})
	return serverURL, serverErr
}

func startPrivate(ctx context.Context, localErr error) (string, error) {
	sweepAbandoned()
	dir, err := os.MkdirTemp("", privatePrefix)
	if err != nil {
		return "", err
	}
	// MkdirTemp makes a private folder; the cluster may run as another
	// user (when tests run as root), which must be able to enter it.
	if err := os.Chmod(dir, 0o755); err != nil {
		return "", err
	}
	c, err := pgcluster.Start(ctx, pgcluster.Options{Dir: dir, Database: "postgres", Fast: true})
	if err != nil {
		os.RemoveAll(dir)
		return "", fmt.Errorf("no database server for tests: %s did not answer (%v), and a private cluster could not start: %w "+
			"(set PORTAL_TEST_DATABASE_URL to a server where tests may create databases)", redact(DefaultAdminURL), localErr, err)
	}
	fmt.Fprintf(os.Stderr, "testdb: %s did not answer; using a private Postgres cluster in %s (port %d)\n",
		redact(DefaultAdminURL), dir, c.Port())
	return c.URL("postgres"), nil
}

// sweepAbandoned removes the folders of private clusters whose test binary
// has ended (no process holds their lock).
func sweepAbandoned() {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), privatePrefix+"*"))
	for _, d := range dirs {
		if fi, err := os.Stat(d); err != nil || !fi.IsDir() || pgcluster.Locked(d) {
			continue
		}
		// A folder without a lock file may be one another binary is
		// creating right now; leave folders younger than a minute.
		if _, err := os.Stat(filepath.Join(d, ".lock")); err != nil {
			if fi, err := os.Stat(d); err == nil && time.Since(fi.ModTime()) < time.Minute {
				continue
			}
		}
		os.RemoveAll(d)
	}
}
