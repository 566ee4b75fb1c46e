package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cspportal/portal/store"
)

// Session lifetimes.
const (
	// SessionIdleTimeout ends a session after this long without a request.
	// The deadline is written at most once per SessionTouchInterval, so a
	// session ends between SessionIdleTimeout-SessionTouchInterval and
	// SessionIdleTimeout after its last request.
	SessionIdleTimeout = 30 * time.Minute
	// SessionTouchInterval is how stale the stored idle deadline may get
	// before a request moves it: a busy session costs one write per
	// interval instead of one per request.
	SessionTouchInterval = time.Minute
	// SessionLifetime ends a session this long after it started, active
	// or not.
	SessionLifetime = 12 * time.Hour
)

// Session keys.
const (
	SessionUserID = "user_id"
)

// NewSessionManager returns an scs manager storing sessions in the sessions
// table (see SessionStore). Cookies are HttpOnly, SameSite=Lax, and Secure
// when secure is true. Serve it through LoadAndSave, not its own
// LoadAndSave method: the idle timeout is kept there. With a cache, signed-in
// requests find their session in memory while the cache listens (see
// store.SessionCache); nil reads every session from the database.
func NewSessionManager(pool *pgxpool.Pool, secure bool, cache *store.SessionCache) *scs.SessionManager {
	sm := scs.New()
	sm.Codec = newMemoCodec(sm.Codec)
	sm.Store = &SessionStore{st: store.New(pool), codec: sm.Codec, cache: cache}
	// scs's own idle timeout marks every loaded session modified, so every
	// request would write its row (and wait for the WAL flush).
	// SessionStore and LoadAndSave keep the idle deadline instead.
	sm.IdleTimeout = 0
	sm.Lifetime = SessionLifetime
	sm.Cookie.Name = "portal_session"
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Secure = secure
	sm.Cookie.Path = "/"
	return sm
}

// SessionStore is the scs store over the sessions table. A row's expiry is
// its idle deadline: the earlier of the session's absolute deadline and
// SessionIdleTimeout after the write. It records the signed-in user with
// the row, so loading a session also loads its user (one round trip), and
// deleting a user deletes its sessions.
type SessionStore struct {
	st    *store.Store
	codec scs.Codec
	cache *store.SessionCache // nil: none
}

var _ scs.CtxStore = (*SessionStore)(nil)

// FindCtx returns the live session's data; inside LoadAndSave it also
// records the row (idle deadline, user) for SessionUser and the idle
// deadline check.
func (p *SessionStore) FindCtx(ctx context.Context, token string) ([]byte, bool, error) {
	find := p.st.FindSession
	if p.cache != nil {
		find = p.cache.FindSession
	}
	row, err := find(ctx, token)
	if errors.Is(err, store.ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	if l, _ := ctx.Value(loadedKey{}).(*loadedSession); l != nil {
		l.found, l.row = true, row
	}
	return row.Data, true, nil
}

// CommitCtx writes the session with its idle deadline and signed-in user.
func (p *SessionStore) CommitCtx(ctx context.Context, token string, b []byte, deadline time.Time) error {
	_, values, err := p.codec.Decode(b)
	if err != nil {
		return fmt.Errorf("commit session: %w", err)
	}
	uid, _ := values[SessionUserID].(int64)
	err = p.st.CommitSession(ctx, token, b, idleExpiry(deadline, time.Now(), SessionIdleTimeout), uid)
	p.forget(token)
	return err
}

// DeleteCtx deletes the session.
func (p *SessionStore) DeleteCtx(ctx context.Context, token string) error {
	err := p.st.DeleteSession(ctx, token)
	p.forget(token)
	return err
}

// forget drops a session this instance wrote from the cache at once, not
// when the notification arrives: the response that follows must not be
// answered with the old session.
func (p *SessionStore) forget(token string) {
	if p.cache != nil {
		p.cache.Forget(token)
	}
}

// Find is FindCtx without a context.
func (p *SessionStore) Find(token string) ([]byte, bool, error) {
	return p.FindCtx(context.Background(), token)
}

// Commit is CommitCtx without a context.
func (p *SessionStore) Commit(token string, b []byte, deadline time.Time) error {
	return p.CommitCtx(context.Background(), token, b, deadline)
}

// Delete is DeleteCtx without a context.
func (p *SessionStore) Delete(token string) error {
	return p.DeleteCtx(context.Background(), token)
}

func idleExpiry(deadline, now time.Time, idle time.Duration) time.Time {
	if e := now.Add(idle); e.Before(deadline) {
		return e
	}
	return deadline
}

// idleStale reports whether a request at now should move a session's
// stored idle deadline: writing it now would move it by at least
// SessionTouchInterval (never past the session's absolute deadline).
func idleStale(deadline, stored, now time.Time) bool {
	return idleExpiry(deadline, now, SessionIdleTimeout).Sub(stored) >= SessionTouchInterval
}

type loadedKey struct{}

// loadedSession is what FindCtx found for the request.
type loadedSession struct {
	found bool
	row   store.SessionRow
}

// LoadAndSave is the session middleware for a manager from
// NewSessionManager, in place of scs's own LoadAndSave. It loads the
// request's session (and its user, see SessionUser) and writes the row
// back only when the session changed or its idle deadline is more than
// SessionTouchInterval old: a plain GET reads one row and writes nothing.
// The cookie, when written, expires with the idle deadline.
func LoadAndSave(sm *scs.SessionManager) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Add("Vary", "Cookie")
			var token string
			if c, err := r.Cookie(sm.Cookie.Name); err == nil {
				token = c.Value
			}
			l := &loadedSession{}
			ctx, err := sm.Load(context.WithValue(r.Context(), loadedKey{}, l), token)
			if err != nil {
				sm.ErrorFunc(w, r, err)
				return
			}
			if l.found {
				if idleStale(sm.Deadline(ctx), l.row.Expiry, time.Now()) || sm.GetInt64(ctx, SessionUserID) != l.row.UserID {
					// Mark the session modified (same deadline): it is
					// committed, which moves the idle deadline and records
					// the signed-in user with the row.
					sm.SetDeadline(ctx, sm.Deadline(ctx))
				}
			}
			r = r.WithContext(ctx)
			sw := &sessionWriter{ResponseWriter: w, sm: sm, r: r}
			next.ServeHTTP(sw, r)
			sw.save()
		})
	}
}

// sessionWriter saves the session before the response's header goes out.
type sessionWriter struct {
	http.ResponseWriter
	sm     *scs.SessionManager
	r      *http.Request
	saved  bool
	failed bool // saving failed and the error page was written instead
}

func (sw *sessionWriter) save() {
	if sw.saved {
		return
	}
	sw.saved = true
	ctx := sw.r.Context()
	if st, _ := sw.sm.Store.(*SessionStore); st != nil && st.cache != nil && !safeMethod(sw.r.Method) {
		// Before the response goes out, so the request the browser
		// sends next finds this one's changes.
		st.cache.AfterWrite(ctx)
	}
	switch sw.sm.Status(ctx) {
	case scs.Modified:
		token, deadline, err := sw.sm.Commit(ctx)
		if err != nil {
			sw.failed = true
			sw.sm.ErrorFunc(sw.ResponseWriter, sw.r, err)
			return
		}
		sw.sm.WriteSessionCookie(ctx, sw.ResponseWriter, token, idleExpiry(deadline, time.Now(), SessionIdleTimeout))
	case scs.Destroyed:
		sw.sm.WriteSessionCookie(ctx, sw.ResponseWriter, "", time.Time{})
	}
}

func (sw *sessionWriter) WriteHeader(code int) {
	if sw.save(); !sw.failed {
		sw.ResponseWriter.WriteHeader(code)
	}
}

func (sw *sessionWriter) Write(b []byte) (int, error) {
	if sw.save(); sw.failed {
		return len(b), nil
	}
	return sw.ResponseWriter.Write(b)
}

// Flush sends the session cookie (if any) with the header, then flushes.
func (sw *sessionWriter) Flush() {
	if sw.save(); !sw.failed {
		_ = http.NewResponseController(sw.ResponseWriter).Flush()
	}
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (sw *sessionWriter) Unwrap() http.ResponseWriter { return sw.ResponseWriter }

// foundRow is the session row loaded for the request, nil when there is
// none (no session, or not found).
func foundRow(ctx context.Context) *store.SessionRow {
	if l, _ := ctx.Value(loadedKey{}).(*loadedSession); l != nil && l.found {
		return &l.row
	}
	return nil
}

// SessionUser returns the signed-in user loaded with the request's session
// (the users row as of this request), if the session records one. Callers
// compare its ID with the session's SessionUserID value.
func SessionUser(ctx context.Context) (store.User, bool) {
	r := foundRow(ctx)
	if r == nil || r.User == nil {
		return store.User{}, false
	}
	return *r.User, true
}

// SessionInstance returns the settings loaded with a signed-in user's
// session (see store.Instance), so a page reads them without a query.
func SessionInstance(ctx context.Context) (store.Instance, bool) {
	r := foundRow(ctx)
	if r == nil || r.Instance == nil {
		return store.Instance{}, false
	}
	return *r.Instance, true
}

// SessionCustomerName returns the name of a customer user's customer,
// loaded with their session, when that customer is id and the mirror
// holds it, so their pages need no query for their heading.
func SessionCustomerName(ctx context.Context, id uuid.UUID) (string, bool) {
	r := foundRow(ctx)
	if r == nil || r.User == nil || r.User.CustomerID == nil || *r.User.CustomerID != id || !r.CustomerFound {
		return "", false
	}
	return r.CustomerName, true
}

// safeMethod reports whether a request of this method changes nothing.
func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}
