package handlers

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/cspportal/portal/mirror"
	"github.com/cspportal/portal/pccclient"
)

// pcClients caches one Partner Center client per connection setting, so
// live checks reuse the token.
var pcClients = struct {
	sync.Mutex
	m map[string]*pccclient.Client
}{m: map[string]*pccclient.Client{}}

// pcClient returns a Partner Center client for the stored connection. Its
// transport can capture the admin credentials of a create-customer answer
// for the request that asked (withCredentialCapture).
func (s *Server) pcClient(ctx context.Context) (*pccclient.Client, error) {
	cfg, err := mirror.SettingsPCConfig(s.st, s.d.SecretBox)(ctx)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256([]byte(strings.Join([]string{cfg.PartnerTenantID, cfg.ClientID, cfg.ClientSecret, cfg.BaseURL, cfg.TokenURL, mirror.UserTokensKey(cfg)}, "\x00")))
	key := hex.EncodeToString(sum[:])
	pcClients.Lock()
	defer pcClients.Unlock()
	if c := pcClients.m[key]; c != nil {
		return c, nil
	}
	base := s.client.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	cfg.HTTPClient = &http.Client{Transport: &pcCaptureTransport{base: base}, Timeout: 30 * time.Second}
	cfg.Logger = s.log
	cfg.MaxAttempts = 2
	if pcConfigTweak != nil {
		pcConfigTweak(&cfg)
	}
	c, err := pccclient.New(cfg)
	if err != nil {
		return nil, err
	}
	pcClients.m[key] = c
	return c, nil
}

// capturedCredentials receives the new tenant's admin sign-in; it lives
// only in the memory of the request that created the customer.
type capturedCredentials struct {
	mu    sync.Mutex
	creds *pccclient.UserCredentials
}

func (c *capturedCredentials) get() *pccclient.UserCredentials {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.creds
}

type credentialKey struct{}

func withCredentialCapture(ctx context.Context, c *capturedCredentials) context.Context {
	return context.WithValue(ctx, credentialKey{}, c)
}

// pcCaptureTransport copies userCredentials out of a successful POST
// /customers answer when the request's context asks for them.
type pcCaptureTransport struct {
	base http.RoundTripper
}

func (t *pcCaptureTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	c, _ := req.Context().Value(credentialKey{}).(*capturedCredentials)
	if err != nil || c == nil || req.Method != http.MethodPost || !strings.HasSuffix(req.URL.Path, "/customers") ||
		resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp, err
	}
	body, rerr := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if rerr != nil {
		return resp, nil
	}
	var got struct {
		UserCredentials *pccclient.UserCredentials `json:"userCredentials"`
	}
	if json.Unmarshal(body, &got) == nil && got.UserCredentials != nil && got.UserCredentials.Password != "" {
		c.mu.Lock()
		c.creds = got.UserCredentials
		c.mu.Unlock()
	}
	return resp, nil
}
