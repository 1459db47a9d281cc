package samplegen

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/hvic/hvic/internal/evtxwriter"
	"github.com/hvic/hvic/internal/hivewriter"
)

// Host is the sample's Hyper-V host, as its event logs name it.
const (
	HostFQDN  = "HV01.contoso.local"
	HostShort = "HV01"
)

// VM is one virtual machine of the sample and the verdict hvic must reach.
type VM struct {
	Name string
	ID   string // as written (upper case, no braces)
	// Case and Action are the verdict with the -linux LNX01 hint, as kb's
	// names ("compatible-mismatch", ...), kept as text so this package does
	// not depend on kb.
	Case, Action string
	// Linux is true for the VM that needs the -linux hint.
	Linux bool
	// Source says where its guest facts are ("hive", "dirty hive", ".reg",
	// "reg query", "" for events only).
	Source string
	// GuestIC is the IC version a correct reader finds in the guest.
	GuestIC string
}

// The VMs of the sample. Case and action names are kb's text forms.
var (
	WEB01 = VM{Case: "compatible-mismatch", Action: "upgrade-recommended", Name: "WEB01", ID: "3F2504E0-4F89-41D3-9A0C-0305E82C3301", Source: "hive", GuestIC: "6.2.9200.16433"}
	DB01  = VM{Case: "incompatible-mismatch", Action: "upgrade-required", Name: "DB01", ID: "3F2504E0-4F89-41D3-9A0C-0305E82C3302", Source: "hive", GuestIC: "6.1.7601.17514"}
	FS01  = VM{Case: "match", Action: "none", Name: "FS01", ID: "3F2504E0-4F89-41D3-9A0C-0305E82C3303", Source: "hive", GuestIC: HostIC}
	APP01 = VM{Case: "match", Action: "none", Name: "APP01", ID: "3F2504E0-4F89-41D3-9A0C-0305E82C3304", Source: "dirty hive", GuestIC: HostIC}
	SQL01 = VM{Case: "compatible-mismatch", Action: "upgrade-recommended", Name: "SQL01", ID: "3F2504E0-4F89-41D3-9A0C-0305E82C3305", Source: ".reg", GuestIC: "6.3.9600.17831"}
	DC01  = VM{Case: "compatible-mismatch", Action: "upgrade-recommended", Name: "DC01", ID: "3F2504E0-4F89-41D3-9A0C-0305E82C3306", Source: "reg query", GuestIC: "6.3.9600.16384"}
	LNX01 = VM{Case: "linux-guest", Action: "ignore", Name: "LNX01", ID: "3F2504E0-4F89-41D3-9A0C-0305E82C3307", Linux: true}
)

// HostIC is the IC version the host offers (Win6x and Win5x).
const HostIC = "6.3.9600.18692"

// StaleIC is what the dirty guest hive says without its log.
const StaleIC = "6.3.9600.16384"

// VMs lists the sample's VMs by name.
func VMs() []VM { return []VM{APP01, DB01, DC01, FS01, LNX01, SQL01, WEB01} }

var (
	t0 = time.Date(2024, 5, 13, 8, 0, 0, 0, time.UTC)
	// hiveTime is when the hives were copied off: the day after the logs'
	// last record.
	hiveTime = time.Date(2024, 5, 16, 9, 30, 0, 0, time.UTC)
)

// kvpRefresh is when each guest's Data Exchange (KVP) service last wrote
// its Microsoft\Virtual Machine\Auto key: shortly after the guest's last
// start (issue 10: about the guest's last boot, not its last IC change).
var kvpRefresh = map[string]time.Duration{
	WEB01.Name: 50*time.Hour + 20*time.Second, // after its last start, when the host logged 4010 again
	DB01.Name:  2*time.Hour + 15*time.Second,  // 15 s after the 4000s of its start
	FS01.Name:  30 * time.Hour,
	APP01.Name: 49 * time.Hour, // in the LOG1: the IC update and restart
}

func shape(name string) (hivewriter.Shape, error) {
	for _, s := range hivewriter.Shapes() {
		if s.Name == name {
			return s, nil
		}
	}
	return hivewriter.Shape{}, fmt.Errorf("samplegen: no shape %q", name)
}

func guestParams(vm VM) hivewriter.Guest {
	return hivewriter.Guest{VMID: vm.ID, VMName: vm.Name, HostName: HostFQDN, PhysicalHostName: HostShort,
		HostMajor: "6", HostMin: "3", HostEditionID: "8"}
}

// Files returns the sample collection: path (slash-separated, relative to
// the collection root) to content.
func Files() (map[string][]byte, error) {
	files := map[string][]byte{}
	r2, err := shape("2012R2")
	if err != nil {
		return nil, err
	}

	host := hivewriter.HostSoftware(r2)
	host.Timestamp = hiveTime
	if err := put(files, "HV01/Registry/SOFTWARE", host.Bytes); err != nil {
		return nil, err
	}
	sys, err := systemLog()
	if err != nil {
		return nil, err
	}
	files["HV01/Logs/System.evtx"] = sys
	integ, err := integrationLog()
	if err != nil {
		return nil, err
	}
	files["HV01/Logs/Microsoft-Windows-Hyper-V-Integration-Admin.evtx"] = integ

	for _, g := range []struct {
		vm    VM
		shape string
	}{{WEB01, "2012"}, {DB01, "2008R2"}, {FS01, "2012R2"}} {
		sh, err := shape(g.shape)
		if err != nil {
			return nil, err
		}
		b := hivewriter.GuestSoftware(sh, g.vm.GuestIC, guestParams(g.vm))
		b.Timestamp = hiveTime
		b.Lookup(`Microsoft\Virtual Machine\Auto`).LastWrite = t0.Add(kvpRefresh[g.vm.Name])
		if err := put(files, "guests/"+g.vm.Name+"/SOFTWARE", b.Bytes); err != nil {
			return nil, err
		}
	}

	// APP01: dirty hive; the committed base still says StaleIC, the LOG1
	// holds the update to HostIC.
	app := hivewriter.GuestSoftware(r2, StaleIC, guestParams(APP01))
	app.Timestamp = hiveTime
	app.Lookup(`Microsoft\Virtual Machine\Auto`).LastWrite = t0.Add(-30 * 24 * time.Hour)
	app.Sequence = 118
	base, log1, err := app.Dirty(func(b *hivewriter.Builder) {
		k := b.Key(`Microsoft\Virtual Machine\Auto`)
		k.SetString("IntegrationServicesVersion", HostIC)
		k.LastWrite = t0.Add(kvpRefresh[APP01.Name])
	})
	if err != nil {
		return nil, fmt.Errorf("samplegen: APP01: %w", err)
	}
	files["guests/APP01/SOFTWARE"] = base
	files["guests/APP01/SOFTWARE.LOG1"] = log1

	files["guests/SQL01-virtual-machine.reg"] = regExport(SQL01, r2)
	files["guests/DC01-reg-query.txt"] = regQuery(DC01, r2)
	return files, nil
}

func put(files map[string][]byte, name string, build func() ([]byte, error)) error {
	b, err := build()
	if err != nil {
		return fmt.Errorf("samplegen: %s: %w", name, err)
	}
	files[name] = b
	return nil
}

// Write writes the collection under dir, creating folders as needed, and
// removes nothing.
func Write(dir string) error {
	files, err := Files()
	if err != nil {
		return err
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		p := filepath.Join(dir, filepath.FromSlash(n))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return fmt.Errorf("samplegen: %w", err)
		}
		if err := os.WriteFile(p, files[n], 0o644); err != nil {
			return fmt.Errorf("samplegen: %w", err)
		}
	}
	return nil
}

const (
	integrationChannel = "Microsoft-Windows-Hyper-V-Integration-Admin"
	integrationPrefix  = "Microsoft-Windows-Hyper-V-Integration-"
)

// icEvent is an Integration-Admin 4000/4010/4096 record: %1 VM name, %2 VM
// ID, %3 framework version, %4 message version. The Data names are this
// generator's own (no public manifest names them); readers go by position.
func icEvent(id uint16, component string, vm VM, at time.Duration, framework, message string) evtxwriter.Event {
	level := uint8(3)
	if id == 4000 {
		level = 2
	}
	if id == 4096 {
		level = 4
	}
	data := []evtxwriter.Field{{Name: "VmName", Value: vm.Name}, {Name: "VmId", Value: vm.ID}}
	if id != 4096 {
		data = append(data, evtxwriter.Field{Name: "FrameworkVersion", Value: framework}, evtxwriter.Field{Name: "MessageVersion", Value: message})
	}
	return evtxwriter.Event{Provider: integrationPrefix + component, EventID: id, Level: level,
		Keywords: 0x8000000000000000, Time: t0.Add(at), Channel: integrationChannel, Computer: HostFQDN,
		UserSID: "S-1-5-83-1-1059390688-1104367497-50596506-16789480", ProcessID: 3124, ThreadID: 4410,
		Layout: evtxwriter.Manifest, Data: data}
}

func integrationLog() ([]byte, error) {
	w := evtxwriter.New(evtxwriter.Options{})
	events := []evtxwriter.Event{
		// FS01 is current: its Data Exchange service was stopped once (4096, benign).
		icEvent(4096, "KvpExchange", FS01, 5*time.Minute, "", ""),
		// WEB01 (2012 guest): compatible mismatches from several components.
		icEvent(4010, "Heartbeat", WEB01, 1*time.Hour, "Negotiated (3.0) - Expected (3.0)", "Negotiated (3.0) - Expected (4.0)"),
		icEvent(4010, "KvpExchange", WEB01, 1*time.Hour+2*time.Second, "Negotiated (3.0) - Expected (3.0)", "Negotiated (4.0) - Expected (5.0)"),
		icEvent(4010, "Shutdown", WEB01, 1*time.Hour+3*time.Second, "Negotiated (3.0) - Expected (3.0)", "Negotiated (3.0) - Expected (3.1)"),
		// DB01 (2008 R2 guest): incompatible: 4000 from several components.
		icEvent(4000, "Heartbeat", DB01, 2*time.Hour, "Negotiated (1.0) - Expected (3.0)", "Negotiated (1.0) - Expected (4.0)"),
		icEvent(4000, "TimeSync", DB01, 2*time.Hour+1*time.Second, "Negotiated (1.0) - Expected (3.0)", "Negotiated (1.0) - Expected (4.0)"),
		icEvent(4000, "VSS", DB01, 2*time.Hour+4*time.Second, "Negotiated (1.0) - Expected (3.0)", "Negotiated (1.0) - Expected (4.0)"),
		icEvent(4010, "KvpExchange", DB01, 2*time.Hour+5*time.Second, "Negotiated (3.0) - Expected (3.0)", "Negotiated (3.0) - Expected (4.0)"),
		// DC01 (its facts come from reg query text): compatible mismatch.
		icEvent(4010, "KvpExchange", DC01, 26*time.Hour, "Negotiated (3.0) - Expected (3.0)", "Negotiated (4.0) - Expected (5.0)"),
		// Days later WEB01 logs again.
		icEvent(4010, "Heartbeat", WEB01, 50*time.Hour, "Negotiated (3.0) - Expected (3.0)", "Negotiated (3.0) - Expected (4.0)"),
	}
	for _, e := range events {
		if err := w.Add(e); err != nil {
			return nil, fmt.Errorf("samplegen: integration log: %w", err)
		}
	}
	return w.Bytes()
}

func vmswitch27(vm VM, at time.Duration, server, client string) evtxwriter.Event {
	return evtxwriter.Event{Provider: "Microsoft-Windows-Hyper-V-VmSwitch", ProviderGUID: "{67DC0D66-3695-47C0-9642-33F76F7BD7AD}",
		EventID: 27, Level: 3, Keywords: 0x8000000000000000, Time: t0.Add(at), Channel: "System", Computer: HostFQDN,
		ProcessID: 4, ThreadID: 96, Layout: evtxwriter.Manifest,
		Data: []evtxwriter.Field{{Name: "VMName", Value: vm.Name}, {Name: "ServerVersion", Value: server},
			{Name: "ClientVersion", Value: client}, {Name: "VMId", Value: vm.ID}}}
}

// storvsp6 is the classic storvsp event: insertion strings %1 device, %2 VM
// name, %3 VM ID, %4 server version, %5 client version.
func storvsp6(vm VM, at time.Duration, server, client string) evtxwriter.Event {
	return evtxwriter.Event{Provider: "storvsp", EventID: 6, HasQualifiers: true, Qualifiers: 0x8000, Level: 3,
		Keywords: 0x80000000000000, Time: t0.Add(at), Channel: "System", Computer: HostFQDN, Layout: evtxwriter.Classic,
		Data: []evtxwriter.Field{{Value: `\Device\RaidPort1`}, {Value: vm.Name}, {Value: vm.ID}, {Value: server}, {Value: client}}}
}

func systemLog() ([]byte, error) {
	w := evtxwriter.New(evtxwriter.Options{})
	events := []evtxwriter.Event{
		// Unrelated noise a System log always holds.
		{Provider: "Service Control Manager", ProviderGUID: "{555908D1-A6D7-4695-8E1E-26931D2012F4}", EventID: 7036,
			HasQualifiers: true, Qualifiers: 16384, Level: 4, Keywords: 0x8080000000000000, Time: t0.Add(-time.Hour),
			Channel: "System", Computer: HostFQDN, Layout: evtxwriter.Manifest,
			Data: []evtxwriter.Field{{Name: "param1", Value: "Hyper-V Virtual Machine Management"}, {Name: "param2", Value: "running"}}},
		// LNX01: a Linux guest; these are harmless there.
		vmswitch27(LNX01, 10*time.Minute, "5.0", "4.0"),
		storvsp6(LNX01, 10*time.Minute+time.Second, "6.0", "5.1"),
		// WEB01 (2012 guest) and DB01 (2008 R2 guest).
		vmswitch27(WEB01, 1*time.Hour-time.Second, "5.0", "4.0"),
		storvsp6(DB01, 2*time.Hour-time.Second, "6.0", "4.2"),
		vmswitch27(LNX01, 30*time.Hour, "5.0", "4.0"),
	}
	for _, e := range events {
		if err := w.Add(e); err != nil {
			return nil, fmt.Errorf("samplegen: system log: %w", err)
		}
	}
	return w.Bytes()
}

// guestValues are the Auto and Guest\Parameters values of a guest, as a
// .reg export or reg query would show them.
func guestValues(vm VM, s hivewriter.Shape) (auto, params [][2]string) {
	auto = [][2]string{
		{"IntegrationServicesVersion", vm.GuestIC},
		{"OSName", s.ProductName},
		{"OSVersion", s.CurrentVersion + "." + s.CurrentBuild},
		{"OSMajorVersion", s.CurrentVersion[:1]},
		{"OSMinorVersion", s.CurrentVersion[2:]},
		{"OSBuildNumber", s.CurrentBuild},
		{"ProductType", "3"},
		{"FullyQualifiedDomainName", vm.Name + ".contoso.local"},
	}
	params = [][2]string{
		{"VirtualMachineId", vm.ID},
		{"VirtualMachineName", vm.Name},
		{"HostName", HostFQDN},
		{"PhysicalHostName", HostShort},
		{"PhysicalHostNameFullyQualified", HostFQDN},
		{"HostingSystemOsMajor", "6"},
		{"HostingSystemOsMinor", "3"},
		{"HostingSystemEditionId", "8"},
	}
	return auto, params
}

// regExport is what regedit writes when exporting
// HKLM\SOFTWARE\Microsoft\Virtual Machine: UTF-16LE with a BOM, CRLF.
func regExport(vm VM, s hivewriter.Shape) []byte {
	auto, params := guestValues(vm, s)
	var b strings.Builder
	b.WriteString("Windows Registry Editor Version 5.00\r\n\r\n")
	b.WriteString("[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Virtual Machine]\r\n\r\n")
	b.WriteString("[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Virtual Machine\\Auto]\r\n")
	for _, v := range auto {
		fmt.Fprintf(&b, "%q=%q\r\n", v[0], v[1])
	}
	b.WriteString("\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Virtual Machine\\Guest]\r\n\r\n")
	b.WriteString("[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Virtual Machine\\Guest\\Parameters]\r\n")
	for _, v := range params {
		fmt.Fprintf(&b, "%q=%q\r\n", v[0], v[1])
	}
	b.WriteString("\r\n")
	var out bytes.Buffer
	out.Write([]byte{0xFF, 0xFE})
	for _, u := range utf16.Encode([]rune(b.String())) {
		_ = binary.Write(&out, binary.LittleEndian, u) // bytes.Buffer writes never fail
	}
	return out.Bytes()
}

// regQuery is what `reg query "HKLM\SOFTWARE\Microsoft\Virtual Machine" /s`
// prints (English Windows), pasted into a text file with its command line.
func regQuery(vm VM, s hivewriter.Shape) []byte {
	auto, params := guestValues(vm, s)
	var b strings.Builder
	b.WriteString("C:\\Users\\Administrator>reg query \"HKLM\\SOFTWARE\\Microsoft\\Virtual Machine\" /s\r\n\r\n")
	b.WriteString("HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Virtual Machine\\Auto\r\n")
	for _, v := range auto {
		fmt.Fprintf(&b, "    %s    REG_SZ    %s\r\n", v[0], v[1])
	}
	b.WriteString("\r\nHKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Virtual Machine\\Guest\r\n\r\n")
	b.WriteString("HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Virtual Machine\\Guest\\Parameters\r\n")
	for _, v := range params {
		fmt.Fprintf(&b, "    %s    REG_SZ    %s\r\n", v[0], v[1])
	}
	b.WriteString("\r\n")
	return []byte(b.String())
}
