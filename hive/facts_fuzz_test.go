package hive

import (
	"context"
	"testing"
)

// FuzzExtractFacts dispatches any input by Sniff to the hive reader or an
// export parser and extracts facts: nothing may panic, and a role other
// than none needs the facts that justify it.
func FuzzExtractFacts(f *testing.F) {
	seedFiles(f, ".hiv", ".reg", ".txt")
	f.Fuzz(func(t *testing.T, data []byte) {
		var src KeyReader
		switch Sniff(data) {
		case KindHive:
			h, err := FromBytes(context.Background(), data, nil, &Options{MaxHiveSize: 1 << 20, MaxDepth: 64, MaxSubkeys: 4096, MaxValues: 1024, MaxValueSize: 1 << 16})
			if err != nil {
				return
			}
			src = h
		case KindRegExport:
			e, err := ParseReg(context.Background(), data, nil)
			if err != nil {
				return
			}
			src = e
		case KindRegQuery:
			e, err := ParseRegQuery(context.Background(), data, nil)
			if err != nil {
				return
			}
			src = e
		default:
			return
		}
		facts := ExtractFacts(src, "fuzz")
		switch facts.Side {
		case SideHost:
			if facts.Host == nil || facts.Guest != nil || len(facts.Host.GuestInstallerVersions) == 0 {
				t.Fatalf("host role without host facts: %+v", facts)
			}
		case SideGuest:
			if facts.Guest == nil || facts.Host != nil {
				t.Fatalf("guest role without guest facts: %+v", facts)
			}
		case SideBoth:
			if facts.Guest == nil || facts.Host == nil {
				t.Fatalf("both role without both facts: %+v", facts)
			}
		case SideNone:
			if facts.Guest != nil || facts.Host != nil {
				t.Fatalf("none role with facts: %+v", facts)
			}
		}
	})
}
