package mail

import (
	"bytes"
	"html/template"
	"strconv"
	"strings"
	"time"

	"github.com/cspportal/portal/internal/i18n"
)

// The portal's mails. Each has a plain-text body and the same as simple
// HTML (no images, no script, inline-free: mail clients strip styles
// anyway).

var layout = template.Must(template.New("mail").Parse(`<!doctype html><html lang="{{.Lang}}"><body>
<h1>{{.Title}}</h1>
{{range .Paras}}<p>{{.}}</p>
{{end}}{{if .Link}}<p><a href="{{.Link}}">{{.LinkText}}</a></p>
<p>{{.Fallback}}<br>{{.Link}}</p>
{{end}}{{range .After}}<p>{{.}}</p>
{{end}}<p>{{.Signature}}</p>
</body></html>`))

type content struct {
	Lang           i18n.Lang
	Title          string
	Paras          []string
	Link, LinkText string
	After          []string
	// Fallback and Signature are filled by message in Lang.
	Fallback, Signature string
}

func (c content) message(kind, to, subject, key string) Message {
	if c.Lang == "" {
		c.Lang = i18n.English
	}
	c.Fallback, c.Signature = i18n.In(c.Lang, "mail.link_fallback"), i18n.In(c.Lang, "mail.signature")
	var text strings.Builder
	text.WriteString(c.Title + "\n\n")
	for _, p := range c.Paras {
		text.WriteString(p + "\n\n")
	}
	if c.Link != "" {
		text.WriteString(c.LinkText + ":\n" + c.Link + "\n\n")
	}
	for _, p := range c.After {
		text.WriteString(p + "\n\n")
	}
	text.WriteString(c.Signature + "\n")
	var html bytes.Buffer
	_ = layout.Execute(&html, c)
	return Message{To: []string{to}, Subject: subject, Text: text.String(), HTML: html.String(), Kind: kind, Key: key}
}

// PasswordReset is the mail with a one-time link to set a new password,
// in language l.
func PasswordReset(l i18n.Lang, to, link string, valid time.Duration) Message {
	return content{Lang: l, Title: i18n.In(l, "mail.reset.title"),
		Paras: []string{i18n.In(l, "mail.reset.body", to)},
		Link:  link, LinkText: i18n.In(l, "mail.reset.link"),
		After: []string{i18n.In(l, "mail.reset.after", durationText(l, valid))},
	}.message("password_reset", to, i18n.In(l, "mail.reset.subject"), "")
}

// PasswordResetElsewhere answers a reset request for an account that signs
// in with its organisation's account and has no password here.
func PasswordResetElsewhere(l i18n.Lang, to, loginURL string) Message {
	return content{Lang: l, Title: i18n.In(l, "mail.reset_elsewhere.title"),
		Paras: []string{i18n.In(l, "mail.reset_elsewhere.body", to)},
		Link:  loginURL, LinkText: i18n.In(l, "mail.reset_elsewhere.link"),
		After: []string{i18n.In(l, "mail.reset_elsewhere.after")},
	}.message("password_reset", to, i18n.In(l, "mail.reset_elsewhere.subject"), "")
}

// Invitation invites a customer's person to their view of the portal.
func Invitation(l i18n.Lang, to, company, link string, expires time.Time) Message {
	return content{Lang: l, Title: i18n.In(l, "mail.invite.title"),
		Paras: []string{i18n.In(l, "mail.invite.body", company)},
		Link:  link, LinkText: i18n.In(l, "mail.invite.link"),
		After: []string{i18n.In(l, "mail.invite.after", expires.UTC().Format("2006-01-02 15:04 UTC"))},
	}.message("invitation", to, i18n.In(l, "mail.invite.subject", company), "")
}

// Welcome greets a new staff user or admin.
func Welcome(l i18n.Lang, to, role, loginURL string) Message {
	return content{Lang: l, Title: i18n.In(l, "mail.welcome.title"),
		Paras: []string{i18n.In(l, "mail.welcome.body", i18n.In(l, "role."+role), to), i18n.In(l, "mail.welcome.body2")},
		Link:  loginURL, LinkText: i18n.In(l, "mail.welcome.link"),
	}.message("welcome", to, i18n.In(l, "mail.welcome.subject"), "")
}

// Test is the settings page's test mail.
func Test(l i18n.Lang, to string) Message {
	return content{Lang: l, Title: i18n.In(l, "mail.test.title"),
		Paras: []string{i18n.In(l, "mail.test.body")},
	}.message("test", to, i18n.In(l, "mail.test.subject"), "")
}

func durationText(l i18n.Lang, d time.Duration) string {
	switch {
	case d >= time.Hour && d%time.Hour == 0:
		return i18n.In(l, "mail.duration.hours", int(d/time.Hour))
	case d >= time.Minute:
		return d.Truncate(time.Minute).String()
	}
	return d.String()
}

// AlertView is one event in an alert mail.
type AlertView struct {
	Title, Reason, Customer, Due, Link string
}

var alertList = template.Must(template.New("alerts").Parse(`<!doctype html><html lang="en"><body>
<h1>{{.Title}}</h1>
<ul>
{{range .Alerts}}<li><p><strong>{{.Title}}</strong>{{if .Customer}} · {{.Customer}}{{end}}{{if .Due}} · due {{.Due}}{{end}}<br>
{{.Reason}}<br><a href="{{.Link}}">Open in the portal</a></p></li>
{{end}}</ul>
{{if .Home}}<p><a href="{{.Home}}">Everything that needs attention</a></p>{{end}}
<p>— CSP Portal</p>
</body></html>`))

func alertMail(kind, to, subject, title string, alerts []AlertView, home string) Message {
	var text strings.Builder
	text.WriteString(title + "\n\n")
	for _, a := range alerts {
		text.WriteString("* " + a.Title)
		if a.Customer != "" {
			text.WriteString(" · " + a.Customer)
		}
		if a.Due != "" {
			text.WriteString(" · due " + a.Due)
		}
		text.WriteString("\n  " + a.Reason + "\n  " + a.Link + "\n\n")
	}
	if home != "" {
		text.WriteString("Everything that needs attention: " + home + "\n\n")
	}
	text.WriteString("— CSP Portal\n")
	var html bytes.Buffer
	_ = alertList.Execute(&html, map[string]any{"Title": title, "Alerts": alerts, "Home": home})
	return Message{To: []string{to}, Subject: subject, Text: text.String(), HTML: html.String(), Kind: kind}
}

// Alert is one event mailed at once (a reduce window closing today).
func Alert(to string, a AlertView) Message {
	return alertMail("alert", to, a.Title+": "+a.Customer, a.Title, []AlertView{a}, "")
}

// Digest is the day's events that need attention, in one mail.
func Digest(to, day string, alerts []AlertView, home string) Message {
	return alertMail("digest", to, "What needs attention on "+day+" ("+pluralize(len(alerts), "item", "items")+")",
		"What needs attention", alerts, home)
}

func pluralize(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
