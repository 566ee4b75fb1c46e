package pgcluster

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	osexec "os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// clusterDir returns a folder the unprivileged cluster user can reach even
// when the tests run as root (t.TempDir's parent is private to its owner).
func clusterDir(t *testing.T) string {
	t.Helper()
	if _, err := FindBinDir(""); err != nil {
		t.Skipf("no PostgreSQL binaries: %v", err)
	}
	dir := t.TempDir()
	if err := os.Chmod(filepath.Dir(dir), 0o755); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, "pg")
}

func execSQL(t *testing.T, url, sql string, args ...any) {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(t.Context(), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func TestStartStopKeepsData(t *testing.T) {
	t.Parallel()
	dir := clusterDir(t)
	ctx := t.Context()

	c, err := Start(ctx, Options{Dir: dir, Database: "app", Fast: true})
	if err != nil {
		t.Fatalf("first start: %v", err)
	}
	port := c.Port()
	execSQL(t, c.DatabaseURL(), "CREATE TABLE kept (v text)")
	execSQL(t, c.DatabaseURL(), "INSERT INTO kept VALUES ($1)", "still here")

	// A second Start on the same folder while it runs is refused.
	if _, err := Start(ctx, Options{Dir: dir, Database: "app"}); !errors.Is(err, ErrInUse) {
		t.Errorf("second concurrent start: got %v, want ErrInUse", err)
	}
	if !Locked(dir) {
		t.Error("Locked = false while the cluster runs")
	}

	// An idle open session must not hold a fast shutdown up.
	idle, err := pgx.Connect(ctx, c.DatabaseURL())
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close(context.Background())
	sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	start := time.Now()
	if err := c.Stop(sctx); err != nil {
		t.Fatalf("stop: %v", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("fast shutdown with an idle session took %s", d)
	}
	select {
	case <-c.Done():
	default:
		t.Fatal("Stop returned before postgres exited")
	}
	if _, _, running := runningPostmaster(filepath.Join(dir, "data")); running {
		t.Error("postmaster.pid still names a live server after Stop")
	}
	if Locked(dir) {
		t.Error("Locked = true after Stop")
	}

	c2, err := Start(ctx, Options{Dir: dir, Database: "app", Fast: true})
	if err != nil {
		t.Fatalf("second start: %v", err)
	}
	defer c2.Stop(context.Background())
	if c2.Port() != port {
		t.Errorf("port changed from %d to %d although it was free", port, c2.Port())
	}
	conn, err := pgx.Connect(ctx, c2.DatabaseURL())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var v string
	if err := conn.QueryRow(ctx, "SELECT v FROM kept").Scan(&v); err != nil || v != "still here" {
		t.Fatalf("data after restart: %q, %v", v, err)
	}

	// A server left running by a process that no longer holds the lock
	// (and does not stop) is reported, naming how to stop it.
	c2.lock.Close()
	_, err = Start(ctx, Options{Dir: dir, Fast: true, orphanWait: 200 * time.Millisecond})
	if !errors.Is(err, ErrInUse) || !strings.Contains(err.Error(), "pg_ctl -D") {
		t.Fatalf("start beside an orphaned server: got %v, want ErrInUse naming pg_ctl", err)
	}
}

func TestFindBinDirVersions(t *testing.T) {
	if _, err := FindBinDir(""); err != nil {
		t.Skipf("no PostgreSQL binaries: %v", err)
	}
	if _, err := FindBinDir("1"); err == nil {
		t.Error("FindBinDir(\"1\") found binaries of PostgreSQL 1")
	}
	t.Setenv("PATH", "")
	saved := debianRoots
	debianRoots = []string{t.TempDir()}
	defer func() { debianRoots = saved }()
	if _, err := FindBinDir(""); !errors.Is(err, ErrNoBinaries) {
		t.Errorf("with no binaries anywhere: got %v, want ErrNoBinaries", err)
	}
}

func TestUnreachableParent(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	private := filepath.Join(root, "private")
	if err := os.MkdirAll(filepath.Join(private, "pg"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(private, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(root, 0o755); err != nil {
		t.Fatal(err)
	}
	// uid/gid 54321 own nothing here: they need the "other" x bit.
	if got := unreachable(filepath.Join(private, "pg"), 54321, 54321); got != private {
		t.Errorf("unreachable = %q, want %q", got, private)
	}
	if err := os.Chmod(private, 0o711); err != nil {
		t.Fatal(err)
	}
	if got := unreachable(filepath.Join(private, "pg"), 54321, 54321); got != "" && got != filepath.Dir(root) {
		t.Errorf("unreachable = %q after chmod o+x", got)
	}
}

// TestHelperProcess is the body of the child process in
// TestKilledOwnerLeavesNoServer.
func TestHelperProcess(t *testing.T) {
	dir := os.Getenv("PGCLUSTER_HELPER_DIR")
	if dir == "" {
		t.Skip("helper for TestKilledOwnerLeavesNoServer")
	}
	c, err := Start(context.Background(), Options{Dir: dir, Fast: true})
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	fmt.Println("ready", c.Port())
	select {} // until killed
}

// TestKilledOwnerLeavesNoServer kills (SIGKILL) a process running a
// cluster: Postgres must stop by itself, and the next Start on the folder
// must succeed with the data intact.
func TestKilledOwnerLeavesNoServer(t *testing.T) {
	t.Parallel()
	dir := clusterDir(t)
	cmd := osexec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
	cmd.Env = append(os.Environ(), "PGCLUSTER_HELPER_DIR="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, _ := bufio.NewReader(out).ReadString('\n')
	if !strings.HasPrefix(line, "ready ") {
		cmd.Process.Kill()
		t.Fatalf("helper: %q", line)
	}
	var port int
	fmt.Sscanf(line, "ready %d", &port)
	url := fmt.Sprintf("postgres://postgres@127.0.0.1:%d/portal?sslmode=disable", port)
	execSQL(t, url, "CREATE TABLE survived (v int)")
	pid, _, running := runningPostmaster(filepath.Join(dir, "data"))
	if !running {
		t.Fatal("no postmaster.pid while the helper runs")
	}

	cmd.Process.Kill()
	cmd.Wait()

	c, err := Start(t.Context(), Options{Dir: dir, Fast: true})
	if err != nil {
		t.Fatalf("start after the owner was killed: %v", err)
	}
	defer c.Stop(context.Background())
	// It removed postmaster.pid as its last act; allow it a moment to exit
	// (and its new parent to reap it).
	deadline := time.Now().Add(5 * time.Second)
	for alive(pid) && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if alive(pid) {
		t.Errorf("the killed owner's postgres (pid %d) still runs", pid)
	}
	execSQL(t, c.DatabaseURL(), "INSERT INTO survived VALUES (1)")
}

// alive reports whether pid is a live (not zombie) process.
func alive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return syscall.Kill(pid, 0) == nil
	}
	// The state follows the parenthesised command name.
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	return len(f) > 0 && f[0] != "Z" && f[0] != "X"
}
