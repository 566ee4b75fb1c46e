package main

import (
	"context"
	"errors"
)

// cmdSync is a placeholder until its issue lands.
func cmdSync(ctx context.Context, e env) error {
	return errors.New("sync: not implemented yet")
}
