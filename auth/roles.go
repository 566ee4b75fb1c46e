package auth

import (
	"context"
	"net/http"
	"net/url"
	"slices"

	"github.com/cspportal/portal/store"
)

// Roles, as stored in users.role.
const (
	RoleAdmin    = store.RoleAdmin
	RoleStaff    = store.RoleStaff
	RoleCustomer = store.RoleCustomer
	RoleReseller = store.RoleReseller
)

type userKey struct{}

// WithUser returns ctx carrying the signed-in user.
func WithUser(ctx context.Context, u *store.User) context.Context {
	return context.WithValue(ctx, userKey{}, u)
}

// UserFrom returns the signed-in user, or nil for anonymous requests.
func UserFrom(ctx context.Context) *store.User {
	u, _ := ctx.Value(userKey{}).(*store.User)
	return u
}

// HasRole reports whether u is signed in with one of roles.
func HasRole(u *store.User, roles ...string) bool {
	return u != nil && slices.Contains(roles, u.Role)
}

// RequireRole lets through requests whose user has one of roles. Anonymous
// requests are redirected to /login?next=<path>; signed-in users with
// another role get forbidden (the 403 page).
func RequireRole(forbidden http.Handler, roles ...string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			u := UserFrom(r.Context())
			switch {
			case u == nil:
				target := "/login?next=" + url.QueryEscape(r.URL.RequestURI())
				if r.Header.Get("HX-Request") == "true" {
					w.Header().Set("HX-Redirect", target)
					w.WriteHeader(http.StatusUnauthorized)
					return
				}
				http.Redirect(w, r, target, http.StatusSeeOther)
			case !HasRole(u, roles...):
				forbidden.ServeHTTP(w, r)
			default:
				next.ServeHTTP(w, r)
			}
		})
	}
}

// SafeNext returns next when it is a local path (so a crafted ?next= cannot
// send a user to another site after sign-in), else "/".
func SafeNext(next string) string {
	if next == "" || next[0] != '/' || len(next) > 1 && (next[1] == '/' || next[1] == '\\') {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" {
		return "/"
	}
	return next
}
