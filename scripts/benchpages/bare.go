package main

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"html/template"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
)

// bareServer is the floor the portal's pages are compared with: a plain
// net/http handler that replays a captured request's statements (the
// same SQL and parameters the portal sent) on one pooled connection and
// writes the rows as a minimal HTML table. It does no routing, sessions,
// rules or templates, so the portal's overhead over it is the cost of
// everything a page does besides its SQL.
type bareServer struct {
	pool *pgxpool.Pool
	srv  *http.Server
	base string

	cur      atomic.Pointer[replaySet]
	prepared sync.Map // *pgconn.PgConn → map[string]bool: names prepared on it
	bufs     sync.Pool

	mu       sync.Mutex
	firstErr string // the first replay error since the last page
}

// replaySet is one page's captured requests; request i replays
// reqs[i mod len(reqs)].
type replaySet struct {
	reqs [][]replayStmt
	next atomic.Uint64
}

// replayStmt is a captured statement with the name it is prepared under.
type replayStmt struct {
	stmt
	name string
}

// newReplaySet names each statement by its SQL and parameter types, so
// a connection prepares each once, as pgx's statement cache does.
func newReplaySet(c captured) *replaySet {
	rs := &replaySet{}
	for _, req := range c.reqs {
		out := make([]replayStmt, len(req))
		for i, s := range req {
			h := fnv.New64a()
			h.Write([]byte(s.sql))
			for _, o := range s.oids {
				h.Write(strconv.AppendUint(nil, uint64(o), 10))
			}
			out[i] = replayStmt{stmt: s, name: "bare_" + strconv.FormatUint(h.Sum64(), 36)}
		}
		rs.reqs = append(rs.reqs, out)
	}
	return rs
}

// startBare serves on a free loopback port with pool.
func startBare(pool *pgxpool.Pool) (*bareServer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("bare handler listen: %w", err)
	}
	b := &bareServer{pool: pool, base: "http://" + ln.Addr().String()}
	b.bufs.New = func() any { return new(bytes.Buffer) }
	b.srv = &http.Server{Handler: b, ReadHeaderTimeout: 10 * time.Second}
	go b.srv.Serve(ln)
	return b, nil
}

func (b *bareServer) close() { b.srv.Close() }

// serve makes the bare handler replay c from now on.
func (b *bareServer) serve(c captured) {
	b.cur.Store(newReplaySet(c))
	b.mu.Lock()
	b.firstErr = ""
	b.mu.Unlock()
}

// replayErr is the first replay error since serve.
func (b *bareServer) replayErr() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.firstErr
}

// ServeHTTP replays the next captured request of the current page. A
// replay error is a 500, so the load client counts it as an error rather
// than as a fast answer.
func (b *bareServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rs := b.cur.Load()
	if rs == nil || len(rs.reqs) == 0 {
		http.Error(w, "no captured page", http.StatusNotFound)
		return
	}
	req := rs.reqs[(rs.next.Add(1)-1)%uint64(len(rs.reqs))]
	buf := b.bufs.Get().(*bytes.Buffer)
	defer b.bufs.Put(buf)
	buf.Reset()
	if err := b.replay(r.Context(), req, buf); err != nil {
		b.mu.Lock()
		if b.firstErr == "" {
			b.firstErr = err.Error()
		}
		b.mu.Unlock()
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.Write(buf.Bytes())
}

// replay runs req's statements in order on one connection, stopping at
// the first error.
func (b *bareServer) replay(ctx context.Context, req []replayStmt, buf *bytes.Buffer) error {
	c, err := b.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("acquire: %w", err)
	}
	defer c.Release()
	pc, tm := c.Conn().PgConn(), c.Conn().TypeMap()
	names, ok := b.prepared.Load(pc)
	if !ok {
		names, _ = b.prepared.LoadOrStore(pc, map[string]bool{})
	}
	buf.WriteString("<!doctype html>\n<html><head><title>bare</title></head><body>\n")
	for i := 0; i < len(req); {
		// The statements the portal sent in one round trip (a batch) go
		// in one round trip here too.
		j := i + 1
		for j < len(req) && !req[i].simple && !req[j].simple && req[j].conn == req[i].conn && req[j].group == req[i].group {
			j++
		}
		if req[i].simple {
			err = execSimple(ctx, pc, tm, req[i].sql, buf)
		} else {
			err = b.execBatch(ctx, pc, tm, names.(map[string]bool), req[i:j], buf)
		}
		if err != nil {
			err = fmt.Errorf("statements %d to %d of %d: %w", i+1, j, len(req), err)
			break
		}
		i = j
	}
	if pc.TxStatus() != 'I' {
		// Leave the connection as the pool expects it (else it is closed).
		pc.Exec(ctx, "rollback").ReadAll()
	}
	buf.WriteString("</body></html>\n")
	return err
}

// execSimple runs a simple query and writes its rows.
func execSimple(ctx context.Context, pc *pgconn.PgConn, tm *pgtype.Map, sql string, buf *bytes.Buffer) error {
	results, err := pc.Exec(ctx, sql).ReadAll()
	for _, r := range results {
		writeTable(buf, tm, r.FieldDescriptions, r.Rows)
	}
	if err != nil {
		return fmt.Errorf("%.80q: %w", sql, err)
	}
	return nil
}

// execBatch runs prepared statements the portal sent in one round trip
// (one, or a batch) in one round trip, as pgx does (prepared first where
// the connection lacks them), and writes their rows. names is the
// connection's prepared statements; only the goroutine holding the
// connection uses it.
func (b *bareServer) execBatch(ctx context.Context, pc *pgconn.PgConn, tm *pgtype.Map, names map[string]bool, ss []replayStmt, buf *bytes.Buffer) error {
	batch := &pgconn.Batch{}
	for i := range ss {
		s := &ss[i]
		if !names[s.name] {
			if _, err := pc.Prepare(ctx, s.name, s.sql, s.oids); err != nil {
				return fmt.Errorf("prepare %.80q: %w", s.sql, err)
			}
			names[s.name] = true
		}
		batch.ExecPrepared(s.name, s.params, s.paramFormats, s.resultFormats)
	}
	mrr := pc.ExecBatch(ctx, batch)
	var scratch []byte
	for mrr.NextResult() {
		rr := mrr.ResultReader()
		fds := rr.FieldDescriptions()
		writeHead(buf, fds)
		for rr.NextRow() {
			scratch = writeRow(buf, tm, fds, rr.Values(), scratch)
		}
		buf.WriteString("</table>\n")
	}
	if err := mrr.Close(); err != nil {
		return fmt.Errorf("batch of %d from %.80q: %w", len(ss), ss[0].sql, err)
	}
	return nil
}

func writeTable(buf *bytes.Buffer, tm *pgtype.Map, fds []pgconn.FieldDescription, rows [][][]byte) {
	writeHead(buf, fds)
	var scratch []byte
	for _, r := range rows {
		scratch = writeRow(buf, tm, fds, r, scratch)
	}
	buf.WriteString("</table>\n")
}

func writeHead(buf *bytes.Buffer, fds []pgconn.FieldDescription) {
	buf.WriteString("<table>\n<tr>")
	for _, fd := range fds {
		buf.WriteString("<th>")
		template.HTMLEscape(buf, []byte(fd.Name))
		buf.WriteString("</th>")
	}
	buf.WriteString("</tr>\n")
}

// writeRow writes one row as text: text-format values as they are,
// binary ones decoded and encoded as Postgres's text (as the portal
// decodes and formats them), hex for types pgx does not know.
func writeRow(buf *bytes.Buffer, tm *pgtype.Map, fds []pgconn.FieldDescription, vals [][]byte, scratch []byte) []byte {
	buf.WriteString("<tr>")
	for i, v := range vals {
		buf.WriteString("<td>")
		if v != nil && i < len(fds) && fds[i].Format == pgtype.BinaryFormatCode {
			scratch = binaryAsText(tm, fds[i].DataTypeOID, v, scratch[:0])
			v = scratch
		}
		template.HTMLEscape(buf, v)
		buf.WriteString("</td>")
	}
	buf.WriteString("</tr>\n")
	return scratch
}

func binaryAsText(tm *pgtype.Map, oid uint32, v, dst []byte) []byte {
	if t, ok := tm.TypeForOID(oid); ok {
		if val, err := t.Codec.DecodeValue(tm, oid, pgtype.BinaryFormatCode, v); err == nil {
			if out, err := tm.Encode(oid, pgtype.TextFormatCode, val, dst); err == nil {
				return out
			}
		}
	}
	return hex.AppendEncode(dst, v)
}
