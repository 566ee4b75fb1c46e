package main

import (
	"context"
	"errors"
)

// cmdUser is a placeholder until its issue lands.
func cmdUser(ctx context.Context, e env) error {
	return errors.New("user: not implemented yet")
}
