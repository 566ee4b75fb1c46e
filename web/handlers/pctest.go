package handlers

import (
	"cmp"
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/cspportal/portal/internal/i18n"
	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/web/templates"
)

// testPC fetches an app-only token and does one cheap read (the first
// customer) with the given connection, and reports PC's exact error code and
// text on failure. It never includes the secret. (The app+user credential is
// tested on the connection health page: it needs a partner admin's consent.)
func (s *Server) testPC(ctx context.Context, in pcInput) *templates.TestResult {
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	c, err := pccclient.New(pccclient.Config{
		PartnerTenantID: in.TenantID,
		ClientID:        in.ClientID,
		ClientSecret:    in.Secret,
		BaseURL:         in.APIURL,
		TokenURL:        in.TokenURL,
		HTTPClient:      s.client,
		Logger:          s.log,
		MaxAttempts:     1,
	})
	if err != nil {
		return &templates.TestResult{Message: i18n.T(ctx, "h2.pctest.unusable", err.Error())}
	}
	res := c.Probe(ctx, pccclient.AppOnly)
	if res.OK {
		return &templates.TestResult{OK: true, Message: i18n.Text(ctx, "Connected: got an app-only token and read your customer list.")}
	}
	err = res.Err
	var te *pccclient.TokenError
	var pe *pccclient.Error
	switch {
	case errors.As(err, &te):
		code := te.OAuthError
		if code == "" && te.HTTPStatus != 0 {
			code = "HTTP " + strconv.Itoa(te.HTTPStatus)
		}
		return &templates.TestResult{Code: code, Message: i18n.T(ctx, "h2.pctest.no_token", cmp.Or(te.Description, te.Error()))}
	case errors.As(err, &pe):
		code := pe.Code
		if code == "" && pe.HTTPStatus != 0 {
			code = "HTTP " + strconv.Itoa(pe.HTTPStatus)
		}
		if pe.HTTPStatus == 0 {
			return &templates.TestResult{Message: i18n.T(ctx, "h2.pctest.unreachable", errText(ctx, pe.Err))}
		}
		return &templates.TestResult{Code: code, Message: i18n.T(ctx, "h2.pctest.pc_error", cmp.Or(pe.Description, pe.Error()))}
	}
	return &templates.TestResult{Message: i18n.T(ctx, "h2.pctest.failed", err.Error())}
}

func errText(ctx context.Context, err error) string {
	if err == nil {
		return i18n.T(ctx, "h.pc.no_answer")
	}
	return err.Error()
}
