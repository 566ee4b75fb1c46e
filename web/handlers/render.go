package handlers

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"sync"

	"github.com/a-h/templ"

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
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, err := buf.WriteTo(w)
	return err
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
