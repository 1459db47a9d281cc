package hivewriter

import (
	"fmt"
	"time"
)

// Shape is the OS identity and IC version of a Windows Server release, as
// its SOFTWARE hive shows them (domain.md §2 and §3).
type Shape struct {
	Name           string // "2008R2", "2012", "2012R2"
	ProductName    string
	CurrentVersion string
	CurrentBuild   string
	CSDVersion     string // "" when no service pack
	EditionID      string
	ICVersion      string // IC version this release ships (host offers / guest installs)
}

// Shapes returns the three host and guest shapes the fixtures use:
// Windows Server 2008 R2 SP1, 2012 and 2012 R2.
func Shapes() []Shape {
	return []Shape{
		{"2008R2", "Windows Server 2008 R2 Enterprise", "6.1", "7601", "Service Pack 1", "ServerEnterprise", "6.1.7601.17514"},
		{"2012", "Windows Server 2012 Datacenter", "6.2", "9200", "", "ServerDatacenter", "6.2.9200.16433"},
		{"2012R2", "Windows Server 2012 R2 Datacenter", "6.3", "9600", "", "ServerDatacenter", "6.3.9600.18692"},
	}
}

// Guest describes the Virtual Machine\Guest\Parameters a host writes into
// a guest.
type Guest struct {
	VMID, VMName       string
	HostName           string // the host's FQDN
	PhysicalHostName   string
	HostMajor, HostMin string // HostingSystemOsMajor / Minor
	HostEditionID      string // HostingSystemEditionId
}

var fixtureTime = time.Date(2014, 3, 4, 5, 6, 7, 890123400, time.UTC)

// software adds the keys every SOFTWARE hive of the shape carries,
// plus a few hundred unrelated ones.
func software(s Shape) *Builder {
	b := New()
	b.Timestamp = fixtureTime
	b.FileName = `\SystemRoot\System32\Config\SOFTWARE`
	b.Root().Name = "CMI-CreateHive{199DAFC2-6F16-4946-BF90-5A3FC3A60902}"
	cv := b.Key(`Microsoft\Windows NT\CurrentVersion`)
	cv.SetString("ProductName", s.ProductName).
		SetString("CurrentVersion", s.CurrentVersion).
		SetString("CurrentBuild", s.CurrentBuild).
		SetString("CurrentBuildNumber", s.CurrentBuild).
		SetString("EditionID", s.EditionID).
		SetString("InstallationType", "Server").
		SetString("SystemRoot", `C:\Windows`)
	if s.CSDVersion != "" {
		cv.SetString("CSDVersion", s.CSDVersion)
	}
	b.Key(`Microsoft\Windows\CurrentVersion`).SetExpandString("ProgramFilesDir", `C:\Program Files`)
	for i := 0; i < 300; i++ {
		b.Key(fmt.Sprintf(`Classes\CLSID\{%08X-0000-0000-C000-000000000046}`, i)).SetString("", fmt.Sprintf("Class %d", i))
	}
	return b
}

// HostSoftware builds the SOFTWARE hive of a Hyper-V host of shape s: its
// GuestInstaller\Version values (Win6x and Win5x) and Virtualization\Version
// carry s.ICVersion.
func HostSoftware(s Shape) *Builder {
	b := software(s)
	gi := b.Key(`Microsoft\Windows NT\CurrentVersion\Virtualization\GuestInstaller\Version`)
	gi.SetString("Microsoft-Hyper-V-Guest-Installer-Win6x-Package", s.ICVersion)
	gi.SetString("Microsoft-Hyper-V-Guest-Installer-Win5x-Package", s.ICVersion)
	gi.LastWrite = fixtureTime
	b.Key(`Microsoft\Windows NT\CurrentVersion\Virtualization`).SetString("Version", s.ICVersion)
	return b
}

// GuestSoftware builds the SOFTWARE hive of a Windows guest of shape s
// with integration services version ic, the KVP Auto values and the
// host-written Guest\Parameters of g, and VssRequestor\BackupType.
func GuestSoftware(s Shape, ic string, g Guest) *Builder {
	b := software(s)
	auto := b.Key(`Microsoft\Virtual Machine\Auto`)
	auto.SetString("IntegrationServicesVersion", ic).
		SetString("OSName", s.ProductName).
		SetString("OSVersion", s.CurrentVersion+"."+s.CurrentBuild).
		SetString("OSMajorVersion", s.CurrentVersion[:1]).
		SetString("OSMinorVersion", s.CurrentVersion[2:]).
		SetString("OSBuildNumber", s.CurrentBuild).
		SetString("CSDVersion", s.CSDVersion).
		SetString("ProductType", "3").
		SetString("ProcessorArchitecture", "9").
		SetString("FullyQualifiedDomainName", g.VMName+".contoso.local")
	auto.LastWrite = fixtureTime.Add(-time.Hour)
	p := b.Key(`Microsoft\Virtual Machine\Guest\Parameters`)
	p.SetString("VirtualMachineId", g.VMID).
		SetString("VirtualMachineName", g.VMName).
		SetString("HostName", g.HostName).
		SetString("PhysicalHostName", g.PhysicalHostName).
		SetString("PhysicalHostNameFullyQualified", g.HostName).
		SetString("HostingSystemOsMajor", g.HostMajor).
		SetString("HostingSystemOsMinor", g.HostMin).
		SetString("HostingSystemEditionId", g.HostEditionID)
	p.LastWrite = fixtureTime.Add(-2 * time.Hour)
	b.Key(`Microsoft\Virtualization\VssRequestor`).SetDword("BackupType", 1)
	return b
}

// Fixture is one generated hive (and, for a dirty one, its LOG1).
type Fixture struct {
	Name  string // file name, e.g. "host-2012R2.hiv"
	Data  []byte
	Log1  []byte // nil for clean hives
	Shape Shape
	// Side is "host" or "guest" (hive.Side's text).
	Side string
	// ICVersion is the version a correct reader reports: for a dirty hive,
	// the one in the log.
	ICVersion string
	Guest     Guest
	// Tree is the builder in the state Data holds (for a dirty hive, before
	// the change the log carries): what a reader without replay must see.
	Tree *Builder
}

// Fixtures builds the committed fixture set: host and guest SOFTWARE
// hives of 2008 R2, 2012 and 2012 R2 shape, a dirty 2012 R2 guest whose
// new-format LOG1 updates IntegrationServicesVersion from 6.3.9600.16384 to
// the shape's version, and a dirty 2012 guest whose old-format LOG1 does
// the same from 6.2.9200.16384. Clean guests run on a 2012 R2 host.
func Fixtures() ([]Fixture, error) {
	var out []Fixture
	shapes := Shapes()
	host := shapes[2]
	for i, s := range shapes {
		b := HostSoftware(s)
		data, err := b.Bytes()
		if err != nil {
			return nil, err
		}
		out = append(out, Fixture{Name: "host-" + s.Name + ".hiv", Data: data, Shape: s, Side: "host", ICVersion: s.ICVersion, Tree: b})

		g := Guest{
			VMID:             fmt.Sprintf("6A1F2C3D-4B5E-4F60-8172-93A4B5C6D7E%d", i),
			VMName:           "VM-" + s.Name,
			HostName:         "HV01.contoso.local",
			PhysicalHostName: "HV01",
			HostMajor:        "6", HostMin: host.CurrentVersion[2:], HostEditionID: "8",
		}
		gb := GuestSoftware(s, s.ICVersion, g)
		data, err = gb.Bytes()
		if err != nil {
			return nil, err
		}
		out = append(out, Fixture{Name: "guest-" + s.Name + ".hiv", Data: data, Shape: s, Side: "guest", ICVersion: s.ICVersion, Guest: g, Tree: gb})
	}
	g := Guest{VMID: "0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0", VMName: "VM-DIRTY", HostName: "HV01.contoso.local",
		PhysicalHostName: "HV01", HostMajor: "6", HostMin: "3", HostEditionID: "8"}
	b := GuestSoftware(host, "6.3.9600.16384", g)
	b.Sequence = 41
	before := b.Clone()
	base, log1, err := b.Dirty(func(b *Builder) {
		k := b.Key(`Microsoft\Virtual Machine\Auto`)
		k.SetString("IntegrationServicesVersion", host.ICVersion)
		k.LastWrite = fixtureTime.Add(time.Minute)
	})
	if err != nil {
		return nil, err
	}
	out = append(out, Fixture{Name: "guest-dirty-2012R2.hiv", Data: base, Log1: log1, Shape: host, Side: "guest", ICVersion: host.ICVersion, Guest: g, Tree: before})

	// A 2012 guest whose old-format (DIRT) log, as Windows 8 / 2012 write
	// them, holds the IC update 6.2.9200.16384 -> 6.2.9200.16433.
	s12 := shapes[1]
	g12 := Guest{VMID: "1A2B3C4D-5E6F-4071-8293-A4B5C6D7E8F9", VMName: "VM-DIRTY-OLD", HostName: "HV02.contoso.local",
		PhysicalHostName: "HV02", HostMajor: "6", HostMin: "2", HostEditionID: "8"}
	b = GuestSoftware(s12, "6.2.9200.16384", g12)
	b.Sequence = 17
	before = b.Clone()
	base, log1, err = b.DirtyOld(func(b *Builder) {
		k := b.Key(`Microsoft\Virtual Machine\Auto`)
		k.SetString("IntegrationServicesVersion", s12.ICVersion)
		k.LastWrite = fixtureTime.Add(2 * time.Minute)
	})
	if err != nil {
		return nil, err
	}
	out = append(out, Fixture{Name: "guest-dirty-old-2012.hiv", Data: base, Log1: log1, Shape: s12, Side: "guest", ICVersion: s12.ICVersion, Guest: g12, Tree: before})
	return out, nil
}
