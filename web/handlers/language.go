package handlers

import (
	"net/http"
	"strings"
	"time"

	"github.com/cspportal/portal/auth"
	"github.com/cspportal/portal/internal/i18n"
	"github.com/cspportal/portal/pccclient"
)

// langCookie keeps an anonymous visitor's choice of language (signed-in
// users keep theirs in users.language).
const langCookie = "portal_lang"

// language puts the request's language in its context (i18n.From): the
// user's setting, else the visitor's choice, else Accept-Language, else the
// portal's default_language. Partner Center calls made for the request ask
// for the same language (X-Locale).
func (s *Server) language(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		choice := ""
		if u := auth.UserFrom(ctx); u != nil {
			choice = u.Language
		}
		if choice == "" {
			if c, err := r.Cookie(langCookie); err == nil {
				choice = c.Value
			}
		}
		l, ok := i18n.Negotiate(choice, r.Header.Get("Accept-Language"))
		if !ok {
			l = i18n.Pick("", "", s.instance(ctx).DefaultLanguage)
		}
		ctx = i18n.WithLang(ctx, l)
		ctx = pccclient.WithLocale(ctx, l.PCLocale())
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// languageSet is the header's language switch: a signed-in user's choice
// is stored with the user (store.SetUserLanguage), a visitor's in a cookie;
// then back to the page it came from.
func (s *Server) languageSet(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	l, ok := i18n.Parse(r.PostForm.Get("lang"))
	if !ok {
		return &httpError{status: http.StatusBadRequest, msg: "Unknown language."}
	}
	http.SetCookie(w, &http.Cookie{Name: langCookie, Value: string(l), Path: "/", MaxAge: int((365 * 24 * time.Hour).Seconds()),
		HttpOnly: true, Secure: s.d.SecureCookies, SameSite: http.SameSiteLaxMode})
	if u := auth.UserFrom(r.Context()); u != nil {
		if err := s.st.SetUserLanguage(r.Context(), u.ID, string(l)); err != nil {
			return err
		}
	}
	next := r.PostForm.Get("next")
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		next = "/"
	}
	redirect(w, r, next)
	return nil
}
