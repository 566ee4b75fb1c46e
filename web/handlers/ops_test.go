package handlers_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/cspportal/portal/store"
	"github.com/cspportal/portal/web/static"
)

func TestHealthReadyMetrics(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client()
	if p := e.get(c, "/healthz"); p.StatusCode != http.StatusOK || p.body != "ok" {
		t.Fatalf("healthz: %d %q", p.StatusCode, p.body)
	}
	if p := e.get(c, "/readyz"); p.StatusCode != http.StatusOK {
		t.Fatalf("readyz: %d %q", p.StatusCode, p.body)
	}
	head, _ := http.NewRequest(http.MethodHead, e.ts.URL+"/healthz", nil)
	if p := e.do(c, head); p.StatusCode != http.StatusOK {
		t.Fatalf("HEAD /healthz: %d", p.StatusCode)
	}
	e.get(c, "/login") // redirected by the setup gate before routing
	e.createUser("admin", "admin@example.com")
	e.get(c, "/login")
	e.get(c, "/no-such-page")
	p := e.get(c, "/metrics")
	if p.StatusCode != http.StatusOK {
		t.Fatalf("metrics: %d", p.StatusCode)
	}
	for _, want := range []string{
		`portal_http_request_duration_seconds_count{method="GET",route="/login",status="200"} 1`,
		`portal_http_request_duration_seconds_count{method="GET",route="/readyz",status="200"} 1`,
		`route="unmatched",status="303"`, // the setup gate answers before routing
		`route="unmatched",status="404"`,
		"go_goroutines",
	} {
		if !strings.Contains(p.body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	// A pending migration makes readyz fail with the reason.
	if _, err := store.MigrateDown(t.Context(), e.st.Pool); err != nil {
		t.Fatal(err)
	}
	p = e.get(c, "/readyz")
	if p.StatusCode != http.StatusServiceUnavailable || !strings.Contains(p.body, "pending") {
		t.Fatalf("readyz with a pending migration: %d %q", p.StatusCode, p.body)
	}
}

func TestStaticFiles(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client()
	css := static.URL("css/app.css")
	if !regexp.MustCompile(`^/static/css/app\.[0-9a-f]{10}\.css$`).MatchString(css) {
		t.Fatalf("hashed URL %q", css)
	}
	p := e.get(c, css)
	if p.StatusCode != http.StatusOK || !strings.Contains(p.Header.Get("Cache-Control"), "immutable") ||
		!strings.HasPrefix(p.Header.Get("Content-Type"), "text/css") || !strings.Contains(p.body, ".topbar") {
		t.Fatalf("css: %d %q %q", p.StatusCode, p.Header.Get("Cache-Control"), p.Header.Get("Content-Type"))
	}
	if p := e.get(c, static.URL("js/htmx.min.js")); p.StatusCode != http.StatusOK || !strings.Contains(p.body, "htmx") {
		t.Fatalf("htmx: %d", p.StatusCode)
	}
	if p := e.get(c, "/static/css/app.css"); p.StatusCode != http.StatusOK || strings.Contains(p.Header.Get("Cache-Control"), "immutable") {
		t.Fatalf("unhashed name: %d %q", p.StatusCode, p.Header.Get("Cache-Control"))
	}
	for _, path := range []string{"/static/css/nope.css", "/static/", "/static/css/"} {
		if p := e.get(c, path); p.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d", path, p.StatusCode)
		}
	}
	// Pages link the hashed names.
	if p := e.get(c, "/setup"); !strings.Contains(p.body, css) {
		t.Fatal("page does not link the hashed stylesheet")
	}
}

func TestServerErrorPage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.st.Pool.Close() // every query now fails
	p := e.get(e.client(), "/setup")
	if p.StatusCode != http.StatusInternalServerError || !hasTestID(p.body, "error-500") {
		t.Fatalf("status %d", p.StatusCode)
	}
	id := p.Header.Get("X-Request-Id")
	if id == "" || !strings.Contains(p.body, id) {
		t.Fatal("500 page does not show the request id")
	}
	if strings.Contains(p.body, "closed pool") || strings.Contains(p.body, "sql") {
		t.Fatal("500 page shows internals")
	}
	logs := e.logs.String()
	if !strings.Contains(logs, "level=ERROR") || !strings.Contains(logs, id) {
		t.Fatalf("5xx not logged at Error with the request id:\n%s", logs)
	}
}
