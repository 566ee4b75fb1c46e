package templates

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"

	templparser "github.com/a-h/templ/parser/v2"
	"github.com/a-h/templ/parser/v2/visitor"
)

// visibleAttrs are the attributes a person reads or hears: their text must
// come from the catalogs as a page's text does.
var visibleAttrs = []string{"placeholder", "title", "aria-label", "alt", "data-confirm", "hx-confirm", "aria-description"}

// messageKey is how catalog keys and their prefixes look ("ent.col_product",
// "role."); a Go string literal of that shape is a key, not text.
var messageKey = regexp.MustCompile(`^[a-z0-9_]+(\.[a-z0-9_]*)+$`)

// notText are words that read the same in every language the portal
// speaks: names of products, formats and protocols.
var notText = []string{"CSV", "Microsoft", "Partner Center", "Azure", "MPN", "ID", "SKU", "OIDC", "SMTP", "API", "MFA", "GDAP", "DAP", "URL", "CSP", "HTML", "JSON", "PDF", "Entra", "TLS", "PC"}

// hasWords reports whether s holds letters a person would read, once the
// names in notText are taken out.
func hasWords(s string) bool {
	for _, n := range notText {
		s = strings.ReplaceAll(s, n, "")
	}
	return strings.IndexFunc(s, unicode.IsLetter) >= 0
}

// TestTemplatesHaveNoUntranslatedText fails when a template holds text a
// person reads outside the message catalogs: a text node, a visible
// attribute (placeholder, title, aria-label, alt, a confirmation) or a Go
// string literal printed as text. Such text would show in English on a
// page in Chinese; it belongs in internal/i18n as a message.
func TestTemplatesHaveNoUntranslatedText(t *testing.T) {
	files, err := filepath.Glob("*.templ")
	if err != nil || len(files) == 0 {
		t.Fatalf("no templates: %v", err)
	}
	for _, f := range files {
		tf, err := templparser.Parse(f)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		report := func(line uint32, what, text string) {
			t.Errorf("%s:%d: untranslated %s %q", f, line+1, what, strings.TrimSpace(text))
		}
		v := visitor.New()
		walkElement := v.Element
		v.Text = func(n *templparser.Text) error {
			if hasWords(n.Value) {
				report(n.Range.From.Line, "text", n.Value)
			}
			return nil
		}
		v.Element = func(n *templparser.Element) error {
			if n.Name == "script" || n.Name == "style" {
				return nil
			}
			checkAttrs(n.Attributes, report)
			return walkElement(n)
		}
		v.StringExpression = func(n *templparser.StringExpression) error {
			for _, lit := range textLiterals(n.Expression.Value, false) {
				report(n.Expression.Range.From.Line, "string", lit)
			}
			return nil
		}
		walkTempl := v.TemplElementExpression
		v.TemplElementExpression = func(n *templparser.TemplElementExpression) error {
			for _, lit := range textLiterals(n.Expression.Value, true) {
				report(n.Expression.Range.From.Line, "argument", lit)
			}
			return walkTempl(n)
		}
		v.CallTemplateExpression = func(n *templparser.CallTemplateExpression) error {
			// @esc(s) is text as { s } is: every literal in it counts.
			call := !strings.HasPrefix(n.Expression.Value, "esc(")
			for _, lit := range textLiterals(n.Expression.Value, call) {
				report(n.Expression.Range.From.Line, "argument", lit)
			}
			return nil
		}
		if err := tf.Visit(v); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
	}
}

func checkAttrs(attrs []templparser.Attribute, report func(uint32, string, string)) {
	for _, a := range attrs {
		switch a := a.(type) {
		case *templparser.ConstantAttribute:
			if slices.Contains(visibleAttrs, a.Key.String()) && hasWords(a.Value) {
				report(a.Range.From.Line, a.Key.String(), a.Value)
			}
		case *templparser.ExpressionAttribute:
			if slices.Contains(visibleAttrs, a.Key.String()) {
				for _, lit := range textLiterals(a.Expression.Value, false) {
					report(a.Range.From.Line, a.Key.String(), lit)
				}
			}
		case *templparser.ConditionalAttribute:
			checkAttrs(a.Then, report)
			checkAttrs(a.Else, report)
		}
	}
}

// textLiterals returns the string literals of a Go expression that read as
// text: they hold words and are not message keys. In a component's
// arguments (call) only literals with a capital or a space count: the rest
// are field names, input types and classes ("email", "text", "mono").
func textLiterals(expr string, call bool) []string {
	e, err := parser.ParseExpr(expr)
	if err != nil {
		return nil
	}
	var out []string
	ast.Inspect(e, func(n ast.Node) bool {
		lit, ok := n.(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			return true
		}
		s, err := strconv.Unquote(lit.Value)
		if call && (strings.HasPrefix(s, "/") || !strings.ContainsFunc(s, func(r rune) bool { return r == ' ' || unicode.IsUpper(r) })) {
			return true
		}
		if err == nil && !messageKey.MatchString(s) && hasWords(s) {
			out = append(out, s)
		}
		return true
	})
	return out
}
