package handlers

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cspportal/portal/internal/secrets"
	"github.com/cspportal/portal/internal/testdb"
)

func TestPanicRecovery(t *testing.T) {
	t.Parallel()
	key, _ := secrets.ParseKey(secrets.GenerateKey())
	box, _ := secrets.New(key)
	var logs bytes.Buffer
	s, err := New(Deps{Store: testdb.NewStore(t), SecretBox: box, BaseURL: "http://portal.test",
		Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	h := s.withRequestID(s.recoverer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") })))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	id := rec.Header().Get("X-Request-Id")
	if rec.Code != http.StatusInternalServerError || id == "" || !strings.Contains(rec.Body.String(), id) {
		t.Fatalf("status %d, request id %q in page: %t", rec.Code, id, strings.Contains(rec.Body.String(), id))
	}
	if strings.Contains(rec.Body.String(), "boom") {
		t.Fatal("panic value shown to the user")
	}
	if !strings.Contains(logs.String(), "boom") || !strings.Contains(logs.String(), "level=ERROR") {
		t.Fatal("panic not logged")
	}
}
