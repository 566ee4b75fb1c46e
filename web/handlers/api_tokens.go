package handlers

import (
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"

	"github.com/cspportal/portal/auth"
	"github.com/cspportal/portal/store"
	"github.com/cspportal/portal/web/templates"
)

// apiTokenList is a reseller user's API tokens page.
func (s *Server) apiTokenList(w http.ResponseWriter, r *http.Request) error {
	return s.renderAPITokens(w, r, http.StatusOK, templates.NewForm(), "", "")
}

func (s *Server) renderAPITokens(w http.ResponseWriter, r *http.Request, status int, f templates.Form, newToken, newName string) error {
	u := auth.UserFrom(r.Context())
	if u == nil || u.ResellerID == nil {
		return errForbidden
	}
	toks, err := s.st.APITokens(r.Context(), u.ID)
	if err != nil {
		return err
	}
	v := templates.APITokensView{Form: f, NewToken: newToken, NewName: newName}
	for _, t := range toks {
		id := strconv.FormatInt(t.ID, 10)
		v.Tokens = append(v.Tokens, templates.APITokenView{ID: id, Name: t.Name, Scope: scopeLabel(t.Scope), Created: fmtTime(&t.CreatedAt),
			LastUsed: fmtTime(t.LastUsedAt), Revoked: fmtTime(t.RevokedAt), RevokeHref: "/reseller/api-tokens/" + id + "/revoke"})
	}
	return s.render(w, r, status, templates.APITokensPage(s.page(r, "API tokens", "/reseller/api-tokens"), v))
}

func scopeLabel(scope string) string {
	if scope == store.ScopeReadWrite {
		return "read and write"
	}
	return "read"
}

// apiTokenCreate makes a token and shows it once on the page it answers
// (never in a redirect, which would put it in a URL or a flash cookie).
func (s *Server) apiTokenCreate(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	f := templates.NewForm()
	f.Values["name"], f.Values["scope"] = r.PostForm.Get("name"), r.PostForm.Get("scope")
	tok, problems, err := s.com.CreateAPIToken(r.Context(), actorOf(r), f.Get("name"), f.Get("scope"))
	if err != nil {
		return err
	}
	if len(problems) > 0 {
		f.Errors = problems
		return s.renderAPITokens(w, r, http.StatusUnprocessableEntity, f, "", "")
	}
	w.Header().Set("Cache-Control", "no-store")
	return s.renderAPITokens(w, r, http.StatusOK, templates.NewForm(), tok, f.Get("name"))
}

// apiTokenRevoke revokes one of the user's own tokens; another user's is
// not found.
func (s *Server) apiTokenRevoke(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(chi.URLParam(r, "tid"), 10, 64)
	if err != nil {
		return store.ErrNotFound
	}
	if err := s.com.RevokeAPIToken(r.Context(), actorOf(r), id); err != nil {
		return err
	}
	s.flash(r.Context(), "success", "The token is revoked: tools using it get 401 from now on.")
	redirect(w, r, "/reseller/api-tokens")
	return nil
}
