package handlers

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Input at the edge: Postgres refuses NUL bytes and invalid UTF-8 in text,
// which surfaced as 500 pages; one middleware refuses them first, for the
// path, the query and url-encoded form bodies, with 400 and a message.

// errBadText is the 400 every page gives for a NUL byte or invalid UTF-8.
var errBadText = &httpError{status: http.StatusBadRequest,
	msg: "The request contains characters the portal cannot accept (a NUL byte or invalid UTF-8). Remove them and try again."}

// errTooLarge is the 413 for a body over maxBodyBytes.
var errTooLarge = &httpError{status: http.StatusRequestEntityTooLarge,
	msg: "The request is too large for the portal to accept."}

// cleanText reports whether s is valid UTF-8 without NUL bytes.
func cleanText(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}

// cleanValues reports whether every key and value of v is clean text.
func cleanValues(v url.Values) bool {
	for k, vs := range v {
		if !cleanText(k) {
			return false
		}
		for _, s := range vs {
			if !cleanText(s) {
				return false
			}
		}
	}
	return true
}

// checkInput refuses requests whose path, query or url-encoded body holds
// a NUL byte or invalid UTF-8 (400), whose query does not parse (400), or
// whose body is over the limit (413). A url-encoded body is read here
// (it is small: limitBody caps it) and handed on unchanged.
func (s *Server) checkInput(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := checkRequest(r); err != nil {
			s.serveError(w, r, err)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// checkRequest is checkInput's test; on success a url-encoded body has
// been buffered back into r.Body.
func checkRequest(r *http.Request) error {
	if !cleanText(r.URL.Path) {
		return errBadText
	}
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return &httpError{status: http.StatusBadRequest, msg: "The address's query string could not be read."}
	}
	if !cleanValues(q) {
		return errBadText
	}
	if r.Body == nil || r.Body == http.NoBody {
		return nil
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "application/x-www-form-urlencoded" {
		return nil
	}
	b, err := io.ReadAll(r.Body)
	r.Body.Close()
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return errTooLarge
		}
		return &httpError{status: http.StatusBadRequest, msg: "The form could not be read."}
	}
	r.Body = io.NopCloser(bytes.NewReader(b))
	form, err := url.ParseQuery(string(b))
	if err != nil {
		return &httpError{status: http.StatusBadRequest, msg: "The form could not be read."}
	}
	if !cleanValues(form) {
		return errBadText
	}
	return nil
}

// maxPage is the highest page number a list accepts: far past any real
// list, and (page-1) x page size stays well inside Postgres's int4.
const maxPage = 100_000

// pageParam is the list page asked for in s, within 1..maxPage.
func pageParam(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 1
	}
	return min(n, maxPage)
}

// Search terms are capped: a catalog search of 50,000 words exhausted
// Postgres's stack. The first maxSearchWords words of at most
// maxSearchRunes characters are kept.
const (
	maxSearchRunes = 200
	maxSearchWords = 12
)

// searchTerms trims and caps a search box's text.
func searchTerms(s string) string {
	words := strings.Fields(s)
	if len(words) > maxSearchWords {
		words = words[:maxSearchWords]
	}
	s = strings.Join(words, " ")
	if utf8.RuneCountInString(s) > maxSearchRunes {
		s = string([]rune(s)[:maxSearchRunes])
	}
	return strings.TrimSpace(s)
}
