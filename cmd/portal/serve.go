package main

import (
	"context"
	"errors"
)

// cmdServe is a placeholder until its issue lands.
func cmdServe(ctx context.Context, e env) error {
	return errors.New("serve: not implemented yet")
}
