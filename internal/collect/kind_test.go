package collect

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/hvic/hvic/hive"
)

// A registry form has one spelling: a file kind that hive sniffs is
// written as hive.Kind writes it ("reg-query", never "regquery"), and
// every kind has a distinct kebab-case name.
func TestKindNamesAreHives(t *testing.T) {
	for hk, k := range registryKinds {
		assert.Equal(t, hk.String(), k.String(), "%d", k)
	}
	seen := map[string]bool{}
	for k := KindOther; int(k) < len(kindNames); k++ {
		name := k.String()
		assert.Regexp(t, `^[a-z0-9]+(-[a-z0-9]+)*$`, name)
		assert.False(t, seen[name], "duplicate %s", name)
		seen[name] = true
	}
	for _, hk := range []hive.Kind{hive.KindHive, hive.KindHiveLog, hive.KindRegExport, hive.KindRegQuery} {
		assert.Contains(t, registryKinds, hk, "every form hive sniffs is a file kind")
	}
}
