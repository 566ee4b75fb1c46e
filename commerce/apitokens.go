package commerce

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/cspportal/portal/rules"
)

// APITokenPrefix starts every reseller API token, so a leaked one is
// recognisable (secret scanners, logs) as the portal's.
const APITokenPrefix = "cspp_"

// APITokenHash is what the store keeps of an API token.
func APITokenHash(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

// CreateAPIToken gives reseller user by a new API token (returned once,
// only its hash stored) named name with scope; problems come back by form
// field (name, scope) with nothing written.
func (s *Service) CreateAPIToken(ctx context.Context, by Actor, name, scope string) (token string, problems map[string]string, err error) {
	if by.UserID == nil {
		return "", nil, errors.New("commerce: an API token belongs to a user")
	}
	if problems := rules.CheckAPIToken(name, scope); len(problems) > 0 {
		return "", problems, nil
	}
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	token = APITokenPrefix + base64.RawURLEncoding.EncodeToString(b)
	if _, err := s.st.CreateAPIToken(ctx, by, strings.TrimSpace(name), scope, APITokenHash(token)); err != nil {
		return "", nil, err
	}
	return token, nil, nil
}

// RevokeAPIToken revokes one of by's tokens (store.ErrNotFound for
// another user's or one revoked already).
func (s *Service) RevokeAPIToken(ctx context.Context, by Actor, id int64) error {
	return s.st.RevokeAPIToken(ctx, by, id)
}

// apiNamespace derives the API's stable ids from a token and an
// Idempotency-Key (UUID v5).
var apiNamespace = uuid.MustParse("6b1f4a7e-0c55-4f3e-9a43-7e3c1d2b9f10")

// APIWriteIDs are the ids of an API write with an Idempotency-Key: the
// portal's token for the order or change (its row and page) and the
// MS-RequestId of the command, both the same on every retry with the key.
func APIWriteIDs(tokenID int64, key string) (token, requestID uuid.UUID) {
	base := strings.Join([]string{"api", strconv.FormatInt(tokenID, 10), key}, "\x00")
	return uuid.NewSHA1(apiNamespace, []byte(base+"\x00token")), uuid.NewSHA1(apiNamespace, []byte(base+"\x00ms-request-id"))
}
