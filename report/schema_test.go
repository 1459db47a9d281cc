package report_test

import (
	"bytes"
	"encoding"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvic/hvic/kb"
	"github.com/hvic/hvic/report/result"
)

var textMarshaler = reflect.TypeOf((*encoding.TextMarshaler)(nil)).Elem()

// schemaSections reads schema.md: for each section whose heading ends in a
// Go type in backquotes ("## vms[] (`kb.Assessment`)"), the names in the
// first column of its table rows ("| `vm_id` | ...").
func schemaSections(t *testing.T) map[string][]string {
	t.Helper()
	data, err := os.ReadFile("schema.md")
	require.NoError(t, err)
	heading := regexp.MustCompile("^#+ .*\\(`((?:kb|result)\\.\\w+)`\\)$")
	row := regexp.MustCompile("^\\| `([^`]+)` \\|")
	out := map[string][]string{}
	section := ""
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "#") {
			section = ""
			if m := heading.FindStringSubmatch(line); m != nil {
				section = m[1]
				require.NotContains(t, out, section, "schema.md documents %s twice", section)
				out[section] = []string{}
			}
			continue
		}
		if m := row.FindStringSubmatch(line); m != nil && section != "" {
			out[section] = append(out[section], m[1])
		}
	}
	return out
}

// structFields maps each struct type reachable from t through its JSON
// fields ("kb.Ref") to its JSON field names, in field order.
func structFields(t reflect.Type, out map[string][]string) {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || t == reflect.TypeOf(time.Time{}) || t.Implements(textMarshaler) {
		return
	}
	name := t.String()
	if _, ok := out[name]; ok {
		return
	}
	out[name] = []string{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if !f.IsExported() || tag == "-" {
			continue
		}
		out[name] = append(out[name], tag)
		structFields(f.Type, out)
	}
}

// TestSchemaDocumentsEveryField: schema.md has one section per Go type of
// the JSON report, listing exactly that type's JSON fields; the fixtures
// hold no field outside them.
func TestSchemaDocumentsEveryField(t *testing.T) {
	doc := schemaSections(t)
	types := map[string][]string{}
	structFields(reflect.TypeOf(result.Result{}), types)
	for typ, fields := range types {
		require.Contains(t, doc, typ, "schema.md has no section for %s", typ)
		assert.ElementsMatch(t, fields, doc[typ], "schema.md's fields of %s", typ)
	}
	for _, name := range []string{"sample", "partial", "hostile"} {
		data, err := os.ReadFile(filepath.Join(goldenDir, name+".result.json"))
		require.NoError(t, err)
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		var res result.Result
		require.NoError(t, dec.Decode(&res), name)
	}
}

// enumNames lists the text form of every value of an enum with a String
// method, from zero up to the first value with no name ("case(9)").
func enumNames[E ~uint8](name func(E) string) []string {
	var out []string
	for v := 0; v < 256; v++ {
		s := name(E(v))
		if regexp.MustCompile(`\(\d+\)$`).MatchString(s) {
			break
		}
		out = append(out, s)
	}
	return out
}

// TestSchemaDocumentsEveryEnum: each enum of the JSON report has a section
// in schema.md listing exactly its values.
func TestSchemaDocumentsEveryEnum(t *testing.T) {
	doc := schemaSections(t)
	roles := []result.Role{result.RoleHostRegistry, result.RoleGuestRegistry, result.RoleHostGuestRegistry,
		result.RoleOtherRegistry, result.RoleIntegrationLog, result.RoleSystemLog, result.RoleOtherLog,
		result.RoleTransactionLog, result.RoleUnreadable, result.RoleHostVMList}
	var roleNames []string
	for _, r := range roles {
		roleNames = append(roleNames, string(r))
	}
	enums := map[string][]string{
		"result.Status":      enumNames(result.Status.String),
		"result.Severity":    enumNames(result.Severity.String),
		"result.ProblemCode": enumNames(result.ProblemCode.String),
		"result.Role":        roleNames,
		"kb.Case":            enumNames(kb.Case.String),
		"kb.Action":          enumNames(kb.Action.String),
		"kb.Severity":        enumNames(kb.Severity.String),
		"kb.Package":         enumNames(kb.Package.String),
		"kb.PackageBasis":    enumNames(kb.PackageBasis.String),
		"kb.HostFamily":      enumNames(kb.HostFamily.String),
		"kb.Method":          enumNames(kb.Method.String),
		"kb.Confidence":      enumNames(kb.Confidence.String),
		"kb.EventKind":       enumNames(kb.EventKind.String),
		"kb.ExplainKind":     enumNames(kb.ExplainKind.String),
		"kb.Missing":         enumNames(kb.Missing.String),
	}
	for typ, names := range enums {
		require.NotEmpty(t, names, typ)
		require.Contains(t, doc, typ, "schema.md has no section for %s", typ)
		assert.ElementsMatch(t, names, doc[typ], "schema.md's values of %s", typ)
	}
}
