// Package secrets encrypts the portal's stored secrets (Partner Center client
// secret and refresh token, OIDC client secret) with AES-256-GCM under the
// key from PORTAL_SECRET_KEY. Ciphertexts carry a version byte and a random
// nonce; plaintext never leaves this package except to the caller that asked.
package secrets

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// KeySize is the AES-256 key length in bytes.
const KeySize = 32

const version byte = 1

// ErrDecrypt means a ciphertext was not made with this key (or was altered).
var ErrDecrypt = errors.New("secret cannot be decrypted with the configured PORTAL_SECRET_KEY")

// Box seals and opens secrets with one key.
type Box struct {
	aead cipher.AEAD
}

// GenerateKey returns a new random key, base64-encoded for PORTAL_SECRET_KEY.
func GenerateKey() string {
	k := make([]byte, KeySize)
	rand.Read(k)
	return base64.StdEncoding.EncodeToString(k)
}

// ParseKey decodes a base64 (standard or URL, padded or not) key of 32 bytes.
func ParseKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if k, err := enc.DecodeString(s); err == nil {
			if len(k) != KeySize {
				return nil, fmt.Errorf("PORTAL_SECRET_KEY must decode to %d bytes, got %d", KeySize, len(k))
			}
			return k, nil
		}
	}
	return nil, errors.New("PORTAL_SECRET_KEY must be base64 (generate one with: openssl rand -base64 32)")
}

// New returns a Box for a 32-byte key.
func New(key []byte) (*Box, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("secret key must be %d bytes, got %d", KeySize, len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Box{aead: aead}, nil
}

// Seal encrypts plaintext. An empty plaintext seals to nil, so "no secret"
// stays NULL in the database.
func (b *Box) Seal(plaintext string) []byte {
	if plaintext == "" {
		return nil
	}
	nonce := make([]byte, b.aead.NonceSize())
	rand.Read(nonce)
	out := append([]byte{version}, nonce...)
	return b.aead.Seal(out, nonce, []byte(plaintext), []byte{version})
}

// Open decrypts a ciphertext made by Seal. nil opens to "".
func (b *Box) Open(ciphertext []byte) (string, error) {
	if len(ciphertext) == 0 {
		return "", nil
	}
	n := b.aead.NonceSize()
	if len(ciphertext) < 1+n || ciphertext[0] != version {
		return "", ErrDecrypt
	}
	pt, err := b.aead.Open(nil, ciphertext[1:1+n], ciphertext[1+n:], ciphertext[:1])
	if err != nil {
		return "", ErrDecrypt
	}
	return string(pt), nil
}
