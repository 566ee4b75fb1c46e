package testdb

import (
	"context"
	"errors"
	"net"
	"sync"
)

// Mortal is the database side of a process a test kills: set Dial as a
// pool's DialFunc, and after Kill every connection it opened is closed and
// no new one opens, so nothing that process does afterwards reaches
// Postgres (a kill -9 as the database sees it).
type Mortal struct {
	mu    sync.Mutex
	dead  bool
	conns []net.Conn
}

// Dial opens a connection unless the process is dead.
func (d *Mortal) Dial(ctx context.Context, network, addr string) (net.Conn, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.dead {
		return nil, errors.New("process is dead")
	}
	c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
	if err == nil {
		d.conns = append(d.conns, c)
	}
	return c, err
}

// Kill closes every connection and refuses new ones.
func (d *Mortal) Kill() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.dead = true
	for _, c := range d.conns {
		c.Close()
	}
}

// Dead reports whether Kill ran.
func (d *Mortal) Dead() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.dead
}
