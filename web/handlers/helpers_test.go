package handlers_test

import (
	"bytes"
	"context"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alexedwards/argon2id"
	"github.com/google/uuid"

	"github.com/cspportal/portal/auth"
	"github.com/cspportal/portal/internal/secrets"
	"github.com/cspportal/portal/internal/testdb"
	"github.com/cspportal/portal/store"
	"github.com/cspportal/portal/web/handlers"
)

// lockedBuffer collects log output from concurrent requests.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// env is a portal on a fresh database behind a real HTTP server.
type env struct {
	t    *testing.T
	srv  *handlers.Server
	ts   *httptest.Server
	st   *store.Store
	box  *secrets.Box
	logs *lockedBuffer
	// sessions is the running session cache, as the binary has it.
	sessions *store.SessionCache
}

// newEnv starts a portal; mod may adjust its Deps.
func newEnv(t *testing.T, mod ...func(*handlers.Deps)) *env {
	t.Helper()
	st := testdb.NewStore(t)
	key, _ := secrets.ParseKey(secrets.GenerateKey())
	box, err := secrets.New(key)
	if err != nil {
		t.Fatal(err)
	}
	logs := &lockedBuffer{}
	var h http.Handler
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	t.Cleanup(ts.Close)
	d := handlers.Deps{
		Store:        st,
		Logger:       slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		SecretBox:    box,
		BaseURL:      ts.URL,
		Version:      "test",
		SessionCache: runSessionCache(t, st),
	}
	for _, m := range mod {
		m(&d)
	}
	srv, err := handlers.New(d)
	if err != nil {
		t.Fatal(err)
	}
	h = srv.Routes()
	return &env{t: t, srv: srv, ts: ts, st: st, box: box, logs: logs, sessions: d.SessionCache}
}

// runSessionCache starts a session cache on st, as the binary does, and
// waits until it listens.
func runSessionCache(t *testing.T, st *store.Store) *store.SessionCache {
	t.Helper()
	c := store.NewSessionCache(st, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); c.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	for deadline := time.Now().Add(10 * time.Second); !c.Live(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("session cache: not listening after 10s")
		}
	}
	return c
}

// settle waits until the session cache has seen every change committed so
// far: a test writing sessions or users behind the portal's back calls it
// before the request that must see the change.
func (e *env) settle() {
	e.t.Helper()
	if e.sessions == nil {
		return
	}
	if err := e.sessions.Settle(e.t.Context()); err != nil {
		e.t.Fatal(err)
	}
}

// client returns a browser-like client with its own cookie jar that does
// not follow redirects (tests look at them).
func (e *env) client() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// page is a response with its body read.
type page struct {
	*http.Response
	body string
}

func (p page) location() string { return p.Header.Get("Location") }

func (e *env) do(c *http.Client, req *http.Request) page {
	e.t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return page{resp, string(b)}
}

func (e *env) get(c *http.Client, path string) page {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, e.ts.URL+path, nil)
	return e.do(c, req)
}

func (e *env) post(c *http.Client, path string, form url.Values, headers ...string) page {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.ts.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return e.do(c, req)
}

const testPassword = "correct horse battery staple"

// testHash is testPassword's argon2id hash with cheap parameters: the
// parameters travel in the hash, so every sign-in in the tests verifies
// quickly (the production parameters are deliberately slow, and slower
// still under -race).
var testHash = sync.OnceValue(func() string {
	h, err := argon2id.CreateHash(testPassword, &argon2id.Params{Memory: 1024, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32})
	if err != nil {
		panic(err)
	}
	if ok, err := auth.CheckPassword(context.Background(), testPassword, h); !ok || err != nil {
		panic("auth.CheckPassword does not accept an argon2id hash")
	}
	return h
})

// createUser adds an account directly in the database.
func (e *env) createUser(role, email string) store.User {
	e.t.Helper()
	nu := store.NewUser{Email: email, DisplayName: strings.Split(email, "@")[0], Role: role, PasswordHash: testHash()}
	if role == store.RoleCustomer {
		id := uuid.New()
		nu.CustomerID, nu.CustomerVia = &id, "invitation"
	}
	u, err := e.st.CreateUser(e.t.Context(), nu)
	if err != nil {
		e.t.Fatal(err)
	}
	return u
}

// login signs c in with the test password and fails the test otherwise.
func (e *env) login(c *http.Client, email string) {
	e.t.Helper()
	p := e.post(c, "/login", url.Values{"email": {email}, "password": {testPassword}})
	if p.StatusCode != http.StatusSeeOther {
		e.t.Fatalf("login %s: status %d\n%s", email, p.StatusCode, p.body)
	}
}

// completeSetup marks the wizard done (for tests that don't walk it).
func (e *env) completeSetup() {
	e.t.Helper()
	if err := e.st.CompleteSetup(e.t.Context()); err != nil {
		e.t.Fatal(err)
	}
}

var testIDRe = regexp.MustCompile(`data-testid="([^"]+)"`)

// hasTestID reports whether the page has an element with data-testid id.
func hasTestID(body, id string) bool {
	for _, m := range testIDRe.FindAllStringSubmatch(body, -1) {
		if m[1] == id {
			return true
		}
	}
	return false
}

// testIDText is the text of the element with data-testid id, up to its
// first tag ("" when the page has none).
func testIDText(body, id string) string {
	_, after, ok := strings.Cut(body, `data-testid="`+id+`"`)
	if !ok {
		return ""
	}
	_, after, _ = strings.Cut(after, ">")
	text, _, _ := strings.Cut(after, "<")
	return html.UnescapeString(text)
}

func sessionCookie(c *http.Client, base string) *http.Cookie {
	u, _ := url.Parse(base)
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == "portal_session" {
			return ck
		}
	}
	return nil
}
