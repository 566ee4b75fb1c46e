package handlers_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
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
	if p := e.get(c, "/metrics"); strings.Contains(p.body, "go_goroutines") {
		t.Fatal("the portal's listener serves /metrics")
	}
	p := e.metrics()
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

// metrics reads /metrics from the server's metrics handler (its own
// listener in the binary).
func (e *env) metrics() page {
	e.t.Helper()
	ms := httptest.NewServer(e.srv.MetricsHandler())
	defer ms.Close()
	resp, err := http.Get(ms.URL + "/metrics")
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		e.t.Fatalf("metrics: %d", resp.StatusCode)
	}
	return page{Response: resp, body: string(b)}
}

// TestMetricsLabelsBounded sends hostile methods and paths: the number of
// series stays what ordinary traffic makes.
func TestMetricsLabelsBounded(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createUser("admin", "admin@example.com")
	c := e.client()
	series := func() int {
		n := 0
		for line := range strings.SplitSeq(e.metrics().body, "\n") {
			if strings.HasPrefix(line, "portal_http_request_duration_seconds_count{") {
				n++
			}
		}
		return n
	}
	hostile := func(i int) {
		method := strings.Repeat("X", 2000) + strconv.Itoa(i)
		path := "/no/such/" + strings.Repeat("a", 500) + strconv.Itoa(i)
		req, _ := http.NewRequest(method, e.ts.URL+path, nil)
		if resp, err := c.Do(req); err == nil {
			resp.Body.Close()
		}
		req, _ = http.NewRequest(http.MethodGet, e.ts.URL+path, nil)
		if resp, err := c.Do(req); err == nil {
			resp.Body.Close()
		}
	}
	hostile(0)
	before := series()
	for i := 1; i <= 100; i++ {
		hostile(i)
	}
	if after := series(); after != before {
		t.Fatalf("hostile methods and paths grew the series from %d to %d", before, after)
	}
	if body := e.metrics().body; !strings.Contains(body, `method="other"`) || strings.Contains(body, "XXXX") {
		t.Fatal("an unknown method is not labelled other")
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
