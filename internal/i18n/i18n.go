// Package i18n holds the portal's message catalogs (English and Simplified
// Chinese) and picks a request's language: the user's setting, else the
// browser's Accept-Language, else the portal's default. Messages are
// looked up by key with golang.org/x/text/message; a sentence is one
// message with its arguments in place (never concatenated), and counts go
// through x/text's plural rules. Money renders amounts with CLDR's
// currency symbols for each language.
package i18n

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/message/catalog"
)

// Lang is a language the portal speaks, as stored in users.language and
// settings.default_language ("en", "zh-Hans").
type Lang string

// Languages.
const (
	English           Lang = "en"
	SimplifiedChinese Lang = "zh-Hans"
)

// Langs lists the languages, the default first (the header's switch).
var Langs = []Lang{English, SimplifiedChinese}

// Tag is the BCP 47 tag of l (the lang attribute of <html>).
func (l Lang) Tag() string { return string(l) }

// Name is l's name in l itself (the language switch shows each language
// in its own words).
func (l Lang) Name() string {
	if l == SimplifiedChinese {
		return "中文"
	}
	return "English"
}

// PCLocale is the X-Locale Partner Center is asked with for l.
func (l Lang) PCLocale() string {
	if l == SimplifiedChinese {
		return "zh-CN"
	}
	return "en-US"
}

// Parse reads a stored or submitted language; ok is false for anything
// the portal does not speak.
func Parse(s string) (Lang, bool) {
	switch s {
	case "en", "en-US", "en-GB":
		return English, true
	case "zh-Hans", "zh", "zh-CN", "zh-SG", "zh-Hans-CN":
		return SimplifiedChinese, true
	}
	return English, false
}

var matcher = language.NewMatcher([]language.Tag{language.English, language.SimplifiedChinese})

// Pick chooses a request's language: the user's setting, else the best
// match of the Accept-Language header, else the portal's default.
func Pick(user, acceptLanguage, portalDefault string) Lang {
	if l, ok := Negotiate(user, acceptLanguage); ok {
		return l
	}
	if l, ok := Parse(portalDefault); ok {
		return l
	}
	return English
}

// Negotiate is Pick without the portal's default: ok is false when
// neither the user's setting nor Accept-Language names a language the
// portal speaks (the caller then reads the default, which costs a query).
func Negotiate(user, acceptLanguage string) (Lang, bool) {
	if l, ok := Parse(user); ok {
		return l, true
	}
	if acceptLanguage != "" {
		tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
		if err == nil && len(tags) > 0 {
			if _, idx, conf := matcher.Match(tags...); conf != language.No {
				return Langs[idx], true
			}
		}
	}
	return English, false
}

type ctxKey struct{}

// WithLang returns ctx carrying l.
func WithLang(ctx context.Context, l Lang) context.Context {
	return context.WithValue(ctx, ctxKey{}, l)
}

// From returns ctx's language (English when none was set).
func From(ctx context.Context) Lang {
	if l, ok := ctx.Value(ctxKey{}).(Lang); ok {
		return l
	}
	return English
}

var (
	cat      = catalog.NewBuilder(catalog.Fallback(language.English))
	printers = map[Lang]*message.Printer{}
)

func tagOf(l Lang) language.Tag {
	if l == SimplifiedChinese {
		return language.SimplifiedChinese
	}
	return language.English
}

func init() {
	for l, msgs := range map[Lang]map[string]string{English: en, SimplifiedChinese: zhHans} {
		for k, v := range msgs {
			if err := cat.SetString(tagOf(l), k, v); err != nil {
				panic(fmt.Sprintf("i18n: %s %s: %v", l, k, err))
			}
		}
	}
	for l, msgs := range map[Lang]map[string]Plural{English: enPlural, SimplifiedChinese: zhHansPlural} {
		stringPlurals[l] = map[string]stringPlural{}
		for k, p := range msgs {
			cases := []any{"one", p.One, "other", p.Other}
			if l == SimplifiedChinese { // Chinese has the plural category "other" only
				cases, p.One = []any{"other", p.Other}, p.Other
			}
			if err := cat.Set(tagOf(l), k, plural.Selectf(1, "%d", cases...)); err != nil {
				panic(fmt.Sprintf("i18n: %s %s: %v", l, k, err))
			}
			n1, ok1 := indexedStringVerbs(p.One)
			n2, ok2 := indexedStringVerbs(p.Other)
			if ok1 && ok2 {
				stringPlurals[l][k] = stringPlural{p, max(n1, n2, 1)}
			}
		}
	}
	for _, l := range Langs {
		printers[l] = message.NewPrinter(tagOf(l), message.Catalog(cat))
	}
	// Most messages have no arguments: each is formatted once here, and a
	// page's dozens of labels cost a map lookup each instead of a Sprintf.
	for l, msgs := range map[Lang]map[string]string{English: en, SimplifiedChinese: zhHans} {
		plain[l] = make(map[string]string, len(msgs))
		stringVerbs[l] = map[string]stringMessage{}
		for k, v := range msgs {
			plain[l][k] = printers[l].Sprintf(k)
			if n, ok := stringVerbCount(v); ok {
				stringVerbs[l][k] = stringMessage{v, n}
			}
		}
	}
}

// isMessage reports whether key is a message or a plural message.
func isMessage(key string) bool {
	_, ok := en[key]
	if !ok {
		_, ok = enPlural[key]
	}
	return ok
}

// plain holds each language's messages formatted without arguments.
var plain = map[Lang]map[string]string{}

// stringVerbs holds each language's messages whose verbs are all %s:
// given as many strings, fmt formats them as the printer does, in a third
// of its time (the printer looks the message up and parses it on every
// call, about 300 ns). With other arguments, or another number of them
// (the printer drops extra ones, fmt prints them), the printer formats.
var stringVerbs = map[Lang]map[string]stringMessage{}

type stringMessage struct {
	format string
	args   int
}

// stringVerbCount is the number of verbs of format when each is %s (%%
// is no verb); ok is false when another verb is there.
func stringVerbCount(format string) (n int, ok bool) {
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			continue
		}
		i++
		switch {
		case i < len(format) && format[i] == '%':
		case i < len(format) && format[i] == 's':
			n++
		default:
			return 0, false
		}
	}
	return n, true
}

// stringPlurals holds each language's plural messages whose forms print
// strings only, by index (%[2]s), never the count: given the count as an
// int and strings, the form is picked by the language's plural rules
// and fmt formats it as the printer does (the printer looked the message
// up and parsed it on every call: 5 % of the renewal calendar's CPU).
// args is the number of arguments the forms use, the count included.
var stringPlurals = map[Lang]map[string]stringPlural{}

type stringPlural struct {
	Plural
	args int
}

// indexedStringVerbs is the highest argument index of format's verbs
// when each is %[n]s with n >= 2 (the count, argument 1, is not
// printed; %% is no verb); ok is false for any other verb.
func indexedStringVerbs(format string) (highest int, ok bool) {
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			continue
		}
		i++
		if i < len(format) && format[i] == '%' {
			continue
		}
		if i >= len(format) || format[i] != '[' {
			return 0, false
		}
		j := strings.IndexByte(format[i:], ']')
		if j < 0 || i+j+1 >= len(format) || format[i+j+1] != 's' {
			return 0, false
		}
		n, err := strconv.Atoi(format[i+1 : i+j])
		if err != nil || n < 2 {
			return 0, false
		}
		highest, i = max(highest, n), i+j+1
	}
	return highest, true
}

// allStrings says whether every argument is a string.
func allStrings(args []any) bool {
	for _, a := range args {
		if _, ok := a.(string); !ok {
			return false
		}
	}
	return true
}

// Plural is a message with a count as its first argument: One for the
// plural category "one" (English: 1), Other for the rest (Chinese has
// only Other).
type Plural struct{ One, Other string }

// T is the message key in ctx's language, with args in place.
func T(ctx context.Context, key string, args ...any) string { return In(From(ctx), key, args...) }

// In is the message key in l, with args in place. An unknown key comes
// back as the key itself, so a missing message shows rather than hides.
func In(l Lang, key string, args ...any) string {
	if len(args) == 0 {
		if s, ok := plain[l][key]; ok {
			return s
		}
		// Not a message (a status PC added since, a code shown as it
		// is): the printer would look it up and parse it as a format,
		// giving the key itself back, 5 % of a customer page's time.
		if !isMessage(key) && !strings.ContainsRune(key, '%') {
			return key
		}
	}
	if m, ok := stringVerbs[l][key]; ok && len(args) == m.args && allStrings(args) {
		return fmt.Sprintf(m.format, args...)
	}
	if m, ok := stringPlurals[l][key]; ok && len(args) == m.args && len(args) > 0 {
		if n, isInt := args[0].(int); isInt && allStrings(args[1:]) {
			form := m.Other
			if plural.Cardinal.MatchPlural(tagOf(l), n, 0, 0, 0, 0) == plural.One {
				form = m.One
			}
			return fmt.Sprintf(form, args...)
		}
	}
	p := printers[l]
	if p == nil {
		p = printers[English]
	}
	return p.Sprintf(key, args...)
}

// Msgs is one area's messages, each key with its text in English and in
// Simplified Chinese side by side, so a page's translations sit in one
// place (catalog_*.go).
type Msgs map[string][2]string

// Plurals is one area's messages with a count, English then Chinese.
type Plurals map[string][2]Plural

// register adds an area's messages to the catalogs; it runs while the
// package's variables are set (var _ = register(...)), before init builds
// the printers. A key defined twice is a programming error.
func register(m Msgs, p Plurals) bool {
	for k, v := range m {
		if _, dup := en[k]; dup {
			panic("i18n: message " + k + " defined twice")
		}
		en[k], zhHans[k] = v[0], v[1]
	}
	for k, v := range p {
		if _, dup := enPlural[k]; dup {
			panic("i18n: plural message " + k + " defined twice")
		}
		enPlural[k], zhHansPlural[k] = v[0], v[1]
	}
	return true
}

// sentences maps an English sentence the Go code writes (a form field's
// error, a flash) to its Simplified Chinese text. Such text is keyed by
// itself, as gettext does, so handlers and use cases keep reading as
// English and a sentence without a translation still shows.
var sentences = map[string]string{}

// registerSentences adds English sentences and their Chinese texts
// (var _ = registerSentences(...) in a catalog_*.go file).
func registerSentences(m map[string]string) bool {
	for en, zh := range m {
		if _, dup := sentences[en]; dup {
			panic("i18n: sentence " + en + " translated twice")
		}
		sentences[en] = zh
	}
	return true
}

// Text is the English sentence s in ctx's language: its translation when
// the catalogs have one, else s itself.
func Text(ctx context.Context, s string) string {
	if From(ctx) == SimplifiedChinese {
		if zh, ok := sentences[s]; ok && zh != "" {
			return zh
		}
	}
	return s
}

// Translated reports whether the English sentence s has a Chinese text
// (the test that every literal message of the handlers is translated).
func Translated(s string) bool { return sentences[s] != "" }

// Keys lists a language's message keys, sorted (the catalogs' test); a
// key whose text is empty counts as missing.
func Keys(l Lang) []string {
	m, pm := en, enPlural
	if l == SimplifiedChinese {
		m, pm = zhHans, zhHansPlural
	}
	out := make([]string, 0, len(m)+len(pm))
	for k, v := range m {
		if v != "" {
			out = append(out, k)
		}
	}
	for k, v := range pm {
		if v.Other != "" {
			out = append(out, k+" (plural)")
		}
	}
	sort.Strings(out)
	return out
}

// Status is a subscription or order status in l (Partner Center's own word
// when the catalogs do not know it).
func Status(l Lang, status string) string {
	k := "status." + strings.ToLower(status)
	if t := In(l, k); t != k {
		return t
	}
	return status
}
