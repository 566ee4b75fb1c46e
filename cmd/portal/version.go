package main

import (
	"context"
	"errors"
)

// cmdVersion is a placeholder until its issue lands.
func cmdVersion(ctx context.Context, e env) error {
	return errors.New("version: not implemented yet")
}
