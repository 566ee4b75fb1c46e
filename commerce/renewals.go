package commerce

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"

	"github.com/google/uuid"
)

// The renewal calendar's writes: per-user secret iCalendar feeds (only the
// token's hash is kept; creating one revokes the previous) and whether a
// customer's view shows its next-term prices. Each is one store
// transaction with its audit entry.

// CalendarFeedHash is what the store keeps of a feed token.
func CalendarFeedHash(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

// CreateCalendarFeed gives by a new secret feed token (shown once, never
// stored), revoking the feed they had.
func (s *Service) CreateCalendarFeed(ctx context.Context, by Actor) (string, error) {
	if by.UserID == nil {
		return "", errors.New("commerce: a calendar feed belongs to a user")
	}
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	token := base64.RawURLEncoding.EncodeToString(b)
	if err := s.st.CreateCalendarFeed(ctx, by, *by.UserID, CalendarFeedHash(token)); err != nil {
		return "", err
	}
	return token, nil
}

// RevokeCalendarFeed revokes by's feed (store.ErrNotFound when none).
func (s *Service) RevokeCalendarFeed(ctx context.Context, by Actor) error {
	if by.UserID == nil {
		return errors.New("commerce: a calendar feed belongs to a user")
	}
	return s.st.RevokeCalendarFeed(ctx, by, *by.UserID)
}

// SetRenewalPrices shows or hides the next-term prices in customer's view.
func (s *Service) SetRenewalPrices(ctx context.Context, by Actor, customer uuid.UUID, show bool) error {
	return s.st.SetRenewalPrices(ctx, by, customer, show)
}
