package main

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// pgProxy is a TCP proxy between the portal and Postgres that records the
// statements the portal runs, so the bare handler can replay the same SQL
// with the same parameters. It forwards bytes both ways untouched and
// reads only the client's stream (the frontend protocol), so it needs no
// TLS: the portal must connect with sslmode=disable.
type pgProxy struct {
	ln       net.Listener
	upstream string

	recording atomic.Bool
	nextConn  atomic.Int64

	mu       sync.Mutex
	recorded []stmt
	conns    map[net.Conn]struct{}
	closed   bool
	wg       sync.WaitGroup
}

// stmt is one statement execution seen on the wire: a Bind of a prepared
// (or unnamed) statement, or a simple query.
type stmt struct {
	at     time.Time
	conn   int64 // the proxy's number for the client connection
	simple bool  // a simple query ('Q'): sql may hold several statements
	// group numbers the client's round trips on conn: statements sent
	// before one Sync (a pgx batch) share it, and the bare handler
	// replays them the same way, in one round trip.
	group  int64
	sql    string
	oids   []uint32 // parameter types as the client's Parse gave them
	params [][]byte // raw values, nil for NULL
	// The format codes as in Bind: none means all text, one applies to all.
	paramFormats, resultFormats []int16
}

// startProxy listens on a free loopback port and forwards each connection
// to upstream (host:port).
func startProxy(upstream string) (*pgProxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("proxy listen: %w", err)
	}
	p := &pgProxy{ln: ln, upstream: upstream, conns: map[net.Conn]struct{}{}}
	p.wg.Add(1)
	go p.accept()
	return p, nil
}

// addr is the proxy's host:port.
func (p *pgProxy) addr() string { return p.ln.Addr().String() }

// close stops accepting, cuts every connection and waits for the
// forwarding goroutines.
func (p *pgProxy) close() {
	p.ln.Close()
	p.mu.Lock()
	p.closed = true
	for c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

// record switches recording on or off; switching it on drops what was
// recorded before.
func (p *pgProxy) record(on bool) {
	if on {
		p.mu.Lock()
		p.recorded = nil
		p.mu.Unlock()
	}
	p.recording.Store(on)
}

// take returns what was recorded and forgets it.
func (p *pgProxy) take() []stmt {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := p.recorded
	p.recorded = nil
	return out
}

func (p *pgProxy) track(c net.Conn, add bool) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if add {
		if p.closed {
			return false
		}
		p.conns[c] = struct{}{}
	} else {
		delete(p.conns, c)
	}
	return true
}

func (p *pgProxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			p.serve(c)
		}()
	}
}

// serve forwards one client connection until either side closes.
func (p *pgProxy) serve(client net.Conn) {
	server, err := net.Dial("tcp", p.upstream)
	if err != nil {
		client.Close()
		return
	}
	if !p.track(client, true) {
		client.Close()
		server.Close()
		return
	}
	p.track(server, true)
	defer func() {
		client.Close()
		server.Close()
		p.track(client, false)
		p.track(server, false)
	}()
	done := make(chan struct{})
	go func() {
		// Server to client needs no parsing: io.Copy can splice.
		io.Copy(client, server)
		client.Close()
		close(done)
	}()
	var recording bool
	fp := &frontendParser{onMessage: p.messageHandler(p.nextConn.Add(1), &recording)}
	buf := make([]byte, 32<<10)
	for {
		n, err := client.Read(buf)
		if n > 0 {
			// Whether these bytes are recorded is decided before they
			// are forwarded: once forwarded, the server may answer and
			// the harness switch recording before they are parsed.
			recording = p.recording.Load()
			// Forward first: parsing must never delay the server.
			if _, werr := server.Write(buf[:n]); werr != nil {
				break
			}
			fp.feed(buf[:n])
		}
		if err != nil {
			break
		}
	}
	server.Close()
	<-done
}

// messageHandler keeps one connection's prepared statements (pgx caches
// them per connection, so later executions send only a Bind naming one)
// and records executions while *recording is on (as it was when their
// bytes arrived).
func (p *pgProxy) messageHandler(conn int64, recording *bool) func(typ byte, body []byte) {
	type prepared struct {
		sql  string
		oids []uint32
	}
	named := map[string]prepared{}
	var group int64
	return func(typ byte, body []byte) {
		r := &msgReader{b: body}
		switch typ {
		case 'S':
			group++
		case 'P':
			name, sql := r.cstring(), r.cstring()
			oids := make([]uint32, r.int16())
			for i := range oids {
				oids[i] = uint32(r.int32())
			}
			if r.err == nil {
				named[name] = prepared{sql: sql, oids: oids}
			}
		case 'C':
			if r.byte() == 'S' {
				delete(named, r.cstring())
			}
		case 'B':
			if !*recording {
				return
			}
			r.cstring() // portal
			ps, ok := named[r.cstring()]
			if !ok {
				return
			}
			s := stmt{at: time.Now(), conn: conn, group: group, sql: ps.sql, oids: ps.oids}
			s.paramFormats = r.int16s()
			s.params = make([][]byte, max(0, r.int16()))
			for i := range s.params {
				if n := r.int32(); n >= 0 {
					s.params[i] = bytes.Clone(r.bytes(int(n)))
				}
			}
			s.resultFormats = r.int16s()
			if r.err == nil {
				p.add(s)
			}
		case 'Q':
			// A simple query is a round trip of its own.
			group++
			if *recording {
				if sql := r.cstring(); r.err == nil {
					p.add(stmt{at: time.Now(), conn: conn, group: group, simple: true, sql: sql})
				}
			}
			group++
		}
	}
}

func (p *pgProxy) add(s stmt) {
	p.mu.Lock()
	p.recorded = append(p.recorded, s)
	p.mu.Unlock()
}

// Codes of the untyped messages a client may send first.
const (
	sslRequestCode    = 80877103
	gssEncRequestCode = 80877104
	cancelRequestCode = 80877102
)

// frontendParser splits a client's byte stream into messages: first an
// untyped startup packet (int32 length including itself, then an int32
// code), then typed ones (a type byte, then an int32 length including
// itself but not the type). Only the messages handled are buffered; the
// bodies of others (COPY data, say) are skipped as they stream past.
type frontendParser struct {
	onMessage func(typ byte, body []byte)
	started   bool // the startup packet has been seen
	dead      bool // the stream is not what we expected (TLS, a cancel): stop
	pending   []byte
	skip      int // bytes of an unwanted message still to come
}

// wanted are the typed messages the handler reads.
func wanted(typ byte) bool { return typ == 'P' || typ == 'B' || typ == 'Q' || typ == 'C' || typ == 'S' }

func (f *frontendParser) feed(b []byte) {
	for len(b) > 0 && !f.dead {
		if f.skip > 0 {
			n := min(f.skip, len(b))
			f.skip -= n
			b = b[n:]
			continue
		}
		f.pending = append(f.pending, b...)
		b = nil
		f.drain()
	}
}

// drain consumes the complete messages in pending.
func (f *frontendParser) drain() {
	for !f.dead {
		pb := f.pending
		if !f.started {
			if len(pb) < 8 {
				return
			}
			n := int(binary.BigEndian.Uint32(pb))
			if n < 8 || n > 10000 {
				f.dead = true
				return
			}
			if len(pb) < n {
				return
			}
			switch binary.BigEndian.Uint32(pb[4:]) {
			case sslRequestCode, gssEncRequestCode:
				// Refused (sslmode=disable) means a startup packet follows;
				// accepted means TLS, which then fails to parse as one.
			case cancelRequestCode:
				f.dead = true
			default:
				f.started = true
			}
			f.pending = pb[n:]
			continue
		}
		if len(pb) < 5 {
			return
		}
		typ, n := pb[0], int(binary.BigEndian.Uint32(pb[1:]))
		if n < 4 {
			f.dead = true
			return
		}
		total := 1 + n
		if !wanted(typ) {
			if len(pb) >= total {
				f.pending = pb[total:]
				continue
			}
			f.skip = total - len(pb)
			f.pending = pb[:0]
			return
		}
		if len(pb) < total {
			return
		}
		f.onMessage(typ, pb[5:total])
		f.pending = pb[total:]
		if len(f.pending) == 0 {
			// Reuse the buffer from its start rather than growing it.
			f.pending = pb[:0]
		}
	}
}

// msgReader reads a message body's fields; a short body sets err and
// makes every later read return zero values.
type msgReader struct {
	b   []byte
	err error
}

var errShort = errors.New("message too short")

func (r *msgReader) need(n int) bool {
	if r.err != nil || n < 0 || len(r.b) < n {
		r.err = errShort
		return false
	}
	return true
}

func (r *msgReader) byte() byte {
	if !r.need(1) {
		return 0
	}
	v := r.b[0]
	r.b = r.b[1:]
	return v
}

func (r *msgReader) int16() int {
	if !r.need(2) {
		return 0
	}
	v := int16(binary.BigEndian.Uint16(r.b))
	r.b = r.b[2:]
	return int(v)
}

func (r *msgReader) int32() int32 {
	if !r.need(4) {
		return 0
	}
	v := int32(binary.BigEndian.Uint32(r.b))
	r.b = r.b[4:]
	return v
}

func (r *msgReader) int16s() []int16 {
	out := make([]int16, max(0, r.int16()))
	for i := range out {
		out[i] = int16(r.int16())
	}
	return out
}

func (r *msgReader) bytes(n int) []byte {
	if !r.need(n) {
		return nil
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v
}

func (r *msgReader) cstring() string {
	if r.err != nil {
		return ""
	}
	i := bytes.IndexByte(r.b, 0)
	if i < 0 {
		r.err = errShort
		return ""
	}
	v := string(r.b[:i])
	r.b = r.b[i+1:]
	return v
}
