package main

import (
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestSandboxCommandPrintsUsersAndServesSignIn(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var out syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- cmdSandbox(ctx, env{args: []string{"-addr", "127.0.0.1:0", "-empty"}, getenv: func(string) string { return "" },
			stdout: &out, stderr: io.Discard})
	}()
	authRE := regexp.MustCompile(`authorize URL\s+(\S+)`)
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(out.String(), "Strictness:") {
		if time.Now().After(deadline) {
			t.Fatalf("no banner: %s", out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	s := out.String()
	for _, want := range []string{"admin@sandbox.test", "sandbox-admin", "with MFA", "nomfa@sandbox.test", "sandbox-nomfa", "without MFA",
		"refuse app-only tokens", "new customers readable after 20s", "get-price-sheet"} {
		if !strings.Contains(s, want) {
			t.Errorf("banner lacks %q:\n%s", want, s)
		}
	}
	m := authRE.FindStringSubmatch(s)
	if m == nil {
		t.Fatalf("no authorize URL in:\n%s", s)
	}
	resp, err := http.Get(m[1] + "?client_id=x")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest { // the page answers (unknown client)
		t.Errorf("authorize URL answered %d", resp.StatusCode)
	}
	// The pricing URL serves the price sheet API (app+user only: a 401 here).
	pm := regexp.MustCompile(`pricing URL\s+(\S+)`).FindStringSubmatch(s)
	if pm == nil {
		t.Fatalf("no pricing URL in:\n%s", s)
	}
	resp, err = http.Get(pm[1] + "/v1.0/sales/pricesheets(Market='US',PricesheetView='updatedlicensebased')/$value")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("pricing URL answered %d, want 401 without a token", resp.StatusCode)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("sandbox command: %v", err)
	}
}
