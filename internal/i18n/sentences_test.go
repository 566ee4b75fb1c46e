package i18n

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// sentenceDirs are the packages whose sentences reach a page: the
// handlers' flashes and form errors, and the rules and use cases whose
// messages they show.
var sentenceDirs = []string{"web/handlers", "rules", "commerce", "auth", "prices", "billing"}

// forTools are the files whose sentences are read by programs and their
// developers, in English: the JSON API, its OpenAPI description, metrics.
var forTools = []string{"api.go", "api_endpoints.go", "api_openapi.go", "metrics.go"}

// TestSentencesAreTranslated fails when a handler, rule or use case writes
// an English sentence a person reads ("Enter the city.") that has no
// Chinese text in the catalogs. A sentence is a string literal that starts
// with a capital, holds a space and ends as a sentence does; literals given
// to loggers, fmt.Errorf and errors.New are for operators, not readers.
// A page's title and a flash count whatever their shape. Sentences built
// with a format (%d) are not looked up this way.
func TestSentencesAreTranslated(t *testing.T) {
	n := 0
	seen := map[string]bool{}
	for _, dir := range sentenceDirs {
		files, err := filepath.Glob(filepath.Join("..", "..", dir, "*.go"))
		if err != nil || len(files) == 0 {
			t.Fatalf("%s: no Go files (%v)", dir, err)
		}
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") || slices.Contains(forTools, filepath.Base(f)) {
				continue
			}
			for _, s := range readerSentences(t, f) {
				n++
				seen[s.text] = true
				if !Translated(s.text) {
					t.Errorf("%s:%d: %q has no Chinese text (internal/i18n/catalog_sentences.go)", s.file, s.line, s.text)
				}
			}
		}
	}
	if n < 100 {
		t.Fatalf("found only %d sentences: the scan is broken", n)
	}
	// A translation whose sentence the code no longer writes is dead weight.
	for en := range sentences {
		if !seen[en] {
			t.Errorf("catalog_sentences.go translates %q, which no code writes any more", en)
		}
	}
}

type sentence struct {
	file string
	line int
	text string
}

func readerSentences(t *testing.T, file string) []sentence {
	fs := token.NewFileSet()
	af, err := parser.ParseFile(fs, file, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	// One walk over the calls: literals given to loggers and error
	// constructors are for operators; a page's title and a flash are read
	// whatever their shape (and counted once, here).
	forOperators := map[*ast.BasicLit]bool{}
	var out []sentence
	titleArg := map[string]int{"page": 1, "basePage": 1, "flash": 2}
	ast.Inspect(af, func(n ast.Node) bool {
		c, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		sel, ok := c.Fun.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		if id, ok := sel.X.(*ast.Ident); ok {
			switch {
			case id.Name == "slog", id.Name == "log", id.Name == "logger",
				id.Name == "fmt" && sel.Sel.Name == "Errorf", id.Name == "errors" && sel.Sel.Name == "New":
				for _, a := range c.Args {
					if l, ok := a.(*ast.BasicLit); ok {
						forOperators[l] = true
					}
				}
				return true
			}
		}
		if i, ok := titleArg[sel.Sel.Name]; ok && len(c.Args) > i {
			if l, ok := c.Args[i].(*ast.BasicLit); ok && l.Kind == token.STRING {
				if s, err := strconv.Unquote(l.Value); err == nil && s != "" && !strings.Contains(s, "%") {
					out = append(out, sentence{file, fs.Position(l.Pos()).Line, s})
					forOperators[l] = true
				}
			}
		}
		return true
	})
	ast.Inspect(af, func(n ast.Node) bool {
		l, ok := n.(*ast.BasicLit)
		if !ok || l.Kind != token.STRING || forOperators[l] {
			return true
		}
		s, err := strconv.Unquote(l.Value)
		if err != nil || s == "" || strings.Contains(s, "%") {
			return true
		}
		r := []rune(s)
		if unicode.IsUpper(r[0]) && strings.Contains(s, " ") && strings.ContainsRune(".?!…", r[len(r)-1]) {
			out = append(out, sentence{file, fs.Position(l.Pos()).Line, s})
		}
		return true
	})
	return out
}
