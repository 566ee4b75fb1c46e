package i18n

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"
)

func TestCatalogsMatch(t *testing.T) {
	en, zh := Keys(English), Keys(SimplifiedChinese)
	for _, k := range en {
		if !slices.Contains(zh, k) {
			t.Errorf("zh-Hans lacks %q", k)
		}
	}
	for _, k := range zh {
		if !slices.Contains(en, k) {
			t.Errorf("en lacks %q", k)
		}
	}
}

func TestPick(t *testing.T) {
	for _, tc := range []struct {
		user, accept, def string
		want              Lang
	}{
		{"zh-Hans", "en-US", "en", SimplifiedChinese},
		{"en", "zh-CN,zh;q=0.9", "zh-Hans", English},
		{"", "zh-CN,zh;q=0.9,en;q=0.5", "en", SimplifiedChinese},
		{"", "zh-TW", "en", SimplifiedChinese},
		{"", "fr-FR,de;q=0.8", "zh-Hans", SimplifiedChinese},
		{"", "fr-FR", "en", English},
		{"", "", "zh-Hans", SimplifiedChinese},
		{"", "", "", English},
		{"", "not a header;;", "zh-Hans", SimplifiedChinese},
	} {
		if got := Pick(tc.user, tc.accept, tc.def); got != tc.want {
			t.Errorf("Pick(%q, %q, %q) = %s, want %s", tc.user, tc.accept, tc.def, got, tc.want)
		}
	}
}

func TestMessages(t *testing.T) {
	ctx := WithLang(context.Background(), SimplifiedChinese)
	if got := T(ctx, "dash.welcome", "李雷"); got != "欢迎回来，李雷。" {
		t.Errorf("zh welcome = %q", got)
	}
	if got := In(English, "dash.admins", 1); got != "1 admin" {
		t.Errorf("en one = %q", got)
	}
	if got := In(English, "dash.admins", 3); got != "3 admins" {
		t.Errorf("en other = %q", got)
	}
	if got := In(SimplifiedChinese, "dash.admins", 3); got != "3 位管理员" {
		t.Errorf("zh other = %q", got)
	}
	if got := In(English, "no.such.key"); got != "no.such.key" {
		t.Errorf("unknown key = %q", got)
	}
	if From(context.Background()) != English {
		t.Error("default language is not English")
	}
	if SimplifiedChinese.PCLocale() != "zh-CN" || English.PCLocale() != "en-US" {
		t.Error("X-Locale mapping")
	}
}

func TestText(t *testing.T) {
	zh := WithLang(context.Background(), SimplifiedChinese)
	en := WithLang(context.Background(), English)
	s := "Enter a valid email address."
	if !Translated(s) {
		t.Fatalf("%q has no Chinese text", s)
	}
	if got := Text(zh, s); got == s || got == "" {
		t.Errorf("zh Text(%q) = %q", s, got)
	}
	if got := Text(en, s); got != s {
		t.Errorf("en Text(%q) = %q", s, got)
	}
	if got := Text(zh, "Not a catalogued sentence."); got != "Not a catalogued sentence." {
		t.Errorf("an unknown sentence became %q", got)
	}
}

func TestDates(t *testing.T) {
	d := time.Date(2026, time.April, 2, 15, 4, 0, 0, time.UTC)
	for _, tc := range []struct{ got, want string }{
		{Month(English, d), "April 2026"},
		{Month(SimplifiedChinese, d), "2026年4月"},
		{ShortMonth(English, d), "Apr 26"},
		{ShortMonth(SimplifiedChinese, d), "26年4月"},
		{Day(English, d), "2 Apr 2026"},
		{Day(SimplifiedChinese, d), "2026年4月2日"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

func BenchmarkT(b *testing.B) {
	ctx := WithLang(context.Background(), SimplifiedChinese)
	b.Run("plain", func(b *testing.B) {
		for b.Loop() {
			_ = T(ctx, "nav.customers")
		}
	})
	b.Run("args", func(b *testing.B) {
		for b.Loop() {
			_ = T(ctx, "dash.welcome", "李雷")
		}
	})
	b.Run("plural", func(b *testing.B) {
		for b.Loop() {
			_ = T(ctx, "h.renewals.window", 3, "3", "12月9日")
		}
	})
	b.Run("status", func(b *testing.B) {
		for b.Loop() {
			_ = Status(SimplifiedChinese, "provisioning") // no message: shown as it is
		}
	})
}

// Every message with string verbs reads as the printer makes it, in both
// languages, with as many string arguments as it takes, one more, one
// fewer, and a number.
func TestKeysThatAreNoMessageFormatAsThePrinter(t *testing.T) {
	for _, l := range append(slices.Clone(Langs), Lang("xx")) {
		for _, key := range []string{"status.made_up", "completed", "", "100%", "status.%d", "h.cv.your_org", "status.active"} {
			p := printers[l]
			if p == nil {
				p = printers[English]
			}
			if got, want := In(l, key), p.Sprintf(key); got != want {
				t.Errorf("%s %q: %q, the printer %q", l, key, got, want)
			}
		}
	}
}

func TestStringVerbsFormatAsThePrinter(t *testing.T) {
	n := 0
	for _, l := range Langs {
		for key, m := range stringVerbs[l] {
			for _, count := range []int{m.args, m.args + 1, max(m.args-1, 0)} {
				args := make([]any, count)
				for i := range args {
					args[i] = fmt.Sprintf("<%d é %%d>", i)
				}
				asThePrinter(t, l, key, fmt.Sprintf("with %d arguments", count), args...)
				if count > 0 {
					args[0] = 1234
					asThePrinter(t, l, key, "with a number", args...)
				}
				n++
			}
		}
	}
	if n < 100 {
		t.Fatalf("only %d messages compared: the fast path takes too few", n)
	}
	verbCounts(t, "stringVerbCount", stringVerbCount, []verbCount{{"%s of %s", 2, true}, {"100%% %s", 1, true}, {"plain", 0, true},
		{"%[2]s, %[1]s", 0, false}, {"%d seats", 0, false}, {"%v", 0, false}, {"%", 0, false}, {"%s%", 0, false}})
}

// asThePrinter fails t when In formats key with args otherwise than the
// printer does.
func asThePrinter(t *testing.T, l Lang, key, what string, args ...any) {
	t.Helper()
	if got, want := In(l, key, args...), printers[l].Sprintf(key, args...); got != want {
		t.Errorf("%s %q %s: %q, the printer %q", l, key, what, got, want)
	}
}

// verbCount is a format and what a verb counter should say of it.
type verbCount struct {
	format string
	n      int
	ok     bool
}

func verbCounts(t *testing.T, name string, count func(string) (int, bool), cases []verbCount) {
	t.Helper()
	for _, c := range cases {
		if n, ok := count(c.format); n != c.n || ok != c.ok {
			t.Errorf("%s(%q) = %d, %v; want %d, %v", name, c.format, n, ok, c.n, c.ok)
		}
	}
}

// Every plural message whose forms print strings only reads as the
// printer makes it, in both languages, for counts that pick each form,
// with its string arguments, one more, and a count that is no int.
func TestStringPluralsFormatAsThePrinter(t *testing.T) {
	n := 0
	for _, l := range Langs {
		for key, m := range stringPlurals[l] {
			for _, count := range []int{0, 1, 2, 5, 21, 1000} {
				args := []any{count}
				for i := 1; i < m.args; i++ {
					args = append(args, fmt.Sprintf("<%d é %%d>", i))
				}
				asThePrinter(t, l, key, fmt.Sprintf("count %d", count), args...)
				asThePrinter(t, l, key, "with one more argument", append(slices.Clone(args), "extra")...)
				args[0] = int64(count)
				asThePrinter(t, l, key, "an int64 count", args...)
				n++
			}
		}
	}
	if n < 20 {
		t.Fatalf("only %d plural messages compared: the fast path takes too few", n)
	}
	verbCounts(t, "indexedStringVerbs", indexedStringVerbs, []verbCount{{"%[2]s seats", 2, true}, {"%[3]s of %[2]s, 100%%", 3, true},
		{"none", 0, true}, {"%d seats", 0, false}, {"%[1]s seats", 0, false}, {"%[2]d", 0, false}, {"%[2", 0, false}, {"%s", 0, false}})
}
