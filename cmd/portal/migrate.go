package main

import (
	"context"
	"errors"
)

// cmdMigrate is a placeholder until its issue lands.
func cmdMigrate(ctx context.Context, e env) error {
	return errors.New("migrate: not implemented yet")
}
