package hvic_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvic/hvic"
	"github.com/hvic/hvic/internal/evtxwriter"
	"github.com/hvic/hvic/internal/hivewriter"
	"github.com/hvic/hvic/kb"
	"github.com/hvic/hvic/report"
	"github.com/hvic/hvic/report/result"
)

// The collections of issue 10's table (rows 1-18), written with the
// project's own EVTX and hive writers and scanned end to end with
// hvic.Scan. Each row builds a host folder (SOFTWARE, System.evtx and,
// unless the row says otherwise, the Integration-Admin log) and a guest
// folder, as a support engineer receives them.

const (
	e2eHostA = "HV01.contoso.local"
	e2eHostB = "HV02.contoso.local"
	// Host IC versions (domain reference §3).
	ic2012RTM   = "6.2.9200.16384"
	ic2012Upd   = "6.2.9200.16433"
	ic2012R2RTM = "6.3.9600.16384"
	ic2012R2    = "6.3.9600.18692"
	ic2008R2RTM = "6.1.7600.16385"
)

type e2eVM struct{ name, id string }

var e2eVM1 = e2eVM{"VM1", "0C6D3E55-1A2B-4C3D-8E9F-0000000000A1"}

// A VM's life: January to March 2024; the hives are copied off on
// 2024-03-20.
var (
	jan    = time.Date(2024, 1, 10, 8, 0, 0, 0, time.UTC)
	feb    = time.Date(2024, 2, 12, 8, 0, 0, 0, time.UTC)
	mar    = time.Date(2024, 3, 15, 8, 0, 0, 0, time.UTC)
	copied = time.Date(2024, 3, 20, 9, 0, 0, 0, time.UTC)
)

func shapeNamed(t testing.TB, name string) hivewriter.Shape {
	t.Helper()
	for _, s := range hivewriter.Shapes() {
		if s.Name == name {
			return s
		}
	}
	require.FailNow(t, "no shape "+name)
	return hivewriter.Shape{}
}

// integ is an Integration-Admin 4000/4010 record for vm, logged by host.
func integ(id uint16, component string, vm e2eVM, host string, at time.Time) evtxwriter.Event {
	return evtxwriter.Event{Provider: "Microsoft-Windows-Hyper-V-Integration-" + component, EventID: id, Level: 3,
		Time: at, Channel: "Microsoft-Windows-Hyper-V-Integration-Admin", Computer: host, Layout: evtxwriter.Manifest,
		Data: []evtxwriter.Field{{Name: "VmName", Value: vm.name}, {Name: "VmId", Value: vm.id},
			{Name: "FrameworkVersion", Value: "Negotiated (3.0) - Expected (3.0)"}, {Name: "MessageVersion", Value: "Negotiated (3.0) - Expected (4.0)"}}}
}

// other is an Integration-Admin record of another VM: the log is read and
// quiet for e2eVM1.
func other(host string, at time.Time) evtxwriter.Event {
	return integ(4010, "Heartbeat", e2eVM{"OTHER", "0C6D3E55-1A2B-4C3D-8E9F-0000000000FF"}, host, at)
}

func scm(host string, at time.Time) evtxwriter.Event {
	return evtxwriter.Event{Provider: "Service Control Manager", EventID: 7036, HasQualifiers: true, Qualifiers: 16384, Level: 4,
		Time: at, Channel: "System", Computer: host, Layout: evtxwriter.Manifest,
		Data: []evtxwriter.Field{{Name: "param1", Value: "Hyper-V Virtual Machine Management"}, {Name: "param2", Value: "running"}}}
}

func vmswitch27(vm e2eVM, host string, at time.Time) evtxwriter.Event {
	return evtxwriter.Event{Provider: "Microsoft-Windows-Hyper-V-VmSwitch", EventID: 27, Level: 3, Time: at, Channel: "System",
		Computer: host, Layout: evtxwriter.Manifest,
		Data: []evtxwriter.Field{{Name: "VMName", Value: vm.name}, {Name: "ServerVersion", Value: "5.0"},
			{Name: "ClientVersion", Value: "4.0"}, {Name: "VMId", Value: vm.id}}}
}

func storageVSP6(vm e2eVM, host string, at time.Time) evtxwriter.Event {
	return evtxwriter.Event{Provider: "Microsoft-Windows-Hyper-V-StorageVSP", EventID: 6, Level: 2, Time: at, Channel: "System",
		Computer: host, Layout: evtxwriter.Manifest,
		Data: []evtxwriter.Field{{Name: "VmName", Value: vm.name}, {Name: "VmId", Value: vm.id}, {Name: "Status", Value: "0xC0000185"}}}
}

func worker23014(vm e2eVM, host string, at time.Time) evtxwriter.Event {
	return evtxwriter.Event{Provider: "Microsoft-Windows-Hyper-V-Worker", EventID: 23014, Level: 3, Time: at,
		Channel: "Microsoft-Windows-Hyper-V-Worker-Admin", Computer: host, Layout: evtxwriter.Manifest,
		Data: []evtxwriter.Field{{Name: "VmName", Value: vm.name}, {Name: "VmId", Value: vm.id}}}
}

func evtxOf(t testing.TB, events ...evtxwriter.Event) []byte {
	t.Helper()
	w := evtxwriter.New(evtxwriter.Options{})
	for _, e := range events {
		require.NoError(t, w.Add(e))
	}
	b, err := w.Bytes()
	require.NoError(t, err)
	return b
}

// hostHive is a host SOFTWARE hive of shape s offering pkgs (GuestInstaller
// value name suffix, "Win6x", to version).
func hostHive(t testing.TB, s hivewriter.Shape, pkgs map[string]string) []byte {
	t.Helper()
	b := hivewriter.HostSoftware(s)
	b.Timestamp = copied
	gi := b.Key(`Microsoft\Windows NT\CurrentVersion\Virtualization\GuestInstaller\Version`)
	gi.DeleteValue("Microsoft-Hyper-V-Guest-Installer-Win6x-Package")
	gi.DeleteValue("Microsoft-Hyper-V-Guest-Installer-Win5x-Package")
	for k, v := range pkgs {
		gi.SetString("Microsoft-Hyper-V-Guest-Installer-"+k+"-Package", v)
	}
	out, err := b.Bytes()
	require.NoError(t, err)
	return out
}

// host2019Hive is a Windows Server 2019 Hyper-V host's SOFTWARE hive: no
// GuestInstaller key (2016+ hosts record no offered version).
func host2019Hive(t testing.TB) []byte {
	t.Helper()
	s := hivewriter.Shape{Name: "2019", ProductName: "Windows Server 2019 Datacenter", CurrentVersion: "6.3",
		CurrentBuild: "17763", EditionID: "ServerDatacenter", ICVersion: "10.0.17763.1"}
	b := hivewriter.HostSoftware(s)
	b.Timestamp = copied
	require.True(t, b.DeleteKey(`Microsoft\Windows NT\CurrentVersion\Virtualization\GuestInstaller`))
	b.Key(`Microsoft\Windows NT\CurrentVersion`).SetDword("CurrentMajorVersionNumber", 10).SetDword("CurrentMinorVersionNumber", 0).SetDword("UBR", 1)
	out, err := b.Bytes()
	require.NoError(t, err)
	return out
}

// guestHive is vm's SOFTWARE hive (shape s, ICs ic) on host, its Auto key
// last written at auto.
func guestHive(t testing.TB, s hivewriter.Shape, ic string, vm e2eVM, host string, auto time.Time) []byte {
	t.Helper()
	short, _, _ := strings.Cut(host, ".")
	b := hivewriter.GuestSoftware(s, ic, hivewriter.Guest{VMID: vm.id, VMName: vm.name, HostName: host, PhysicalHostName: short,
		HostMajor: "6", HostMin: "3", HostEditionID: "8"})
	b.Timestamp = copied
	b.Lookup(`Microsoft\Virtual Machine\Auto`).LastWrite = auto
	out, err := b.Bytes()
	require.NoError(t, err)
	return out
}

// regQueryGuest is `reg query "HKLM\SOFTWARE\Microsoft\Virtual Machine" /s`
// text for vm: no key times. With osValues false the Auto key carries no
// OS values (guest OS unknown).
func regQueryGuest(vm e2eVM, ic, host string, osValues bool) []byte {
	var b strings.Builder
	b.WriteString("HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Virtual Machine\\Auto\r\n")
	fmt.Fprintf(&b, "    IntegrationServicesVersion    REG_SZ    %s\r\n", ic)
	if osValues {
		b.WriteString("    OSName    REG_SZ    Windows Server 2012 R2 Datacenter\r\n")
		b.WriteString("    OSVersion    REG_SZ    6.3.9600\r\n")
		b.WriteString("    OSMajorVersion    REG_SZ    6\r\n    OSMinorVersion    REG_SZ    3\r\n")
	}
	b.WriteString("\r\nHKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Virtual Machine\\Guest\\Parameters\r\n")
	fmt.Fprintf(&b, "    VirtualMachineId    REG_SZ    %s\r\n", vm.id)
	fmt.Fprintf(&b, "    VirtualMachineName    REG_SZ    %s\r\n", vm.name)
	fmt.Fprintf(&b, "    HostName    REG_SZ    %s\r\n", host)
	b.WriteString("\r\n")
	return []byte(b.String())
}

// collection is one row's files.
type collection map[string][]byte

// standard is a 2012 R2 host offering ic2012R2 (Win6x and Win5x) with a
// System log, and VM1, a 2012 guest with ic2012Upd whose Auto key was
// written at auto; integration is the Integration-Admin log (nil: none).
func standard(t testing.TB, auto time.Time, integration []byte) collection {
	t.Helper()
	c := collection{
		"HV01/SOFTWARE":    hostHive(t, shapeNamed(t, "2012R2"), map[string]string{"Win6x": ic2012R2, "Win5x": ic2012R2}),
		"HV01/System.evtx": evtxOf(t, scm(e2eHostA, jan.Add(-24*time.Hour)), scm(e2eHostA, mar)),
		"VM1/SOFTWARE":     guestHive(t, shapeNamed(t, "2012"), ic2012Upd, e2eVM1, e2eHostA, auto),
	}
	if integration != nil {
		c["HV01/Microsoft-Windows-Hyper-V-Integration-Admin.evtx"] = integration
	}
	return c
}

func scanCollection(t testing.TB, c collection, opts *hvic.Options) *hvic.Result {
	t.Helper()
	m := fstest.MapFS{}
	for name, data := range c {
		m[name] = &fstest.MapFile{Data: data}
	}
	res, err := hvic.Scan(context.Background(), m, opts)
	require.NoError(t, err)
	return res
}

func vmNamed(t testing.TB, res *hvic.Result, name string) kb.Assessment {
	t.Helper()
	for _, a := range res.VMs {
		if a.VMName == name {
			return a
		}
	}
	require.FailNow(t, "no assessment for "+name)
	return kb.Assessment{}
}

func findingsOf(res *hvic.Result, rule string) []kb.Finding {
	var out []kb.Finding
	for _, f := range res.Findings {
		if f.RuleID == rule {
			out = append(out, f)
		}
	}
	return out
}

func hasExplanation(a kb.Assessment, kind kb.ExplainKind) bool {
	for _, e := range a.Explanation {
		if e.Kind == kind {
			return true
		}
	}
	return false
}

// textOf is the English text report of res.
func textOf(t *testing.T, res *hvic.Result) string {
	t.Helper()
	var b strings.Builder
	require.NoError(t, report.Text(&b, res, nil))
	return b.String()
}

// notSaidUnread checks that no report format says a read
// Integration-Admin log was not read.
func notSaidUnread(t *testing.T, res *hvic.Result) {
	t.Helper()
	for _, f := range []report.Format{report.FormatText, report.FormatMarkdown, report.FormatHTML, report.FormatJSON} {
		for _, lang := range report.Languages() {
			var b strings.Builder
			require.NoError(t, report.Render(&b, f, res, &report.Options{Lang: lang}))
			assert.NotContains(t, b.String(), "Integration-Admin log was not read", f)
			assert.NotContains(t, b.String(), "Integration-Admin ログが未読込", f)
		}
	}
}

func hasKB975354(a kb.Assessment) bool {
	for _, r := range a.RuleIDs {
		if strings.HasPrefix(r, "KB975354") {
			return true
		}
	}
	return false
}

func TestIssue10Rows(t *testing.T) {
	type row struct {
		name  string
		files func(t testing.TB) collection
		opts  *hvic.Options
		check func(t *testing.T, res *hvic.Result)
	}
	case3 := func(t *testing.T, res *hvic.Result) {
		a := vmNamed(t, res, e2eVM1.name)
		assert.Equal(t, kb.CaseIncompatibleMismatch, a.Case, "%+v", a.Explanation)
		assert.Equal(t, kb.ActionUpgradeRequired, a.Action)
		assert.Equal(t, kb.RuleCase3, a.RuleID)
		notSaidUnread(t, res)
	}
	case2 := func(t *testing.T, res *hvic.Result) {
		a := vmNamed(t, res, e2eVM1.name)
		assert.Equal(t, kb.CaseCompatibleMismatch, a.Case, "%+v", a.Explanation)
		assert.Equal(t, kb.ActionUpgradeRecommended, a.Action)
		assert.Equal(t, kb.RuleCase2, a.RuleID)
		assert.NotContains(t, a.Missing, kb.MissingIntegrationLog, "the log was read")
		notSaidUnread(t, res)
	}
	logPeriodStated := func(t *testing.T, res *hvic.Result) {
		a := vmNamed(t, res, e2eVM1.name)
		var found bool
		for _, e := range a.Explanation {
			if e.Kind == kb.ExplainLogPeriod && strings.EqualFold(e.Params["channel"], "Microsoft-Windows-Hyper-V-Integration-Admin") {
				found = true
			}
		}
		assert.True(t, found, "the Integration-Admin log's period is stated: %+v", a.Explanation)
		assert.Contains(t, textOf(t, res), "Log read: Microsoft-Windows-Hyper-V-Integration-Admin on HV01.contoso.local")
	}
	rows := []row{
		{"01 4000 at VM start, Auto written 15 s later", func(t testing.TB) collection {
			return standard(t, mar.Add(15*time.Second), evtxOf(t, integ(4000, "Heartbeat", e2eVM1, e2eHostA, mar)))
		}, nil, case3},
		{"02a 4000 one second before the Auto write", func(t testing.TB) collection {
			return standard(t, mar.Add(time.Second), evtxOf(t, integ(4000, "Heartbeat", e2eVM1, e2eHostA, mar)))
		}, nil, case3},
		{"02b 4000 one second after the Auto write", func(t testing.TB) collection {
			return standard(t, mar.Add(-time.Second), evtxOf(t, integ(4000, "Heartbeat", e2eVM1, e2eHostA, mar)))
		}, nil, case3},
		{"03 4000 in January, Auto rewritten in March, log ends before the copy", func(t testing.TB) collection {
			return standard(t, mar, evtxOf(t, integ(4000, "Heartbeat", e2eVM1, e2eHostA, jan), other(e2eHostA, feb)))
		}, nil, case3},
		{"04 4010 only, log ends before the copy", func(t testing.TB) collection {
			return standard(t, mar, evtxOf(t, integ(4010, "Heartbeat", e2eVM1, e2eHostA, jan), other(e2eHostA, feb)))
		}, nil, case2},
		{"05 log read, quiet for the VM, ends before the copy", func(t testing.TB) collection {
			return standard(t, mar, evtxOf(t, other(e2eHostA, jan), other(e2eHostA, feb)))
		}, nil, func(t *testing.T, res *hvic.Result) { case2(t, res); logPeriodStated(t, res) }},
		{"06 log read and empty", func(t testing.TB) collection {
			return standard(t, mar, evtxOf(t))
		}, nil, func(t *testing.T, res *hvic.Result) {
			case2(t, res)
			logPeriodStated(t, res)
			var covered bool
			for _, h := range res.Inventory.Hosts {
				for _, l := range h.Logs {
					if l.Channel == "Microsoft-Windows-Hyper-V-Integration-Admin" && l.Records == 0 {
						covered = true
					}
				}
			}
			assert.True(t, covered, "the empty log is coverage of its host")
			assert.Contains(t, textOf(t, res), "empty (0 records)")
		}},
		{"07 no Integration-Admin log collected", func(t testing.TB) collection {
			return standard(t, mar, nil)
		}, nil, func(t *testing.T, res *hvic.Result) {
			a := vmNamed(t, res, e2eVM1.name)
			assert.Equal(t, kb.CaseMismatchUnclassified, a.Case)
			assert.Equal(t, kb.RuleUnclassified, a.RuleID)
			assert.Contains(t, a.Missing, kb.MissingIntegrationLog, "says what to collect")
			assert.Contains(t, textOf(t, res), "Microsoft-Windows-Hyper-V-Integration-Admin", "names the log to collect")
		}},
		{"08 4000 in January, only 4010 at later starts", func(t testing.TB) collection {
			return standard(t, mar.Add(time.Minute), evtxOf(t, integ(4000, "Heartbeat", e2eVM1, e2eHostA, jan),
				integ(4010, "Heartbeat", e2eVM1, e2eHostA, feb), integ(4010, "Heartbeat", e2eVM1, e2eHostA, mar)))
		}, nil, case2},
		{"09a old 4000, versions equal now (guest hive)", func(t testing.TB) collection {
			c := standard(t, mar, evtxOf(t, integ(4000, "Heartbeat", e2eVM1, e2eHostA, jan), other(e2eHostA, feb)))
			c["VM1/SOFTWARE"] = guestHive(t, shapeNamed(t, "2012R2"), ic2012R2, e2eVM1, e2eHostA, mar)
			return c
		}, nil, resolvedCase1},
		{"09b old 4000, versions equal now (reg query, no key time)", func(t testing.TB) collection {
			c := standard(t, mar, evtxOf(t, integ(4000, "Heartbeat", e2eVM1, e2eHostA, jan), other(e2eHostA, feb)))
			delete(c, "VM1/SOFTWARE")
			c["VM1/reg-query.txt"] = regQueryGuest(e2eVM1, ic2012R2, e2eHostA, true)
			return c
		}, nil, resolvedCase1},
		{"10 2012 R2 guest on a 2012 host", func(t testing.TB) collection {
			c := standard(t, mar, evtxOf(t, other(e2eHostA, jan)))
			c["HV01/SOFTWARE"] = hostHive(t, shapeNamed(t, "2012"), map[string]string{"Win6x": ic2012RTM, "Win5x": ic2012RTM})
			c["VM1/SOFTWARE"] = guestHive(t, shapeNamed(t, "2012R2"), ic2012R2RTM, e2eVM1, e2eHostA, mar)
			return c
		}, nil, func(t *testing.T, res *hvic.Result) {
			a := vmNamed(t, res, e2eVM1.name)
			assert.Equal(t, kb.CaseGuestNewer, a.Case)
			assert.NotEqual(t, kb.ActionUpgradeRecommended, a.Action)
			assert.NotEqual(t, kb.ActionUpgradeRequired, a.Action)
			assert.False(t, hasKB975354(a), "%v", a.RuleIDs)
		}},
		{"11 2008 R2 RTM host, guest equal", func(t testing.TB) collection {
			c := standard(t, mar, evtxOf(t, other(e2eHostA, jan)))
			r2 := shapeNamed(t, "2008R2")
			r2.CSDVersion, r2.CurrentBuild = "", "7600"
			c["HV01/SOFTWARE"] = hostHive(t, r2, map[string]string{"Win60": ic2008R2RTM, "Win5x": ic2008R2RTM})
			c["VM1/SOFTWARE"] = guestHive(t, r2, ic2008R2RTM, e2eVM1, e2eHostA, mar)
			return c
		}, nil, func(t *testing.T, res *hvic.Result) {
			a := vmNamed(t, res, e2eVM1.name)
			assert.Equal(t, kb.CaseMatch, a.Case)
			assert.Equal(t, kb.ActionNone, a.Action)
			fs := append(findingsOf(res, kb.RuleKB975354Host), findingsOf(res, kb.RuleKB975354Guest)...)
			require.NotEmpty(t, fs, "the KB975354 advisory")
			for _, f := range fs {
				assert.Equal(t, kb.ActionNone, f.Action, f.RuleID)
			}
		}},
		{"12 2019 host hive, 2012 R2 guest with RTM ICs", func(t testing.TB) collection {
			c := standard(t, mar, nil)
			c["HV01/SOFTWARE"] = host2019Hive(t)
			c["HV01/Microsoft-Windows-Hyper-V-Worker-Admin.evtx"] = evtxOf(t, scm(e2eHostA, jan))
			c["VM1/SOFTWARE"] = guestHive(t, shapeNamed(t, "2012R2"), ic2012R2RTM, e2eVM1, e2eHostA, mar)
			return c
		}, nil, func(t *testing.T, res *hvic.Result) {
			a := vmNamed(t, res, e2eVM1.name)
			assert.Equal(t, kb.CaseHostUnversioned, a.Case)
			assert.NotEqual(t, kb.CaseMatch, a.Case)
			require.NotNil(t, a.Remediation, "the Windows Update row")
			assert.Equal(t, kb.MethodWindowsUpdate, a.Remediation.Method)
		}},
		{"13 VM known only from 4010 and VmSwitch 27", func(t testing.TB) collection {
			c := standard(t, mar, evtxOf(t, integ(4010, "Heartbeat", e2eVM1, e2eHostA, feb)))
			delete(c, "VM1/SOFTWARE")
			c["HV01/System.evtx"] = evtxOf(t, scm(e2eHostA, jan), vmswitch27(e2eVM1, e2eHostA, feb))
			return c
		}, nil, func(t *testing.T, res *hvic.Result) {
			a := vmNamed(t, res, e2eVM1.name)
			assert.Equal(t, kb.ActionInvestigate, a.Action)
			text := textOf(t, res)
			assert.Contains(t, text, "If the guest runs Windows", "the Windows branch")
			assert.Contains(t, text, "If it runs Linux", "the Linux branch")
			assert.Contains(t, text, "-linux", "how to confirm")
		}},
		{"14 Worker 23014 plus 4000, no guest hive", func(t testing.TB) collection {
			c := standard(t, mar, evtxOf(t, integ(4000, "Heartbeat", e2eVM1, e2eHostA, feb)))
			delete(c, "VM1/SOFTWARE")
			c["HV01/Microsoft-Windows-Hyper-V-Worker-Admin.evtx"] = evtxOf(t, worker23014(e2eVM1, e2eHostA, feb.Add(time.Second)))
			return c
		}, nil, func(t *testing.T, res *hvic.Result) {
			a := vmNamed(t, res, e2eVM1.name)
			assert.Contains(t, []kb.Action{kb.ActionInvestigate, kb.ActionIgnore}, a.Action)
			assert.NotEqual(t, kb.ActionUpgradeRequired, a.Action)
			var worker bool
			for _, e := range res.Events {
				worker = worker || e.EventID == 23014
			}
			assert.True(t, worker, "Worker 23014 reaches kb")
		}},
		{"15 guest version 6.3.9600", func(t testing.TB) collection {
			c := standard(t, mar, evtxOf(t, other(e2eHostA, jan)))
			c["VM1/SOFTWARE"] = guestHive(t, shapeNamed(t, "2012R2"), "6.3.9600", e2eVM1, e2eHostA, mar)
			return c
		}, nil, func(t *testing.T, res *hvic.Result) {
			a := vmNamed(t, res, e2eVM1.name)
			assert.Equal(t, kb.CaseUndetermined, a.Case)
			var p *hvic.Problem
			for i := range res.Problems {
				if res.Problems[i].Code == result.CodeICVersionMalformed {
					p = &res.Problems[i]
				}
			}
			require.NotNil(t, p, "a problem on the file")
			assert.Equal(t, "VM1/SOFTWARE", p.File)
			assert.Equal(t, "6.3.9600", a.GuestIC.Raw, "the value reaches kb as read")
		}},
		{"16 guest OS unknown, guest equals Win5x", func(t testing.TB) collection {
			c := standard(t, mar, evtxOf(t, other(e2eHostA, jan)))
			c["HV01/SOFTWARE"] = hostHive(t, shapeNamed(t, "2012R2"), map[string]string{"Win6x": ic2012R2, "Win5x": ic2012R2RTM})
			delete(c, "VM1/SOFTWARE")
			c["VM1/reg-query.txt"] = regQueryGuest(e2eVM1, ic2012R2RTM, e2eHostA, false)
			return c
		}, nil, func(t *testing.T, res *hvic.Result) {
			a := vmNamed(t, res, e2eVM1.name)
			assert.Equal(t, kb.CaseMatch, a.Case)
			assert.True(t, hasExplanation(a, kb.ExplainNote), "a note on the package: %+v", a.Explanation)
		}},
		{"17 StorageVSP 6 in the System log", func(t testing.TB) collection {
			c := standard(t, mar, evtxOf(t, other(e2eHostA, jan)))
			c["HV01/System.evtx"] = evtxOf(t, scm(e2eHostA, jan), storageVSP6(e2eVM1, e2eHostA, feb))
			return c
		}, nil, func(t *testing.T, res *hvic.Result) {
			assert.NotEmpty(t, findingsOf(res, kb.RuleStorageIO))
		}},
		{"18 live migration: 4000 on arrival at host B, Auto 30 s later", func(t testing.TB) collection {
			c := standard(t, mar.Add(30*time.Second), evtxOf(t, integ(4010, "Heartbeat", e2eVM1, e2eHostA, jan)))
			c["VM1/SOFTWARE"] = guestHive(t, shapeNamed(t, "2012"), ic2012Upd, e2eVM1, e2eHostB, mar.Add(30*time.Second))
			c["HV02/SOFTWARE"] = hostHive(t, shapeNamed(t, "2012R2"), map[string]string{"Win6x": ic2012R2, "Win5x": ic2012R2})
			c["HV02/System.evtx"] = evtxOf(t, scm(e2eHostB, jan))
			c["HV02/Microsoft-Windows-Hyper-V-Integration-Admin.evtx"] = evtxOf(t, integ(4000, "Heartbeat", e2eVM1, e2eHostB, mar))
			return c
		}, nil, func(t *testing.T, res *hvic.Result) {
			a := vmNamed(t, res, e2eVM1.name)
			assert.Equal(t, e2eHostB, a.Host)
			assert.Equal(t, kb.CaseIncompatibleMismatch, a.Case)
			assert.Equal(t, kb.ActionUpgradeRequired, a.Action)
		}},
	}
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			res := scanCollection(t, r.files(t), r.opts)
			r.check(t, res)
			if t.Failed() {
				for _, a := range res.VMs {
					t.Logf("%s on %s: %s / %s / %s %v missing %v", a.VMName, a.Host, a.Case, a.Action, a.RuleID, a.RuleIDs, a.Missing)
				}
				for _, p := range res.Problems {
					t.Logf("problem: %s", p.Message)
				}
			}
		})
	}
}

func resolvedCase1(t *testing.T, res *hvic.Result) {
	a := vmNamed(t, res, e2eVM1.name)
	assert.Equal(t, kb.CaseMatch, a.Case)
	assert.Equal(t, kb.ActionNone, a.Action)
	assert.NotEqual(t, kb.RuleInvestigate, a.RuleID)
	assert.True(t, hasExplanation(a, kb.ExplainResolved), "the earlier events are noted: %+v", a.Explanation)
}

// TestScanEventNoteReachesKB: an event whose data did not fit the layout
// (values recovered by pattern) reaches kb flagged, with the reader's note.
func TestScanEventNoteReachesKB(t *testing.T) {
	shifted := integ(4010, "Heartbeat", e2eVM1, e2eHostA, feb)
	shifted.Layout = evtxwriter.Classic
	shifted.Data = []evtxwriter.Field{{Value: e2eVM1.id}, {Value: "3.0"}, {Value: "4.0"}}
	res := scanCollection(t, collection{"HV01/Microsoft-Windows-Hyper-V-Integration-Admin.evtx": evtxOf(t, shifted)}, nil)
	require.Len(t, res.Events, 1)
	e := res.Events[0]
	assert.True(t, e.Ambiguous)
	assert.Contains(t, e.Note, "recovered by pattern")
	assert.Equal(t, kb.NormalizeVMID(e2eVM1.id), kb.NormalizeVMID(e.VMID))
}

// TestScanEmptyLogOfNoHost: an empty log nothing ties to a host is a
// problem, not silently dropped coverage; beside a named host it covers it.
func TestScanEmptyLogOfNoHost(t *testing.T) {
	const name = "Microsoft-Windows-Hyper-V-Integration-Admin.evtx"
	res := scanCollection(t, collection{name: evtxOf(t)}, nil)
	var codes []string
	for _, p := range res.Problems {
		codes = append(codes, p.Code.String())
	}
	assert.Contains(t, codes, "log-unattributed")

	res = scanCollection(t, collection{"HV01/" + name: evtxOf(t), "HV01/System.evtx": evtxOf(t, scm(e2eHostA, jan))}, nil)
	require.Len(t, res.Inventory.Hosts, 1)
	var channels []string
	for _, l := range res.Inventory.Hosts[0].Logs {
		channels = append(channels, l.Channel)
	}
	assert.ElementsMatch(t, []string{"System", "Microsoft-Windows-Hyper-V-Integration-Admin"}, channels)
	assert.Equal(t, e2eHostA, res.Evidence.Coverage[0].Host)
}

// TestScanShortHostVersion: a host package version of fewer than four
// parts is a problem on the host hive, like the guest's (row 15).
func TestScanShortHostVersion(t *testing.T) {
	c := standard(t, mar, evtxOf(t, other(e2eHostA, jan)))
	c["HV01/SOFTWARE"] = hostHive(t, shapeNamed(t, "2012R2"), map[string]string{"Win6x": "6.3.9600", "Win5x": ic2012R2})
	res := scanCollection(t, c, nil)
	var files []string
	for _, p := range res.Problems {
		if p.Code == result.CodeICVersionMalformed {
			files = append(files, p.File)
		}
	}
	assert.Equal(t, []string{"HV01/SOFTWARE"}, files)
	assert.NotEqual(t, kb.CaseMatch, vmNamed(t, res, e2eVM1.name).Case)
}
