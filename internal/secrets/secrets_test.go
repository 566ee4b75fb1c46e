package secrets

import (
	"bytes"
	"errors"
	"testing"
)

func TestSealOpen(t *testing.T) {
	t.Parallel()
	k, err := ParseKey(GenerateKey())
	if err != nil {
		t.Fatal(err)
	}
	b, _ := New(k)
	ct := b.Seal("s3cr3t-value")
	if bytes.Contains(ct, []byte("s3cr3t")) {
		t.Fatal("ciphertext contains the plaintext")
	}
	if bytes.Equal(ct, b.Seal("s3cr3t-value")) {
		t.Fatal("two seals of one secret are identical: nonce reuse")
	}
	got, err := b.Open(ct)
	if err != nil || got != "s3cr3t-value" {
		t.Fatalf("Open = %q, %v", got, err)
	}
	if b.Seal("") != nil {
		t.Fatal("empty secret should seal to nil")
	}
	ct[len(ct)-1] ^= 1
	if _, err := b.Open(ct); !errors.Is(err, ErrDecrypt) {
		t.Fatalf("tampered ciphertext: %v", err)
	}
	k2, _ := ParseKey(GenerateKey())
	b2, _ := New(k2)
	if _, err := b2.Open(b.Seal("x")); !errors.Is(err, ErrDecrypt) {
		t.Fatalf("wrong key: %v", err)
	}
}

func TestParseKeyErrors(t *testing.T) {
	t.Parallel()
	for _, in := range []string{"", "not base64 !!", "c2hvcnQ="} {
		if _, err := ParseKey(in); err == nil {
			t.Errorf("ParseKey(%q) accepted", in)
		}
	}
}
