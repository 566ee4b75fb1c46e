package handlers

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/cspportal/portal/auth"
	"github.com/cspportal/portal/store"
)

// Session keys.
const (
	sessUserID  = auth.SessionUserID
	sessRole    = "role"
	sessSetupOK = "setup_token_ok"
	sessOIDC    = "oidc_pending"
)

// markSessionLoaded notes that scs has loaded the session, so pages
// rendered outside it (e.g. a static 404) do not touch it.
func (s *Server) markSessionLoaded(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(s.withFlashSlot(context.WithValue(r.Context(), sessionLoadedKey, true))))
	})
}

func (s *Server) sessionLoaded(r *http.Request) bool {
	ok, _ := r.Context().Value(sessionLoadedKey).(bool)
	return ok
}

// loadUser puts the signed-in user into the context. The user is read
// from the database on every request (with the session, see
// auth.LoadAndSave), never cached: disabled or deleted users are signed out
// at once; a role changed since sign-in renews the session token
// (privilege change).
func (s *Server) loadUser(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		id := s.sessions.GetInt64(ctx, sessUserID)
		if id == 0 {
			next.ServeHTTP(w, r)
			return
		}
		// The session's row came with its user's current row (one query);
		// sessions written before the user was recorded with them cost a
		// second lookup.
		u, ok := auth.SessionUser(ctx)
		var err error
		if !ok || u.ID != id {
			u, err = s.st.UserByID(ctx, id)
		}
		if err != nil && !isNotFound(err) {
			s.serveError(w, r, err)
			return
		}
		if err != nil || u.DisabledAt != nil {
			if err := s.sessions.Destroy(ctx); err != nil {
				s.serveError(w, r, err)
				return
			}
			next.ServeHTTP(w, r)
			return
		}
		if role := s.sessions.GetString(ctx, sessRole); role != u.Role {
			if err := s.sessions.RenewToken(ctx); err != nil {
				s.serveError(w, r, err)
				return
			}
			s.sessions.Put(ctx, sessRole, u.Role)
		}
		next.ServeHTTP(w, r.WithContext(auth.WithUser(ctx, &u)))
	})
}

// signIn starts an authenticated session for u with a fresh token.
func (s *Server) signIn(ctx context.Context, u store.User) error {
	if err := s.sessions.RenewToken(ctx); err != nil {
		return fmt.Errorf("renew session: %w", err)
	}
	s.sessions.Put(ctx, sessUserID, u.ID)
	s.sessions.Put(ctx, sessRole, u.Role)
	if err := s.st.TouchUserLogin(ctx, u.ID); err != nil {
		return err
	}
	// Expired sessions are pruned here rather than by a background
	// goroutine, so the server owns no timers.
	if err := s.st.PruneSessions(ctx); err != nil {
		s.log.WarnContext(ctx, "prune sessions", "err", err)
	}
	return nil
}

// setupGate sends every page to /setup while no admin exists and setup is
// not complete.
func (s *Server) setupGate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.adminExists.Load() || isSetupPath(r.URL.Path) {
			next.ServeHTTP(w, r)
			return
		}
		n, err := s.st.CountAdmins(r.Context())
		if err != nil {
			s.serveError(w, r, err)
			return
		}
		if n == 0 {
			// After setup the gate stays open even if every admin was
			// disabled: the wizard is closed, and `portal user` is the way
			// back in.
			st, err := s.st.Settings(r.Context())
			if err != nil {
				s.serveError(w, r, err)
				return
			}
			if st.SetupCompletedAt != nil {
				n = 1
			}
		}
		if n > 0 {
			s.adminExists.Store(true)
			next.ServeHTTP(w, r)
			return
		}
		redirect(w, r, "/setup")
	})
}

func isSetupPath(p string) bool { return p == "/setup" || len(p) > 7 && p[:7] == "/setup/" }

func isNotFound(err error) bool { return err != nil && errors.Is(err, store.ErrNotFound) }
