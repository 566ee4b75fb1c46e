package handlers

import (
	"net/http"

	"github.com/go-chi/chi/v5"
)

// routes is the whole URL surface of the portal.
func (s *Server) routes() http.Handler {
	r := chi.NewRouter()
	r.Get("/healthz", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) })
	return r
}
