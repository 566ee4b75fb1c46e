package handlers_test

import (
	"bytes"
	"net/http"
	"testing"
	"time"

	"github.com/cspportal/portal/auth"
)

// sessionRow is a session as stored.
type sessionRow struct {
	data   []byte
	expiry time.Time
	userID *int64
}

func (e *env) sessionRow(token string) (sessionRow, bool) {
	e.t.Helper()
	var r sessionRow
	err := e.st.Pool.QueryRow(e.t.Context(), "SELECT data, expiry, user_id FROM sessions WHERE token = $1", token).Scan(&r.data, &r.expiry, &r.userID)
	if err != nil {
		return r, false
	}
	return r, true
}

func setCookie(resp *http.Response) *http.Cookie {
	for _, c := range resp.Cookies() {
		if c.Name == "portal_session" {
			return c
		}
	}
	return nil
}

// A signed-in GET reads the session and writes nothing: no UPDATE per
// request, no Set-Cookie.
func TestSessionNotWrittenOnPlainGET(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	u := e.createUser("staff", "sam@example.com")
	e.completeSetup()
	c := e.client()
	e.login(c, "sam@example.com")
	token := sessionCookie(c, e.ts.URL).Value
	before, ok := e.sessionRow(token)
	if !ok {
		t.Fatal("no session row after sign-in")
	}
	if before.userID == nil || *before.userID != u.ID {
		t.Fatalf("session row user_id = %v, want %d", before.userID, u.ID)
	}
	for _, path := range []string{"/", "/customers", "/catalog"} {
		p := e.get(c, path)
		if p.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d", path, p.StatusCode)
		}
		if ck := setCookie(p.Response); ck != nil {
			t.Errorf("GET %s set the session cookie again", path)
		}
	}
	after, _ := e.sessionRow(token)
	if !after.expiry.Equal(before.expiry) || !bytes.Equal(after.data, before.data) {
		t.Errorf("session row written by plain GETs: expiry %v -> %v", before.expiry, after.expiry)
	}
}

// Once the stored idle deadline is more than SessionTouchInterval old, the
// next request moves it (and the cookie's expiry) SessionIdleTimeout ahead;
// a session idle past its deadline is gone.
func TestSessionIdleDeadlineExtends(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createUser("staff", "sam@example.com")
	e.completeSetup()
	c := e.client()
	e.login(c, "sam@example.com")
	token := sessionCookie(c, e.ts.URL).Value
	ctx := t.Context()

	// As if the last write was five minutes ago.
	if _, err := e.st.Pool.Exec(ctx, "UPDATE sessions SET expiry = expiry - interval '5 minutes' WHERE token = $1", token); err != nil {
		t.Fatal(err)
	}
	e.settle()
	aged, _ := e.sessionRow(token)
	p := e.get(c, "/")
	if p.StatusCode != http.StatusOK {
		t.Fatalf("GET /: %d", p.StatusCode)
	}
	moved, _ := e.sessionRow(token)
	if d := moved.expiry.Sub(aged.expiry); d < 4*time.Minute {
		t.Fatalf("idle deadline moved by %v, want about 5 minutes", d)
	}
	if left := time.Until(moved.expiry); left < auth.SessionIdleTimeout-time.Minute || left > auth.SessionIdleTimeout+time.Second {
		t.Errorf("idle deadline in %v, want %v", left, auth.SessionIdleTimeout)
	}
	ck := setCookie(p.Response)
	if ck == nil || ck.Value != token {
		t.Fatalf("touch did not resend the same session cookie: %v", ck)
	}
	if left := time.Until(ck.Expires); left < auth.SessionIdleTimeout-time.Minute || left > auth.SessionIdleTimeout+2*time.Second {
		t.Errorf("cookie expires in %v, want %v", left, auth.SessionIdleTimeout)
	}
	// Right after the touch, requests write nothing again.
	e.get(c, "/")
	if again, _ := e.sessionRow(token); !again.expiry.Equal(moved.expiry) {
		t.Errorf("session written again right after a touch: %v -> %v", moved.expiry, again.expiry)
	}

	// Idle past the deadline: signed out.
	if _, err := e.st.Pool.Exec(ctx, "UPDATE sessions SET expiry = now() - interval '1 second' WHERE token = $1", token); err != nil {
		t.Fatal(err)
	}
	e.settle()
	if p := e.get(c, "/"); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("idle-expired session: status %d", p.StatusCode)
	}
}

// Revocation is immediate: a deleted session row, a signed-out session, a
// disabled or deleted user and a demotion all take effect on the very next
// request (nothing about the session or its user is cached).
func TestSessionRevocationImmediate(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createUser("staff", "sam@example.com")
	kim := e.createUser("staff", "kim@example.com")
	lee := e.createUser("staff", "lee@example.com")
	e.completeSetup()
	ctx := t.Context()

	// Session row deleted (another device's sign-out, an admin's revoke).
	c := e.client()
	e.login(c, "sam@example.com")
	if p := e.get(c, "/customers"); p.StatusCode != http.StatusOK {
		t.Fatalf("signed in: %d", p.StatusCode)
	}
	if _, err := e.st.Pool.Exec(ctx, "DELETE FROM sessions WHERE token = $1", sessionCookie(c, e.ts.URL).Value); err != nil {
		t.Fatal(err)
	}
	e.settle()
	if p := e.get(c, "/customers"); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("deleted session: status %d", p.StatusCode)
	}

	// Sign-out from a second browser of the same session.
	c1, c2 := e.client(), e.client()
	e.login(c1, "sam@example.com")
	ck := sessionCookie(c1, e.ts.URL)
	c2.Jar.SetCookies(mustURL(e.ts.URL), []*http.Cookie{{Name: ck.Name, Value: ck.Value}})
	if p := e.get(c2, "/customers"); p.StatusCode != http.StatusOK {
		t.Fatalf("shared session: %d", p.StatusCode)
	}
	e.post(c1, "/logout", nil)
	if p := e.get(c2, "/customers"); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("session used after sign-out: status %d", p.StatusCode)
	}

	// Demoted to customer: staff pages refused at once.
	c3 := e.client()
	e.login(c3, "kim@example.com")
	if p := e.get(c3, "/customers"); p.StatusCode != http.StatusOK {
		t.Fatalf("staff: %d", p.StatusCode)
	}
	if _, err := e.st.Pool.Exec(ctx, "UPDATE users SET role = 'customer', customer_id = gen_random_uuid(), customer_via = 'invitation' WHERE id = $1", kim.ID); err != nil {
		t.Fatal(err)
	}
	e.settle()
	if p := e.get(c3, "/customers"); p.StatusCode != http.StatusForbidden {
		t.Fatalf("demoted user on staff page: status %d", p.StatusCode)
	}

	// Deleted user: its sessions go with it.
	c4 := e.client()
	e.login(c4, "lee@example.com")
	token := sessionCookie(c4, e.ts.URL).Value
	if _, err := e.st.Pool.Exec(ctx, "DELETE FROM users WHERE id = $1", lee.ID); err != nil {
		t.Fatal(err)
	}
	e.settle()
	if _, ok := e.sessionRow(token); ok {
		t.Error("session row left after its user was deleted")
	}
	if p := e.get(c4, "/customers"); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("deleted user: status %d", p.StatusCode)
	}
}

// A session written before sessions recorded their user still works, and
// the next request records the user with it.
func TestSessionWithoutRecordedUser(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	u := e.createUser("staff", "sam@example.com")
	e.completeSetup()
	c := e.client()
	e.login(c, "sam@example.com")
	token := sessionCookie(c, e.ts.URL).Value
	if _, err := e.st.Pool.Exec(t.Context(), "UPDATE sessions SET user_id = NULL WHERE token = $1", token); err != nil {
		t.Fatal(err)
	}
	e.settle()
	if p := e.get(c, "/customers"); p.StatusCode != http.StatusOK {
		t.Fatalf("session without user_id: %d", p.StatusCode)
	}
	if r, _ := e.sessionRow(token); r.userID == nil || *r.userID != u.ID {
		t.Errorf("user not recorded with the session: %v", r.userID)
	}
}
