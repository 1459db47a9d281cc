package kb

import (
	"bytes"
	"fmt"
	"testing"
	"time"
)

func BenchmarkLoad(b *testing.B) {
	b.SetBytes(int64(len(embedded)))
	for i := 0; i < b.N; i++ {
		if _, err := Load(bytes.NewReader(embedded)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEvaluate: 10 hosts, 1,000 VMs, 5,000 events.
func BenchmarkEvaluate(b *testing.B) {
	ev := largeEvidence(10, 100, 5)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res := Default().Evaluate(ev)
		if len(res.VMs) != 1000 {
			b.Fatalf("%d VMs", len(res.VMs))
		}
	}
}

func largeEvidence(hosts, vmsPerHost, eventsPerVM int) Evidence {
	var ev Evidence
	at := time.Date(2016, 8, 1, 0, 0, 0, 0, time.UTC)
	for h := 0; h < hosts; h++ {
		name := fmt.Sprintf("HV%02d", h)
		ev.Hosts = append(ev.Hosts, HostEvidence{Name: name, OS: OSInfo{Version: "6.3", Build: 9600}, Registry: true,
			GuestInstaller: map[string]string{valueWin6x: "6.3.9600.18398"}})
		ev.Coverage = append(ev.Coverage, LogCoverage{Host: name, Channel: "System"},
			LogCoverage{Host: name, Channel: "Microsoft-Windows-Hyper-V-Integration-Admin"})
		for v := 0; v < vmsPerHost; v++ {
			id := fmt.Sprintf("%08x-0000-0000-0000-%012x", h, v)
			vmName := fmt.Sprintf("vm%02d-%03d", h, v)
			ic := "6.3.9600.18398"
			if v%3 == 0 {
				ic = "6.3.9600.16384"
			}
			ev.Guests = append(ev.Guests, GuestEvidence{VMID: id, VMName: vmName, HostNames: []string{name}, ICVersion: ic,
				OS: OSInfo{Major: 6, Minor: 3}, AutoWritten: at})
			for e := 0; e < eventsPerVM; e++ {
				ev.Events = append(ev.Events, Event{Provider: "Microsoft-Windows-Hyper-V-Integration-Heartbeat", EventID: 4000 + uint32(10*(e%2)),
					VMID: "{" + id + "}", VMName: vmName, Host: name, Time: at.Add(time.Duration(e-2) * time.Hour)})
			}
		}
	}
	return ev
}
