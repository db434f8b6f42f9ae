package warmline

import (
	"go/ast"
	"go/parser"
	"go/token"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestEventTypesListsEveryEvent keeps the webhook filter list in step with
// the Event* constants of event.go.
func TestEventTypesListsEveryEvent(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "event.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	ast.Inspect(f, func(n ast.Node) bool {
		vs, ok := n.(*ast.ValueSpec)
		if !ok || len(vs.Names) != 1 || !strings.HasPrefix(vs.Names[0].Name, "Event") || len(vs.Values) != 1 {
			return true
		}
		if lit, ok := vs.Values[0].(*ast.BasicLit); ok && lit.Kind == token.STRING {
			s, _ := strconv.Unquote(lit.Value)
			want = append(want, s)
		}
		return true
	})
	if len(want) < 20 {
		t.Fatalf("found only %d event constants in event.go", len(want))
	}
	if !slices.Equal(EventTypes, want) {
		t.Errorf("EventTypes = %q\nevent.go has %q", EventTypes, want)
	}
}
