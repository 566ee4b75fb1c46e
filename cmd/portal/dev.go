package main

import (
	"context"
	"errors"
)

// cmdDev is a placeholder until its issue lands.
func cmdDev(ctx context.Context, e env) error {
	return errors.New("dev: not implemented yet")
}
