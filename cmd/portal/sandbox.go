package main

import (
	"context"
	"errors"
)

// cmdSandbox is a placeholder until its issue lands.
func cmdSandbox(ctx context.Context, e env) error {
	return errors.New("sandbox: not implemented yet")
}
