package pcconn_test

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/cspportal/portal/internal/sandboxtest"
	"github.com/cspportal/portal/internal/testdb"
	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/pccclient/sandbox"
	"github.com/cspportal/portal/pcconn"
	"github.com/cspportal/portal/store"
)

// Two clients (as two replicas would) redeem the stored, rolling refresh
// token at the same moment. The settings-row lock serialises them: both
// calls succeed, the stored token is the last one the sandbox issued and
// works, and the first one is spent.
func TestRefreshTokensRotateUnderConcurrencyLeavesOneValidToken(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pc := sandboxtest.New(t, sandbox.Options{Seed: 1, NoSeed: true, RealTime: true})
	st := testdb.NewStore(t)
	box := sandboxtest.Box(t)
	first := pc.RefreshToken()
	at := time.Now()
	if err := st.ConnectPCUser(ctx, store.PCUserGrant{RefreshTokenEnc: box.Seal(first), User: "admin@sandbox.test", MFA: true, At: at}); err != nil {
		t.Fatal(err)
	}
	cr := pc.Creds
	newClient := func() *pccclient.Client {
		c, err := pccclient.New(pccclient.Config{PartnerTenantID: cr.TenantID, ClientID: cr.ClientID, ClientSecret: cr.ClientSecret,
			BaseURL: pc.URL, TokenURL: pc.TokenURL(), MaxAttempts: 1,
			UserTokens: pcconn.NewRefreshTokens(st, box, at)}) // one store per client, like one per replica
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	for round := range 3 {
		clients := []*pccclient.Client{newClient(), newClient()}
		var wg sync.WaitGroup
		res := make([]pccclient.ProbeResult, len(clients))
		start := make(chan struct{})
		for i, c := range clients {
			wg.Go(func() {
				<-start
				res[i] = c.Probe(ctx, pccclient.AppUser)
			})
		}
		close(start)
		wg.Wait()
		for i, r := range res {
			if !r.OK || r.User != "admin@sandbox.test" {
				t.Fatalf("round %d: client %d: ok %v user %q err %v", round, i, r.OK, r.User, r.Err)
			}
		}
	}
	stored, err := pcconn.NewRefreshTokens(st, box, at).Token(ctx)
	if err != nil || stored == "" || stored == first {
		t.Fatalf("stored token %q (first %q), err %v", stored, first, err)
	}
	s, _ := st.Settings(ctx)
	if s.PcRefreshRotatedAt == nil || !s.PcRefreshRotatedAt.After(at) {
		t.Fatalf("rotation time not recorded: %v", s.PcRefreshRotatedAt)
	}
	// The first token was spent by the first redeem: Entra (the sandbox)
	// refuses it now.
	if code := redeem(t, pc.URL, cr, first); code != "invalid_grant" {
		t.Fatalf("the first refresh token still works (%q): a token was redeemed twice or not rolled", code)
	}
	// The stored one is the one valid token: a fresh client works with it.
	if r := newClient().Probe(ctx, pccclient.AppUser); !r.OK {
		t.Fatalf("the stored token does not work: %v", r.Err)
	}
}

// A redeem that fails leaves the stored token as it was; a redeem that
// returns a token and an error stores the token (it was rolled).
func TestRefreshTokensRotateKeepsTokenOnFailure(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testdb.NewStore(t)
	box := sandboxtest.Box(t)
	rts := pcconn.NewRefreshTokens(st, box, time.Now())
	if err := rts.Rotate(ctx, func(string) (string, error) { t.Fatal("redeem called with nothing stored"); return "", nil }); !errors.Is(err, pccclient.ErrNoRefreshToken) {
		t.Fatalf("empty store: %v", err)
	}
	if err := st.ConnectPCUser(ctx, store.PCUserGrant{RefreshTokenEnc: box.Seal("rt-1"), User: "u", MFA: true, At: time.Now()}); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("identity platform down")
	if err := rts.Rotate(ctx, func(cur string) (string, error) {
		if cur != "rt-1" {
			t.Fatalf("redeem got %q", cur)
		}
		return "", boom
	}); !errors.Is(err, boom) {
		t.Fatalf("rotate: %v", err)
	}
	if got, _ := rts.Token(ctx); got != "rt-1" {
		t.Fatalf("after a failed redeem: %q", got)
	}
	if err := rts.Rotate(ctx, func(string) (string, error) { return "rt-2", boom }); !errors.Is(err, boom) {
		t.Fatalf("rotate: %v", err)
	}
	if got, _ := rts.Token(ctx); got != "rt-2" {
		t.Fatalf("rolled token not stored: %q", got)
	}
}

// redeem posts a refresh_token grant and returns the OAuth error ("" on success).
func redeem(t *testing.T, base string, cr sandbox.Credentials, rt string) string {
	t.Helper()
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}, "client_id": {cr.ClientID},
		"client_secret": {cr.ClientSecret}, "resource": {sandbox.Resource}}
	resp, err := http.PostForm(base+"/"+cr.TenantID+"/oauth2/token", form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Error string `json:"error"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&body)
	if resp.StatusCode == http.StatusOK {
		return ""
	}
	return cmp.Or(body.Error, resp.Status)
}
