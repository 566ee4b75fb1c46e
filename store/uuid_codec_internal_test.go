package store

import (
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgtype"
)

// BenchmarkUUIDCodec sends a uuid.UUID and reads it back through pgx's
// type map, by pgx's own codec (the Valuer and Scanner, as text) and by
// uuidCodec.
func BenchmarkUUIDCodec(b *testing.B) {
	u := uuid.New()
	for _, name := range []string{"pgx", "uuidCodec"} {
		m := pgtype.NewMap()
		if name == "uuidCodec" {
			m.RegisterType(&pgtype.Type{Name: "uuid", OID: pgtype.UUIDOID, Codec: uuidCodec{}})
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			var buf []byte
			var out uuid.UUID
			for b.Loop() {
				var err error
				if buf, err = m.Encode(pgtype.UUIDOID, pgtype.BinaryFormatCode, u, buf[:0]); err != nil {
					b.Fatal(err)
				}
				if err := m.Scan(pgtype.UUIDOID, pgtype.BinaryFormatCode, buf, &out); err != nil || out != u {
					b.Fatalf("%s, %v", out, err)
				}
			}
		})
	}
}
