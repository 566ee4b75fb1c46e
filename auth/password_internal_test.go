package auth

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// TestHashPoolBounded: with every slot taken, a short queue waits and the
// rest are refused at once (ErrBusy), so a flood of sign-ins cannot start
// more 19 MiB hashes than there are slots.
func TestHashPoolBounded(t *testing.T) {
	t.Parallel()
	p := newHashPool(2) // 2 slots, a queue of 8
	p.wait = time.Second
	release := make(chan struct{})
	var running, peak int
	var mu sync.Mutex
	work := func() {
		mu.Lock()
		running++
		peak = max(peak, running)
		mu.Unlock()
		<-release
		mu.Lock()
		running--
		mu.Unlock()
	}
	var wg sync.WaitGroup
	errs := make(chan error, 50)
	for range 50 {
		wg.Go(func() { errs <- p.do(context.Background(), work) })
	}
	time.Sleep(200 * time.Millisecond)
	close(release)
	wg.Wait()
	close(errs)
	busy, ok := 0, 0
	for err := range errs {
		switch {
		case errors.Is(err, ErrBusy):
			busy++
		case err == nil:
			ok++
		default:
			t.Fatal(err)
		}
	}
	if peak != 2 || ok != 10 || busy != 40 {
		t.Fatalf("peak %d running, %d done, %d refused; want 2, 10, 40", peak, ok, busy)
	}
}
