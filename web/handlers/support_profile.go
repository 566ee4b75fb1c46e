package handlers

import (
	"net/http"

	"github.com/cspportal/portal/commerce"
	"github.com/cspportal/portal/store"
	"github.com/cspportal/portal/web/templates"
)

// The partner's support profile (issue 21): admins change it in Partner
// Center (commerce.UpdateSupportProfile); customers see it on their
// requests page (supportList).

func contactOf(p *store.SupportProfile) *templates.SupportContact {
	if p == nil || p.Email+p.Telephone+p.Website == "" {
		return nil
	}
	return &templates.SupportContact{Email: p.Email, Telephone: p.Telephone, Website: p.Website}
}

// supportProfileShow is the admins' support profile form.
func (s *Server) supportProfileShow(w http.ResponseWriter, r *http.Request) error {
	return s.renderSupportProfile(w, r, http.StatusOK, nil)
}

func (s *Server) renderSupportProfile(w http.ResponseWriter, r *http.Request, status int, f *templates.Form) error {
	pv, err := s.st.SupportProfilePage(r.Context())
	if err != nil {
		return err
	}
	v := templates.SupportProfileView{Form: templates.NewForm()}
	if p := pv.Profile; p != nil {
		v.Form.Values["email"], v.Form.Values["telephone"], v.Form.Values["website"] = p.Email, p.Telephone, p.Website
		v.Synced = p.SyncedAt.UTC().Format(supportTime)
	}
	if ch := pv.Change; ch != nil {
		v.ChangeStatus, v.ChangeError = ch.Status, ch.LastError
	}
	if f != nil {
		v.Form = *f
	}
	return s.render(w, r, status, templates.SupportProfilePage(s.page(r, "Support profile", "/admin/settings"), v))
}

// supportProfileSave sends the profile to Partner Center.
func (s *Server) supportProfileSave(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	in := commerce.SupportProfileInput{Email: r.PostForm.Get("email"), Telephone: r.PostForm.Get("telephone"), Website: r.PostForm.Get("website")}
	problems, err := s.com.UpdateSupportProfile(r.Context(), actorOf(r), in)
	if err != nil {
		return err
	}
	if len(problems) > 0 {
		f := templates.NewForm()
		f.Values["email"], f.Values["telephone"], f.Values["website"] = in.Email, in.Telephone, in.Website
		f.Errors = problems
		return s.renderSupportProfile(w, r, http.StatusUnprocessableEntity, &f)
	}
	s.flash(r.Context(), "success", "Support profile sent to Partner Center.")
	redirect(w, r, "/admin/settings/support-profile")
	return nil
}
