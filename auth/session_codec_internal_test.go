package auth

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2"
)

// countingCodec counts the decodes that reach gob.
type countingCodec struct {
	scs.GobCodec
	decodes int
}

func (c *countingCodec) Decode(b []byte) (time.Time, map[string]any, error) {
	c.decodes++
	return c.GobCodec.Decode(b)
}

func TestMemoCodecDecodesOnceAndCopies(t *testing.T) {
	inner := &countingCodec{}
	c := newMemoCodec(inner)
	deadline := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	b, err := c.Encode(deadline, map[string]any{SessionUserID: int64(7), "viewed_as": []string{"a", "b"}})
	if err != nil {
		t.Fatal(err)
	}
	d1, v1, err := c.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	d2, v2, err := c.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if inner.decodes != 1 || !d1.Equal(deadline) || !d2.Equal(deadline) || v2[SessionUserID] != int64(7) ||
		!slices.Equal(v2["viewed_as"].([]string), []string{"a", "b"}) {
		t.Fatalf("%d decodes; %v %v; %v", inner.decodes, d1, d2, v2)
	}
	// What one request does to its values reaches neither the kept copy
	// nor another request.
	v1["flash"] = "x"
	v1["viewed_as"].([]string)[0] = "changed"
	v2[SessionUserID] = int64(8)
	_, v3, _ := c.Decode(b)
	if inner.decodes != 1 || len(v3) != 2 || v3[SessionUserID] != int64(7) || v3["viewed_as"].([]string)[0] != "a" {
		t.Fatalf("a request's change leaked: %v (%d decodes)", v3, inner.decodes)
	}
	// Other bytes are decoded, and the kept sessions stay bounded.
	for i := range memoSessions + 10 {
		b, _ := c.Encode(deadline, map[string]any{SessionUserID: int64(i)})
		if _, v, err := c.Decode(b); err != nil || v[SessionUserID] != int64(i) {
			t.Fatalf("session %d: %v %v", i, v, err)
		}
	}
	if n := len(c.m); n > memoSessions {
		t.Errorf("%d sessions kept, bound %d", n, memoSessions)
	}
	if _, _, err := c.Decode([]byte("not gob")); err == nil {
		t.Error("garbage decoded")
	}
}

// BenchmarkSessionDecode decodes a signed-in staff session: gob every
// time, and the memo.
func BenchmarkSessionDecode(b *testing.B) {
	values := map[string]any{SessionUserID: int64(42), "role": "staff", "viewed_as": []string{"c1", "c2", "c3"}}
	for _, c := range []scs.Codec{scs.GobCodec{}, newMemoCodec(scs.GobCodec{})} {
		enc, err := c.Encode(time.Now().Add(time.Hour), values)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("%T", c), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := c.Decode(enc); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
