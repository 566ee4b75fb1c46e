package handlers

import "context"

func (s *Server) prepareSetup(ctx context.Context) (string, error) {
	return "", nil
}
