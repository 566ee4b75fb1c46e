// Package auth holds the portal's sign-in machinery: password hashing,
// login throttling, roles and their middleware, the session manager, and
// OIDC sign-in (including Microsoft Entra's multi-tenant issuers).
package auth

import (
	"errors"
	"fmt"
	"sync"

	"github.com/alexedwards/argon2id"
)

// MinPasswordLength is the shortest password the portal accepts.
const MinPasswordLength = 12

// hashParams follow OWASP's argon2id recommendation (19 MiB, 2 passes).
var hashParams = &argon2id.Params{
	Memory:      19 * 1024,
	Iterations:  2,
	Parallelism: 1,
	SaltLength:  16,
	KeyLength:   32,
}

// HashPassword returns the argon2id hash of password in PHC string format.
func HashPassword(password string) (string, error) {
	if password == "" {
		return "", errors.New("hash password: empty password")
	}
	h, err := argon2id.CreateHash(password, hashParams)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return h, nil
}

// CheckPassword reports whether password matches hash. A malformed hash is
// an error, a wrong password is (false, nil).
func CheckPassword(password, hash string) (bool, error) {
	if hash == "" {
		return false, nil
	}
	ok, err := argon2id.ComparePasswordAndHash(password, hash)
	if err != nil {
		return false, fmt.Errorf("check password: %w", err)
	}
	return ok, nil
}

// dummyHash is compared against when the account does not exist, so a
// sign-in for an unknown email costs as much as one for a known email. It
// is made on first use, not at start.
var dummyHash = sync.OnceValue(func() string {
	h, _ := HashPassword("not-a-real-password-for-timing")
	return h
})

// CheckNoUser spends the time of one CheckPassword; call it when the email
// is unknown so response time does not reveal which accounts exist.
func CheckNoUser(password string) {
	_, _ = CheckPassword(password, dummyHash())
}
