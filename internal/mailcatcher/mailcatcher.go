// Package mailcatcher is a real SMTP server that keeps what it receives in
// memory and shows it in a browser: `portal dev` sends the portal's mail
// to it, and tests send through it and read what arrived. It accepts any
// sender and recipient, with or without AUTH PLAIN, and never relays.
package mailcatcher

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
	"log"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/mail"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Message is one mail the catcher received.
type Message struct {
	ID        int
	At        time.Time
	From      string
	To        []string
	Subject   string
	MessageID string
	Text      string // the text/plain part (decoded)
	HTML      string // the text/html part (decoded)
	Raw       []byte
}

// Catcher is a running mail catcher.
type Catcher struct {
	srv *smtp.Server
	ln  net.Listener

	mu   sync.Mutex
	msgs []Message
	down bool // refuse mail (tests of an SMTP outage)
	wait chan struct{}
}

// Start listens for SMTP on addr ("127.0.0.1:0" picks a free port).
func Start(addr string) (*Catcher, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("mailcatcher: %w", err)
	}
	c := &Catcher{ln: ln, wait: make(chan struct{})}
	s := smtp.NewServer(c)
	s.Domain = "mailcatcher.local"
	s.AllowInsecureAuth = true
	s.ReadTimeout, s.WriteTimeout = time.Minute, time.Minute
	s.MaxMessageBytes = 10 << 20
	s.ErrorLog = log.New(io.Discard, "", 0)
	c.srv = s
	go func() { _ = s.Serve(ln) }()
	return c, nil
}

// Addr is the SMTP address (host:port).
func (c *Catcher) Addr() string { return c.ln.Addr().String() }

// Host and Port split Addr.
func (c *Catcher) Host() string { h, _, _ := net.SplitHostPort(c.Addr()); return h }

// Port is the SMTP port.
func (c *Catcher) Port() int {
	_, p, _ := net.SplitHostPort(c.Addr())
	n, _ := strconv.Atoi(p)
	return n
}

// Close stops the server.
func (c *Catcher) Close() error { return c.srv.Close() }

// SetDown makes the server refuse every message with a temporary error
// (421), as a mail server that is down for maintenance would.
func (c *Catcher) SetDown(down bool) {
	c.mu.Lock()
	c.down = down
	c.mu.Unlock()
}

// Messages returns what arrived, oldest first.
func (c *Catcher) Messages() []Message {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Message(nil), c.msgs...)
}

// To returns the messages sent to addr, oldest first.
func (c *Catcher) To(addr string) []Message {
	var out []Message
	for _, m := range c.Messages() {
		for _, t := range m.To {
			if strings.EqualFold(t, addr) {
				out = append(out, m)
				break
			}
		}
	}
	return out
}

// Wait waits until pred holds for the messages or the timeout passes, and
// returns the messages as they are then.
func (c *Catcher) Wait(timeout time.Duration, pred func([]Message) bool) []Message {
	deadline := time.After(timeout)
	for {
		c.mu.Lock()
		msgs, wait := append([]Message(nil), c.msgs...), c.wait
		c.mu.Unlock()
		if pred(msgs) {
			return msgs
		}
		select {
		case <-wait:
		case <-deadline:
			return msgs
		}
	}
}

func (c *Catcher) add(m Message) {
	c.mu.Lock()
	m.ID = len(c.msgs) + 1
	c.msgs = append(c.msgs, m)
	close(c.wait)
	c.wait = make(chan struct{})
	c.mu.Unlock()
}

// NewSession implements smtp.Backend.
func (c *Catcher) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{c: c}, nil }

type session struct {
	c    *Catcher
	from string
	to   []string
}

func (s *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(string, string, string) error { return nil }), nil
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	s.c.mu.Lock()
	down := s.c.down
	s.c.mu.Unlock()
	if down {
		return &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 3, 2}, Message: "Service not available, try again later"}
	}
	s.from = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m := Message{At: time.Now(), From: s.from, To: s.to, Raw: raw}
	if pm, err := mail.ReadMessage(bytes.NewReader(raw)); err == nil {
		dec := new(mime.WordDecoder)
		m.Subject, _ = dec.DecodeHeader(pm.Header.Get("Subject"))
		m.MessageID = pm.Header.Get("Message-Id")
		m.Text, m.HTML = bodies(pm.Header.Get("Content-Type"), pm.Header.Get("Content-Transfer-Encoding"), pm.Body)
	}
	s.c.add(m)
	return nil
}

func (s *session) Reset()        { s.from, s.to = "", nil }
func (s *session) Logout() error { return nil }

// bodies finds the text/plain and text/html parts of a message body.
func bodies(contentType, encoding string, body io.Reader) (text, html string) {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		mt = "text/plain"
	}
	if strings.HasPrefix(mt, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextPart()
			if err != nil {
				return text, html
			}
			t, h := bodies(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p)
			text, html = cmpOr(text, t), cmpOr(html, h)
		}
	}
	b, _ := io.ReadAll(decode(encoding, body))
	if mt == "text/html" {
		return "", string(b)
	}
	return string(b), ""
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func decode(encoding string, r io.Reader) io.Reader {
	switch strings.ToLower(encoding) {
	case "quoted-printable":
		return quotedprintable.NewReader(r)
	case "base64":
		return base64Reader(r)
	}
	return r
}

// Handler shows the inbox: the list, newest first, and one message.
func (c *Catcher) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		msgs := c.Messages()
		for i, j := 0, len(msgs)-1; i < j; i, j = i+1, j-1 {
			msgs[i], msgs[j] = msgs[j], msgs[i]
		}
		page(w, inboxTmpl, msgs)
	})
	mux.HandleFunc("GET /messages/{id}", func(w http.ResponseWriter, r *http.Request) {
		id, _ := strconv.Atoi(r.PathValue("id"))
		msgs := c.Messages()
		if id < 1 || id > len(msgs) {
			http.NotFound(w, r)
			return
		}
		page(w, messageTmpl, msgs[id-1])
	})
	mux.HandleFunc("GET /messages/{id}/html", func(w http.ResponseWriter, r *http.Request) {
		id, _ := strconv.Atoi(r.PathValue("id"))
		msgs := c.Messages()
		if id < 1 || id > len(msgs) || msgs[id-1].HTML == "" {
			http.NotFound(w, r)
			return
		}
		// The mail's own HTML, sandboxed: no script, no requests out.
		w.Header().Set("Content-Security-Policy", "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, msgs[id-1].HTML)
	})
	return mux
}

func page(w http.ResponseWriter, t *template.Template, data any) {
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src data:; frame-src 'self'")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := t.Execute(w, data); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
	}
}

var inboxTmpl = template.Must(template.New("inbox").Parse(`<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,">
<title>Mail catcher · CSP Portal (dev)</title></head><body>
<h1>Mail the portal sent</h1>
<p>Development only: the portal's SMTP settings point here, and nothing leaves this machine.</p>
{{if not .}}<p data-testid="inbox-empty">No mail yet.</p>{{else}}
<table data-testid="inbox"><thead><tr><th>When</th><th>To</th><th>Subject</th></tr></thead><tbody>
{{range .}}<tr><td>{{.At.Format "2006-01-02 15:04:05"}}</td><td>{{range .To}}{{.}} {{end}}</td>
<td><a href="messages/{{.ID}}">{{.Subject}}</a></td></tr>{{end}}
</tbody></table>{{end}}</body></html>`))

var messageTmpl = template.Must(template.New("message").Parse(`<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,">
<title>{{.Subject}} · Mail catcher</title></head><body>
<p><a href="../">Inbox</a></p>
<h1>{{.Subject}}</h1>
<p>From {{.From}} to {{range .To}}{{.}} {{end}} at {{.At.Format "2006-01-02 15:04:05"}}</p>
<h2>Text</h2><pre data-testid="mail-text">{{.Text}}</pre>
{{if .HTML}}<h2>HTML</h2><iframe src="{{.ID}}/html" title="HTML version" width="100%" height="600"></iframe>{{end}}
</body></html>`))
