package hivewriter

import (
	"fmt"
	"sort"
)

// System describes the parts of a SYSTEM hive hvic reads: the control set
// Select\Current names, the computer name in it, and the Start values of
// the guest's integration services (domain.md §5).
type System struct {
	ComputerName string
	Current      int // Select\Current: ControlSet00N is the one read
	// Services maps a service key name ("vmickvpexchange") to its Start
	// value (2 automatic, 3 manual, 4 disabled); a service not listed has
	// no key.
	Services map[string]uint32
}

// SystemHive builds a SYSTEM hive: Select (Current, Default, LastKnownGood,
// Failed), the control set Current names with Control\ComputerName and
// Services, and a stale ControlSet of another number (with another
// computer name and every service disabled) that a reader must not take.
func SystemHive(s System) *Builder {
	b := New()
	b.Timestamp = fixtureTime
	b.FileName = `\SystemRoot\System32\Config\SYSTEM`
	b.Root().Name = "CMI-CreateHive{2A7FB991-7BBE-4F9D-B91E-7CB51D4737F5}"
	other := 1
	if s.Current == 1 {
		other = 2
	}
	b.Key(`Select`).SetDword("Current", uint32(s.Current)).SetDword("Default", uint32(s.Current)).
		SetDword("LastKnownGood", uint32(other)).SetDword("Failed", 0)
	set := func(n int, name string, services map[string]uint32, stale bool) {
		cs := fmt.Sprintf("ControlSet%03d", n)
		b.Key(cs+`\Control\ComputerName\ComputerName`).SetString("ComputerName", name)
		b.Key(cs+`\Control\ComputerName\ActiveComputerName`).SetString("ComputerName", name)
		b.Key(cs+`\Control\Session Manager`).SetString("SystemDirectory", `C:\Windows\system32`)
		for _, svc := range []string{"Tcpip", "W32Time", "vmbus", "netvsc", "storvsc"} {
			b.Key(cs+`\Services\`+svc).SetDword("Start", 2).SetDword("Type", 1)
		}
		names := make([]string, 0, len(services))
		for svc := range services {
			names = append(names, svc)
		}
		sort.Strings(names)
		for _, svc := range names {
			start := services[svc]
			if stale {
				start = 4
			}
			b.Key(cs+`\Services\`+svc).SetDword("Start", start).SetDword("Type", 0x20).
				SetExpandString("ImagePath", `%SystemRoot%\system32\svchost.exe -k LocalSystemNetworkRestricted`)
		}
	}
	set(s.Current, s.ComputerName, s.Services, false)
	set(other, "STALE-"+s.ComputerName, s.Services, true)
	b.Key(`MountedDevices`)
	b.Key(`Setup`).SetString("SystemPartition", `\Device\HarddiskVolume1`)
	return b
}

// SystemFixture is one SYSTEM hive of the committed set, with what a
// reader must find in it (after replaying Log1, when there is one).
type SystemFixture struct {
	Name       string
	Data, Log1 []byte
	// ControlSet, ComputerName and Services (Start values by service
	// name) are the expected facts.
	ControlSet   string
	ComputerName string
	Services     map[string]uint32
	// BaseServices, for a dirty hive, are the Start values of the primary
	// file alone (what a reader that does not replay logs sees).
	BaseServices map[string]uint32
}

// SystemFixtures builds the committed SYSTEM hives: a 2012 R2 guest with
// the defaults (Guest Service Interface disabled), a guest whose Data
// Exchange is disabled too (in ControlSet002), a host with no integration
// services, and a dirty guest whose new-format LOG1 disables Data
// Exchange.
func SystemFixtures() ([]SystemFixture, error) {
	defaults := func() map[string]uint32 {
		return map[string]uint32{"vmicheartbeat": 3, "vmickvpexchange": 3, "vmicshutdown": 3, "vmictimesync": 3,
			"vmicvss": 3, "vmicguestinterface": 4, "vmicvmsession": 3, "vmicrdv": 3}
	}
	noKvp := defaults()
	noKvp["vmickvpexchange"] = 4
	delete(noKvp, "vmicrdv")
	var out []SystemFixture
	for _, s := range []struct {
		name string
		sys  System
	}{
		{"guest-system.hiv", System{ComputerName: "VM-2012R2", Current: 1, Services: defaults()}},
		{"guest-kvp-disabled-system.hiv", System{ComputerName: "VM-NOKVP", Current: 2, Services: noKvp}},
		{"host-system.hiv", System{ComputerName: "HV01", Current: 1}},
	} {
		data, err := SystemHive(s.sys).Bytes()
		if err != nil {
			return nil, err
		}
		out = append(out, SystemFixture{Name: s.name, Data: data, ControlSet: fmt.Sprintf("ControlSet%03d", s.sys.Current),
			ComputerName: s.sys.ComputerName, Services: s.sys.Services})
	}
	b := SystemHive(System{ComputerName: "VM-DIRTY", Current: 1, Services: defaults()})
	b.Sequence = 77
	base, log1, err := b.Dirty(func(b *Builder) {
		b.Key(`ControlSet001\Services\vmickvpexchange`).SetDword("Start", 4)
	})
	if err != nil {
		return nil, err
	}
	after := defaults()
	after["vmickvpexchange"] = 4
	out = append(out, SystemFixture{Name: "guest-dirty-system.hiv", Data: base, Log1: log1, ControlSet: "ControlSet001",
		ComputerName: "VM-DIRTY", Services: after, BaseServices: defaults()})
	return out, nil
}
