package main

import (
	"cmp"
	"fmt"
	"net"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// TestProxyRecords runs a real pgx connection through the proxy to the
// local Postgres and checks the recorded statements: pgx's statement
// cache sends the SQL once per connection (Parse) and then only Binds,
// so the second query must still be recorded with its SQL.
func TestProxyRecords(t *testing.T) {
	url := cmp.Or(os.Getenv("PORTAL_TEST_DATABASE_URL"), "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable")
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	upstream := net.JoinHostPort(cfg.Host, fmt.Sprint(cfg.Port))
	if c, err := net.Dial("tcp", upstream); err != nil {
		t.Skipf("no Postgres at %s: %v", upstream, err)
	} else {
		c.Close()
	}
	p, err := startProxy(upstream)
	if err != nil {
		t.Fatal(err)
	}
	defer p.close()
	host, port, _ := net.SplitHostPort(p.addr())
	cfg.Host, cfg.TLSConfig, cfg.Fallbacks = host, nil, nil
	fmt.Sscan(port, &cfg.Port)

	ctx := t.Context()
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	const q = "SELECT $1::int + $2::int, $3::text"
	var sum int
	var s *string
	// Once before recording, so the Parse happens while not recording.
	if err := conn.QueryRow(ctx, q, 1, 2, nil).Scan(&sum, &s); err != nil {
		t.Fatal(err)
	}
	p.record(true)
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.QueryRow(ctx, q, 40, 2, nil).Scan(&sum, &s); err != nil || sum != 42 {
		t.Fatalf("sum %d, %v", sum, err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	p.record(false)
	waitRecorded(t, p, 3)
	got := p.take()
	sqls := make([]string, len(got))
	for i, g := range got {
		sqls[i] = g.sql
	}
	if want := []string{"begin", q, "commit"}; !slices.Equal(sqls, want) {
		t.Fatalf("recorded %q, want %q", sqls, want)
	}
	b := got[1]
	if b.simple || !got[0].simple || len(b.params) != 3 || b.params[2] != nil {
		t.Fatalf("bind recorded as %+v", b)
	}
	// pgx lets Postgres infer the parameter types (no OIDs in its Parse)
	// and sends int4 parameters in binary: 40 as four bytes.
	if !slices.Equal(b.params[0], []byte{0, 0, 0, 40}) {
		t.Errorf("first parameter %v (formats %v)", b.params[0], b.paramFormats)
	}
	if got[0].group == got[1].group || got[1].group == got[2].group {
		t.Errorf("begin, query and commit are three round trips, recorded in groups %d, %d, %d", got[0].group, got[1].group, got[2].group)
	}

	// A pgx batch is one round trip: its statements share a group, and the
	// query after it has another.
	p.record(true)
	batch := &pgx.Batch{}
	batch.Queue(q, 1, 1, nil)
	batch.Queue(q, 2, 2, nil)
	if err := conn.SendBatch(ctx, batch).Close(); err != nil {
		t.Fatal(err)
	}
	if err := conn.QueryRow(ctx, q, 3, 3, nil).Scan(&sum, &s); err != nil {
		t.Fatal(err)
	}
	p.record(false)
	waitRecorded(t, p, 3)
	got = p.take()
	if len(got) != 3 || got[0].group != got[1].group || got[1].group == got[2].group {
		t.Fatalf("batch then query recorded as %+v", got)
	}
}

// waitRecorded waits until p recorded n statements: the proxy forwards a
// message before it parses it, so the answer can reach the test first.
func waitRecorded(t *testing.T, p *pgProxy, n int) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		p.mu.Lock()
		got := len(p.recorded)
		p.mu.Unlock()
		if got >= n {
			return
		}
	}
}

// TestParserSkipsSplitMessages feeds a stream one byte at a time, with
// an unwanted message between two wanted ones.
func TestParserSkipsSplitMessages(t *testing.T) {
	var stream []byte
	startup := []byte{0, 0, 0, 8, 0, 3, 0, 0}
	stream = append(stream, startup...)
	msg := func(typ byte, body string) {
		n := len(body) + 4
		stream = append(stream, typ, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
		stream = append(stream, body...)
	}
	msg('Q', "begin\x00")
	msg('d', string(make([]byte, 70000)))
	msg('Q', "commit\x00")
	var got []string
	f := &frontendParser{onMessage: func(typ byte, body []byte) { got = append(got, string(typ)+string(body)) }}
	for i := range stream {
		f.feed(stream[i : i+1])
	}
	if want := []string{"Qbegin\x00", "Qcommit\x00"}; !slices.Equal(got, want) || f.dead {
		t.Fatalf("got %q (dead %v), want %q", got, f.dead, want)
	}
}
