package commerce_test

import (
	"context"
	"testing"
	"time"

	"github.com/cspportal/portal/commerce"
	"github.com/cspportal/portal/internal/sandboxtest"
	"github.com/cspportal/portal/pccclient/sandbox"
	"github.com/cspportal/portal/store"
)

// tenv is a sandbox over real HTTP, a fresh database and the portal's
// background side on both.
type tenv = sandboxtest.Env

func newEnv(t testing.TB, so sandbox.Options) *tenv {
	t.Helper()
	return sandboxtest.NewEnv(t, so, sandboxtest.StackOptions{})
}

// enqueue queues cmd for delivery (the workers deliver it when started).
func enqueue(e *tenv, cmd commerce.Command) int64 {
	e.T.Helper()
	id, err := e.Commerce.Enqueue(context.Background(), cmd)
	if err != nil {
		e.T.Fatalf("enqueue %s: %v", cmd.Kind, err)
	}
	return id
}

// waitCommand waits until command id has status (and fails the test when
// it ends otherwise).
func waitCommand(e *tenv, id int64, status string) store.Command {
	e.T.Helper()
	deadline := time.Now().Add(25 * time.Second)
	for {
		c, err := e.Store.Command(context.Background(), id)
		if err != nil {
			e.T.Fatalf("command %d: %v", id, err)
		}
		if c.Status == status {
			return c
		}
		if c.Status == commerce.CommandFailed || c.Status == commerce.CommandSucceeded || time.Now().After(deadline) {
			e.T.Fatalf("command %d is %s (attempts %d, error %q), want %s", id, c.Status, c.Attempts, c.LastError, status)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func staff(label string) commerce.Actor { return commerce.Actor{Label: label} }
