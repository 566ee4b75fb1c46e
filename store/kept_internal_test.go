package store

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestKeptComputesOnceAndServesThePreviousValueMeanwhile(t *testing.T) {
	t.Parallel()
	k := kept[string, int]{ttl: time.Hour}
	var loads atomic.Int32
	release := make(chan struct{})
	load := func(context.Context) (int, error) {
		n := loads.Add(1)
		<-release
		return int(n), nil
	}
	// Many callers at once with nothing computed yet: one load, all wait.
	var wg sync.WaitGroup
	got := make([]int, 20)
	for i := range got {
		wg.Go(func() { got[i], _ = k.get(t.Context(), "a", 1, load) })
	}
	time.Sleep(50 * time.Millisecond)
	close(release)
	wg.Wait()
	for i, v := range got {
		if v != 1 {
			t.Fatalf("caller %d got %d, want the one load's 1", i, v)
		}
	}
	if n := loads.Load(); n != 1 {
		t.Fatalf("%d loads, want 1", n)
	}
	// Within the ttl and the same version: no load.
	if v, _ := k.get(t.Context(), "a", 1, load); v != 1 || loads.Load() != 1 {
		t.Fatalf("fresh value: got %d after %d loads", v, loads.Load())
	}
	// A new version is computed (and waited for), never served stale.
	if v, _ := k.get(t.Context(), "a", 2, load); v != 2 {
		t.Fatalf("new version: got %d, want 2", v)
	}
	// Expired: while one caller refreshes, another gets the previous value.
	k.mu.Lock()
	k.m["a"].at = time.Now().Add(-2 * time.Hour)
	k.mu.Unlock()
	release2 := make(chan struct{})
	slow := func(context.Context) (int, error) { <-release2; return 3, nil }
	done := make(chan int)
	go func() { v, _ := k.get(t.Context(), "a", 2, slow); done <- v }()
	time.Sleep(50 * time.Millisecond)
	if v, _ := k.get(t.Context(), "a", 2, slow); v != 2 {
		t.Fatalf("during the refresh: got %d, want the previous 2", v)
	}
	close(release2)
	if v := <-done; v != 3 {
		t.Fatalf("refresh returned %d, want 3", v)
	}
}
