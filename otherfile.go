package hvic

import (
	"path"
	"strings"

	"github.com/hvic/hvic/evtx"
	"github.com/hvic/hvic/hive"
	"github.com/hvic/hvic/internal/collect"
	"github.com/hvic/hvic/kb"
	"github.com/hvic/hvic/report/result"
)

// Files that cannot hold IC evidence. The IC facts live in a SOFTWARE
// hive (host and guest) and a SYSTEM hive (computer name, vmic services),
// the IC events in the System log and the Hyper-V logs. Damage in any
// other hive (SAM, SECURITY, NTUSER.DAT, ...) or log (Security, Sysmon,
// ...) costs the verdicts nothing: its problems are at SeverityInfo, and
// the status stays complete. What a file is comes from its content where
// it can be read (the hive's root keys or the name its base block
// records; the log's channels), from the file's name otherwise; a file
// that cannot be told counts as one that may hold evidence.

// hiveHoldsNoIC reports whether a hive read in part cannot hold IC
// evidence: it shows no IC facts, is no SYSTEM hive, and its root keys
// (else the name in its base block, else its file name) are those of
// another hive. h may be nil (the hive could not be opened).
func hiveHoldsNoIC(h *hive.Hive, facts *hive.Facts, system *hive.SystemFacts, name string) bool {
	if (facts != nil && facts.Side != hive.SideNone) || (system != nil && system.IsSystem) {
		return false
	}
	if h != nil {
		if root, err := h.Key(""); err == nil && len(root.Subkeys) > 0 {
			return !icRootKeys(root.Subkeys)
		}
		if holds, known := hiveNameHoldsIC(h.Info().FileName); known {
			return !holds
		}
	}
	holds, known := hiveNameHoldsIC(name)
	return known && !holds
}

// icRootKeys reports whether a hive root with these subkeys may be a
// SOFTWARE hive (Microsoft) or a SYSTEM hive (Select, ControlSet001...).
func icRootKeys(subkeys []string) bool {
	for _, k := range subkeys {
		if strings.EqualFold(k, "Microsoft") || strings.EqualFold(k, "Select") ||
			strings.HasPrefix(strings.ToLower(k), "controlset") {
			return true
		}
	}
	return false
}

// otherHiveNames are the names Windows gives hives that hold no IC
// evidence.
var otherHiveNames = []string{"sam", "security", "ntuser.dat", "usrclass.dat", "default",
	"components", "drivers", "bcd", "bcd-template", "amcache.hve", "elam", "bbi", "userdiff"}

// hiveNameHoldsIC tells a hive by its name (a file name, or the path a
// base block records, "\SystemRoot\System32\Config\SAM"): holds is true
// for SOFTWARE and SYSTEM, false for the names of other hives; known is
// false when the name says nothing.
func hiveNameHoldsIC(name string) (holds, known bool) {
	n := strings.ToLower(path.Base(strings.ReplaceAll(strings.TrimSpace(name), `\`, "/")))
	switch {
	case n == "software" || n == "system":
		return true, true
	case n == "" || n == "." || n == "/":
		return false, false
	}
	for _, o := range otherHiveNames {
		if n == o {
			return false, true
		}
	}
	return false, false
}

// logHoldsNoIC reports whether an event log read in part cannot hold IC
// evidence: none of its IC events were found, and its channels (else, when
// no record named one, its file name) are neither System nor a Hyper-V
// channel.
func logHoldsNoIC(sv *evtx.Survey, name string) bool {
	if len(sv.Events) > 0 {
		return false
	}
	named := false
	for _, c := range sv.Coverage {
		if c.Channel == "" {
			continue
		}
		named = true
		if icChannel(c.Channel) {
			return false
		}
	}
	if named {
		return true
	}
	holds, known := logNameHoldsIC(name)
	return known && !holds
}

// icChannel reports whether a channel may hold IC events or say that they
// are missing: System, and the Hyper-V channels (Integration-Admin,
// Worker-Admin, the guest's Guest-Drivers).
func icChannel(ch string) bool {
	c := strings.ToLower(strings.TrimSpace(ch))
	return c == "system" || strings.HasPrefix(c, "microsoft-windows-hyper-v") ||
		kb.IntegrationChannel(ch, kb.Family2016Plus)
}

// otherLogNames are the file names of classic logs that hold no IC
// events; every Microsoft-Windows-* log but Hyper-V's is another too.
var otherLogNames = []string{"security", "application", "setup", "forwardedevents",
	"hardwareevents", "windows powershell", "internet explorer", "key management service"}

// logNameHoldsIC tells an event log by its file name as Windows writes it
// ("Security.evtx", "Microsoft-Windows-Sysmon%4Operational.evtx"): holds
// is true for System and the Hyper-V logs, false for known other logs;
// known is false when the name says nothing ("log1.evtx").
func logNameHoldsIC(name string) (holds, known bool) {
	n := strings.ToLower(strings.TrimSuffix(strings.ToLower(name), ".evtx"))
	n = strings.ReplaceAll(n, "%4", "/")
	switch {
	case n == "system" || strings.HasPrefix(n, "microsoft-windows-hyper-v"):
		return true, true
	case strings.HasPrefix(n, "microsoft-windows-"):
		return false, true
	}
	for _, o := range otherLogNames {
		if n == o {
			return false, true
		}
	}
	return false, false
}

// noICByName decides, for a hive or event log whose content could not be
// read at all, whether it cannot hold IC evidence by its name alone.
func noICByName(f *collect.File) bool {
	switch f.Kind {
	case collect.KindHive:
		return hiveHoldsNoIC(nil, nil, nil, f.Name())
	case collect.KindEVTX:
		holds, known := logNameHoldsIC(f.Name())
		return known && !holds
	}
	return false
}

// demoteNoIC puts the problems of a file that cannot hold IC evidence at
// SeverityInfo, but for an internal failure (a fault of hvic's, not of
// the file).
func (out *fileOut) demoteNoIC() {
	if !out.noIC {
		return
	}
	for i := range out.problems {
		if out.problems[i].Code != result.CodeInternal {
			out.problems[i].Severity = SeverityInfo
		}
	}
}
