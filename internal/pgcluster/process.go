package pgcluster

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// lockDir takes an exclusive, non-blocking flock on <dir>/.lock. The kernel
// releases it when the process ends, however it ends.
func lockDir(dir string) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(dir, ".lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock cluster folder: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%w: another process (a second `portal dev`?) is using %s", ErrInUse, dir)
		}
		return nil, fmt.Errorf("lock cluster folder: %w", err)
	}
	return f, nil
}

// Locked reports whether a live process holds the folder's lock, that is,
// whether a cluster there is in use. Tests use it to sweep abandoned
// temporary clusters.
func Locked(dir string) bool {
	f, err := os.Open(filepath.Join(dir, ".lock"))
	if err != nil {
		return false
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		return true
	}
	syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	return false
}

// runningPostmaster reads data/postmaster.pid and reports a live server.
// A stale file (its process gone) is not a running server; postgres itself
// clears it on the next start.
func runningPostmaster(data string) (pid, port int, ok bool) {
	b, err := os.ReadFile(filepath.Join(data, "postmaster.pid"))
	if err != nil {
		return 0, 0, false
	}
	lines := strings.Split(string(b), "\n")
	pid, err = strconv.Atoi(strings.TrimSpace(lines[0]))
	if err != nil || pid <= 0 {
		return 0, 0, false
	}
	if len(lines) > 3 {
		port, _ = strconv.Atoi(strings.TrimSpace(lines[3]))
	}
	if err := syscall.Kill(pid, 0); err != nil && !errors.Is(err, syscall.EPERM) {
		return 0, 0, false
	}
	// The pid may have been reused by an unrelated process.
	if exe, err := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid)); err == nil && !strings.Contains(filepath.Base(exe), "postgres") {
		return 0, 0, false
	}
	return pid, port, true
}

// runAs returns the credential to run initdb and postgres with: nil when
// not root; otherwise the "postgres" (or "nobody") user, after handing dir
// over to it and checking it can reach dir.
func runAs(dir string) (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	var u *user.User
	var err error
	for _, name := range []string{"postgres", "nobody"} {
		if u, err = user.Lookup(name); err == nil {
			break
		}
	}
	if err != nil {
		return nil, errors.New("running as root, but PostgreSQL refuses to run as root and no unprivileged user " +
			"(postgres or nobody) exists; create one (apt-get install postgresql creates postgres) or run as a normal user")
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	if err := chownTree(dir, uid, gid); err != nil {
		return nil, fmt.Errorf("hand %s to user %s: %w", dir, u.Username, err)
	}
	if blocked := unreachable(dir, uint32(uid), uint32(gid)); blocked != "" {
		return nil, fmt.Errorf("running as root, the private cluster runs as user %s, which cannot enter %s "+
			"(no search permission); choose a data folder it can reach (e.g. under /srv or /tmp) or chmod o+x %s",
			u.Username, blocked, blocked)
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), Groups: []uint32{}}, nil
}

// chownTree gives dir and everything below to uid:gid, skipping the walk
// when dir already belongs to them (the usual second start).
func chownTree(dir string, uid, gid int) error {
	if st, ok := statOwner(dir); ok && st.Uid == uint32(uid) && st.Gid == uint32(gid) {
		if st2, ok := statOwner(filepath.Join(dir, "data")); !ok || st2.Uid == uint32(uid) {
			return nil
		}
	}
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, uid, gid)
	})
}

func statOwner(p string) (*syscall.Stat_t, bool) {
	fi, err := os.Stat(p)
	if err != nil {
		return nil, false
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	return st, ok
}

// unreachable returns the first ancestor of dir that uid:gid cannot search,
// or "".
func unreachable(dir string, uid, gid uint32) string {
	for p := filepath.Dir(dir); ; p = filepath.Dir(p) {
		st, ok := statOwner(p)
		if ok {
			mode := st.Mode
			var can bool
			switch {
			case st.Uid == uid:
				can = mode&0o100 != 0
			case st.Gid == gid:
				can = mode&0o010 != 0
			default:
				can = mode&0o001 != 0
			}
			if !can {
				return p
			}
		}
		if p == "/" || p == "." {
			return ""
		}
	}
}
