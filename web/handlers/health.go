package handlers

import (
	"context"
	"fmt"
	"net/http"
	"time"
)

// healthz says the process is up.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	fmt.Fprint(w, "ok")
}

// readyz says the database answers and its migrations are current.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	if err := s.st.Ping(ctx); err != nil {
		s.log.Warn("readyz: database unreachable", "err", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprint(w, "database unreachable")
		return
	}
	m, err := s.st.MigrationState(ctx)
	if err != nil {
		s.log.Warn("readyz: migration status", "err", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprint(w, "migration status unknown")
		return
	}
	if m.Pending > 0 {
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintf(w, "%d migration(s) pending (database at %d, latest %d)", m.Pending, m.Current, m.Latest)
		return
	}
	fmt.Fprint(w, "ready")
}
