package handlers

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/a-h/templ"
	"github.com/cespare/xxhash/v2"

	"github.com/cspportal/portal/auth"
	"github.com/cspportal/portal/internal/i18n"
	"github.com/cspportal/portal/store"
	"github.com/cspportal/portal/web/templates"
)

// renderBufs recycles render buffers: a large page would otherwise grow a
// fresh buffer by doubling on every request (about half of a big page's
// allocations).
var renderBufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooledBuf keeps an unusually large page's buffer out of the pool.
const maxPooledBuf = 4 << 20

// render renders c into a buffer first, so a template error still becomes
// a clean 500, then writes it with status.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, c templ.Component) error {
	buf := renderBufs.Get().(*bytes.Buffer)
	buf.Reset()
	defer func() {
		if buf.Cap() <= maxPooledBuf {
			renderBufs.Put(buf)
		}
	}()
	if err := c.Render(r.Context(), buf); err != nil {
		return fmt.Errorf("render %s: %w", r.URL.Path, err)
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	if revalidate(w, r, status, buf.Bytes()) {
		return nil
	}
	w.WriteHeader(status)
	_, err := buf.WriteTo(w)
	return err
}

// revalidate gives a page read with GET an entity tag, a hash of its
// bytes, and answers 304 Not Modified without them when the browser
// already holds that copy (If-None-Match). The browser may keep the page
// but must ask again before showing it (private, no-cache), and sign-out
// clears what it kept. Hashing what was rendered makes the tag right by
// construction: any change, a sync, a price, the viewer's name, is a
// different tag. A handler that set its own Cache-Control (no-store
// on a page showing a secret) keeps it, and so does any other answer.
func revalidate(w http.ResponseWriter, r *http.Request, status int, body []byte) (notModified bool) {
	h := w.Header()
	if status != http.StatusOK || (r.Method != http.MethodGet && r.Method != http.MethodHead) || h.Get("Cache-Control") != "" {
		h.Set("Cache-Control", cmp.Or(h.Get("Cache-Control"), "no-store"))
		return false
	}
	// xxHash, not SHA-256: a validator needs no secrecy, and at 6 GB/s
	// against 1 it is 40 µs less per 48 KB page; it has no seed, so
	// every replica gives one page the same tag.
	tag := `W/"` + strconv.FormatUint(xxhash.Sum64(body), 36) + `"`
	h.Set("ETag", tag)
	h.Set("Cache-Control", "private, no-cache")
	// An htmx request for the same address gets a fragment, not the page.
	h.Add("Vary", "HX-Request")
	if !etagMatches(r.Header.Get("If-None-Match"), tag) {
		return false
	}
	h.Del("Content-Type")
	w.WriteHeader(http.StatusNotModified)
	return true
}

// etagMatches is If-None-Match's weak comparison (RFC 9110 13.1.2): any
// listed tag equal to tag once W/ is set aside, or "*".
func etagMatches(header, tag string) bool {
	tag = strings.TrimPrefix(tag, "W/")
	for t := range strings.SplitSeq(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == tag {
			return true
		}
	}
	return false
}

func isHTMX(r *http.Request) bool { return r.Header.Get("HX-Request") == "true" }

// page returns the layout data for r: the viewer and the pending flash
// (which it consumes).
func (s *Server) page(r *http.Request, title, active string) templates.Page {
	p := s.basePage(r, title, active)
	if s.sessionLoaded(r) {
		p.Flash = s.popFlash(r)
	}
	return p
}

// basePage is page without the flash, for error pages: the flash stays for
// the next real page.
func (s *Server) basePage(r *http.Request, title, active string) templates.Page {
	p := templates.Page{Title: i18n.Text(r.Context(), title), Active: active, Version: s.d.Version, Dev: s.d.Dev, Path: r.URL.RequestURI()}
	if u := auth.UserFrom(r.Context()); u != nil {
		p.Viewer = &templates.Viewer{Name: u.DisplayName, Email: u.Email, Role: u.Role}
		if u.Role == store.RoleAdmin || u.Role == store.RoleStaff {
			p.Viewer.Provider = s.instance(r.Context()).PartnerMode == store.ModeIndirect
		}
	}
	return p
}

// redirect answers with a redirect that htmx follows as a full navigation.
// A flash this request set is shown by the page it redirects to only.
func redirect(w http.ResponseWriter, r *http.Request, to string) {
	bindFlash(r, to)
	if isHTMX(r) {
		w.Header().Set("HX-Redirect", to)
		w.WriteHeader(http.StatusNoContent)
		return
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// instance is the settings every page reads: loaded with a signed-in
// user's session at no cost, else read (anonymous pages, API calls).
// Unreadable settings read as the defaults: a page still renders.
func (s *Server) instance(ctx context.Context) store.Instance {
	if in, ok := auth.SessionInstance(ctx); ok {
		return in
	}
	st, err := s.st.Settings(ctx)
	if err != nil {
		return store.Instance{}
	}
	return store.Instance{PartnerMode: st.PartnerMode, Cloud: st.PcCloud, DefaultLanguage: st.DefaultLanguage}
}
