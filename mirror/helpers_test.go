package mirror_test

import (
	"log/slog"
	"testing"

	"github.com/cspportal/portal/internal/sandboxtest"
	"github.com/cspportal/portal/pccclient/sandbox"
)

// tenv is a sandbox over real HTTP, a fresh database and the portal's
// background side on both.
type tenv = sandboxtest.Env

func newEnv(t testing.TB, so sandbox.Options, o sandboxtest.StackOptions) *tenv {
	t.Helper()
	return sandboxtest.NewEnv(t, so, o)
}

func testLogger() *slog.Logger { return sandboxtest.Logger() }
