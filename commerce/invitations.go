package commerce

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cspportal/portal/internal/i18n"
	"github.com/cspportal/portal/mail"
	"github.com/cspportal/portal/store"
)

// Customer users: staff invite a customer's people to the read-only
// customer view, revoke them, and let a customer's Entra tenant sign in.
// Each write is one store transaction with its audit entry; only a hash of
// an invitation's token is kept.

// InvitationTTL is how long an invitation link stays valid.
const InvitationTTL = 7 * 24 * time.Hour

// Invited is a new invitation with its one-time token (shown once, never
// stored).
type Invited struct {
	store.Invitation
	Token string
}

// InvitationTokenHash is what the store keeps of an invitation token.
func InvitationTokenHash(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

// Invite creates an invitation for email to customer's view, valid for
// InvitationTTL from now, and mails its link (link is the page the token
// goes to, e.g. https://portal.example/invitations/; company names the
// customer in the mail).
func (s *Service) Invite(ctx context.Context, by Actor, customer uuid.UUID, company, email, link string) (Invited, error) {
	return s.invite(ctx, company, link, func(hash []byte, expires time.Time, then func(pgx.Tx, store.Invitation) error) (store.Invitation, error) {
		return s.st.CreateInvitation(ctx, email, customer, hash, expires, by, then)
	})
}

// invite makes a token, has create store its hash (running then in the
// same transaction) and queues the invitation's mail there.
func (s *Service) invite(ctx context.Context, company, link string,
	create func(hash []byte, expires time.Time, then func(pgx.Tx, store.Invitation) error) (store.Invitation, error)) (Invited, error) {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	token := base64.RawURLEncoding.EncodeToString(b)
	inv, err := create(InvitationTokenHash(token), s.now().Add(InvitationTTL), func(tx pgx.Tx, inv store.Invitation) error {
		if s.mail == nil {
			return nil
		}
		_, err := s.mail.Queue(ctx, tx, mail.Invitation(i18n.From(ctx), inv.Email, company, link+token, inv.ExpiresAt))
		return err
	})
	if err != nil {
		return Invited{}, err
	}
	return Invited{Invitation: inv, Token: token}, nil
}

// RevokeInvitation cancels a pending invitation of customer.
func (s *Service) RevokeInvitation(ctx context.Context, by Actor, customer uuid.UUID, id int64) error {
	return s.st.RevokeInvitation(ctx, customer, id, by, s.now())
}

// AcceptInvitation creates the invited customer user with passwordHash and
// uses the invitation up (store.ErrInvitationUsed when another request did).
func (s *Service) AcceptInvitation(ctx context.Context, inv store.Invitation, name, passwordHash string) (store.User, error) {
	return s.st.AcceptInvitation(ctx, inv, name, passwordHash, s.now())
}

// RevokeCustomerUser removes a customer user's access.
func (s *Service) RevokeCustomerUser(ctx context.Context, by Actor, customer uuid.UUID, user int64) error {
	return s.st.RevokeCustomerUser(ctx, customer, user, by, s.now())
}

// SetTenantSignIn turns sign-in for everyone in the customer's Entra
// tenant on or off.
func (s *Service) SetTenantSignIn(ctx context.Context, by Actor, customer uuid.UUID, tenant string, on bool) error {
	return s.st.SetTenantSignIn(ctx, customer, tenant, on, by, s.now())
}

// InviteResellerUser invites email to be a user of reseller (named
// company in the mail): like Invite, bound to the reseller.
func (s *Service) InviteResellerUser(ctx context.Context, by Actor, reseller uuid.UUID, company, email, link string) (Invited, error) {
	return s.invite(ctx, company, link, func(hash []byte, expires time.Time, then func(pgx.Tx, store.Invitation) error) (store.Invitation, error) {
		return s.st.CreateResellerInvitation(ctx, email, reseller, hash, expires, by, then)
	})
}

// RevokeResellerInvitation cancels a pending invitation of reseller.
func (s *Service) RevokeResellerInvitation(ctx context.Context, by Actor, reseller uuid.UUID, id int64) error {
	return s.st.RevokeResellerInvitation(ctx, reseller, id, by, s.now())
}

// RevokeResellerUser removes a reseller user's access.
func (s *Service) RevokeResellerUser(ctx context.Context, by Actor, reseller uuid.UUID, user int64) error {
	return s.st.RevokeResellerUser(ctx, reseller, user, by, s.now())
}
