package main

import (
	"fmt"
	"slices"
	"testing"
)

// TestForeground checks that River's transactions go whole, that a
// transaction cut by the window's edge goes, and that the rest keeps
// its order connection by connection.
func TestForeground(t *testing.T) {
	q := func(conn int64, sql string) stmt { return stmt{conn: conn, simple: true, sql: sql} }
	x := func(conn int64, sql string) stmt { return stmt{conn: conn, sql: sql} }
	in := []stmt{
		x(1, "SELECT session"),
		q(2, "begin"),
		x(3, "UPDATE river_leader SET expires_at = now()"),
		x(2, "SELECT customer"),
		q(3, "commit"), // River's, begun before the window
		x(1, "SELECT idle poll"),
		x(2, "SELECT subscriptions"),
		q(2, "commit"),
		q(4, "begin"),
		x(4, "SELECT river_job"),
		x(4, "SELECT a page of jobs"),
		q(4, "commit"),
		x(1, "SELECT audit"),
		q(5, "begin"), // still open when the request ended
		x(5, "SELECT cut"),
	}
	var got []string
	for _, s := range foreground(in, map[string]bool{"SELECT idle poll": true}) {
		got = append(got, s.sql)
	}
	want := []string{"SELECT session", "SELECT audit", "begin", "SELECT customer", "SELECT subscriptions", "commit"}
	if !slices.Equal(got, want) {
		t.Fatalf("foreground = %q, want %q", got, want)
	}
}

// TestDropRare checks that a statement only one request ran is dropped
// and the page's own ones stay.
func TestDropRare(t *testing.T) {
	var c captured
	for i := range 10 {
		req := []stmt{{sql: "SELECT session"}, {sql: fmt.Sprintf("SELECT page OFFSET %d", i*50)}}
		if i == 3 {
			req = append(req, stmt{sql: "SELECT counts"})
		}
		c.reqs = append(c.reqs, req)
	}
	c.dropRare()
	if len(c.refreshes) != 1 || len(c.reqs[3]) != 2 || c.perRequest() != 2 {
		t.Fatalf("refreshes %q, request 3 %v", c.refreshes, c.reqs[3])
	}
}
