package store

import (
	"context"
	"fmt"

	"github.com/cspportal/portal/store/db"
)

// Settings is the instance's single settings row. The *Enc fields are
// ciphertexts (see internal/secrets).
type Settings = db.Setting

// PCSettings is the Partner Center connection. A nil SecretEnc keeps the
// stored secret.
type PCSettings = db.UpdatePCSettingsParams

// OIDCSettings is the sign-in provider. A nil OidcClientSecretEnc keeps the
// stored secret.
type OIDCSettings = db.UpdateOIDCSettingsParams

// Defaults are the instance's default country, currency and language, and
// the partner mode (ModeDirect or ModeIndirect; nil keeps the stored one).
type Defaults = db.UpdateDefaultsParams

// Settings returns the settings row.
func (s *Store) Settings(ctx context.Context) (Settings, error) {
	st, err := s.Q.GetSettings(ctx, s.Pool)
	if err != nil {
		return Settings{}, fmt.Errorf("get settings: %w", mapErr(err))
	}
	return st, nil
}

// SetSetupTokenHash stores the hash of the one-time setup token.
func (s *Store) SetSetupTokenHash(ctx context.Context, hash []byte) error {
	if err := s.Q.SetSetupTokenHash(ctx, s.Pool, hash); err != nil {
		return fmt.Errorf("set setup token: %w", mapErr(err))
	}
	return nil
}

// SetSetupStep records the wizard step to resume at.
func (s *Store) SetSetupStep(ctx context.Context, step int) error {
	if err := s.Q.SetSetupStep(ctx, s.Pool, int32(step)); err != nil {
		return fmt.Errorf("set setup step: %w", mapErr(err))
	}
	return nil
}

// CompleteSetup closes the wizard for good and forgets the setup token.
func (s *Store) CompleteSetup(ctx context.Context) error {
	if err := s.Q.CompleteSetup(ctx, s.Pool); err != nil {
		return fmt.Errorf("complete setup: %w", mapErr(err))
	}
	return nil
}

// UpdatePCSettings saves the Partner Center connection (an empty cloud is
// the global one).
func (s *Store) UpdatePCSettings(ctx context.Context, p PCSettings) error {
	if p.PcCloud == "" {
		p.PcCloud = "global"
	}
	if err := s.Q.UpdatePCSettings(ctx, s.Pool, p); err != nil {
		return fmt.Errorf("update partner center settings: %w", mapErr(err))
	}
	return nil
}

// UpdateOIDCSettings saves the sign-in provider.
func (s *Store) UpdateOIDCSettings(ctx context.Context, p OIDCSettings) error {
	if p.OidcAllowedTenants == nil {
		p.OidcAllowedTenants = []string{}
	}
	if err := s.Q.UpdateOIDCSettings(ctx, s.Pool, p); err != nil {
		return fmt.Errorf("update sign-in settings: %w", mapErr(err))
	}
	return nil
}

// UpdateDefaults saves the default country, currency and language.
func (s *Store) UpdateDefaults(ctx context.Context, p Defaults) error {
	if err := s.Q.UpdateDefaults(ctx, s.Pool, p); err != nil {
		return fmt.Errorf("update defaults: %w", mapErr(err))
	}
	return nil
}

// SMTPSettings is the mail server. A nil SmtpPasswordEnc keeps the stored
// password.
type SMTPSettings = db.UpdateSMTPSettingsParams

// UpdateSMTPSettings stores the mail server.
func (s *Store) UpdateSMTPSettings(ctx context.Context, p SMTPSettings) error {
	if err := s.Q.UpdateSMTPSettings(ctx, s.Pool, p); err != nil {
		return fmt.Errorf("update smtp settings: %w", mapErr(err))
	}
	return nil
}
