package sandbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"
)

// persistDelay debounces state-file writes.
const persistDelay = 500 * time.Millisecond

type snapshot struct {
	Version int       `json:"version"`
	Now     time.Time `json:"now"`
	RNG     []byte    `json:"rng"`
	State   *state    `json:"state"`
}

type persister struct {
	s     *Sandbox
	path  string
	mu    sync.Mutex
	timer *time.Timer
	done  bool
	last  atomic.Int64 // nanoseconds the last save took
}

func newPersister(s *Sandbox, path string) *persister { return &persister{s: s, path: path} }

// mark schedules a save. After close (a request still draining during
// shutdown changed state) it saves at once.
func (p *persister) mark() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.done {
		if err := p.save(); err != nil {
			p.s.log.Error("sandbox: save state", "path", p.path, "err", err)
		}
		return
	}
	if p.timer != nil {
		return
	}
	// Big states (bulk seeds) take long to write; save less often then.
	p.timer = time.AfterFunc(max(persistDelay, 4*time.Duration(p.last.Load())), func() {
		p.mu.Lock()
		p.timer = nil
		p.mu.Unlock()
		if err := p.save(); err != nil {
			p.s.log.Error("sandbox: save state", "path", p.path, "err", err)
		}
	})
}

func (p *persister) close() error {
	p.mu.Lock()
	p.done = true
	if p.timer != nil {
		p.timer.Stop()
		p.timer = nil
	}
	p.mu.Unlock()
	return p.save()
}

// save writes the state atomically (temp file + rename).
func (p *persister) save() error {
	start := time.Now()
	defer func() { p.last.Store(int64(time.Since(start))) }()
	s := p.s
	s.mu.RLock()
	rng, _ := s.pcg.MarshalBinary()
	b, err := json.Marshal(snapshot{Version: 1, Now: s.clock.Now(), RNG: rng, State: s.st})
	s.mu.RUnlock()
	if err != nil {
		return fmt.Errorf("encode state: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(p.path), ".sandbox-state-*")
	if err != nil {
		return fmt.Errorf("save state: %w", err)
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("save state: %w", err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("save state: %w", err)
	}
	if err := os.Rename(tmp.Name(), p.path); err != nil {
		return fmt.Errorf("save state: %w", err)
	}
	s.log.Debug("sandbox: state saved", "path", p.path, "bytes", len(b))
	return nil
}

// loadState reads a snapshot; it reports false when the file does not exist.
func (s *Sandbox) loadState(path string) (bool, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	var snap snapshot
	if err := json.Unmarshal(b, &snap); err != nil {
		return false, fmt.Errorf("decode: %w", err)
	}
	if snap.State == nil {
		return false, errors.New("decode: no state in file")
	}
	st := snap.State
	if st.Customers == nil {
		st.Customers = map[string]*customer{}
	}
	if st.Domains == nil {
		st.Domains = map[string]string{}
	}
	if st.Orders == nil {
		st.Orders = map[string]*order{}
	}
	if st.Subs == nil {
		st.Subs = map[string]*subscription{}
	}
	if st.Carts == nil {
		st.Carts = map[string]*cart{}
	}
	s.st = st
	if len(snap.RNG) > 0 {
		if err := s.pcg.UnmarshalBinary(snap.RNG); err != nil {
			return false, fmt.Errorf("decode rng: %w", err)
		}
	}
	s.clock.set(snap.Now)
	s.log.Info("sandbox: state loaded", "path", path, "customers", len(st.Customers), "subscriptions", len(st.Subs))
	return true, nil
}
