package hvic

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestNameFromDN(t *testing.T) {
	tests := []struct{ dn, want string }{
		{"CN=HV01,OU=Hosts,DC=contoso,DC=local", "HV01.contoso.local"},
		{"cn=hv02, dc=example , dc=com", "hv02.example.com"},
		{"CN=WORKGROUPBOX", "WORKGROUPBOX"},
		{"OU=Hosts,DC=contoso,DC=local", ""},
		{`CN=Smith\, John,DC=x`, ""},
		{"CN=bad name,DC=x", ""},
		{"CN=HV03,DC=,DC=local", "HV03"},
		{"garbage", ""},
		{"", ""},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, nameFromDN(tt.dn), tt.dn)
	}
}
