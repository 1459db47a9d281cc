package benchgen

import (
	"errors"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/hvic/hvic/internal/evtxwriter"
)

// Version names the generator's output. Change it whenever the output of
// Generate changes, so that Cached files are regenerated.
const Version = "v2"

// Options describe a log to generate.
type Options struct {
	// Records is the number of noise records; 0 is allowed when IC is not
	// empty (the IC records alone).
	Records int
	// IC lists record positions (0-based, among all records) that hold IC
	// evidence instead of noise. Positions past the end are appended.
	IC []int
	// Seed makes the noise deterministic.
	Seed int64
	// Layout, when not nil, forces every record into that layout; otherwise
	// noise and IC records use the layouts their providers use on Windows
	// (classic for storvsp and Service Control Manager style sources).
	Layout *evtxwriter.Layout
	// Writer are the writer options (dirty header, trailing empty chunks...).
	Writer evtxwriter.Options
	// Computer names the host in every record; default "HV01.corp.example".
	Computer string
	// SystemOnly keeps every record in the System channel, as in a real
	// host's System.evtx: the IC records are then only the kinds Windows
	// writes there (VmSwitch 27/26, VMSMP 26, storvsp 6/5), never the
	// Integration-Admin or Worker-Admin events, which live in their own
	// logs. Without it the IC records cycle through every kind ExtractIC
	// knows, channels mixed (the equivalence tests want that variety).
	SystemOnly bool
	// HyperVHost makes the noise that of a Hyper-V host's System log
	// (HyperVNoise): Hyper-V providers in every chunk.
	HyperVHost bool
}

// Spread returns n positions spread over records records: the first, the
// last and evenly between.
func Spread(n, records int) []int {
	if n <= 0 || records <= 0 {
		return nil
	}
	if n == 1 {
		return []int{records / 2}
	}
	out := make([]int, n)
	for i := range out {
		out[i] = int(int64(i) * int64(records-1) / int64(n-1))
	}
	return out
}

// Generate writes the log and returns its bytes and where each record went
// (one Location per record, in order), and the indexes of the IC records.
func Generate(o Options) ([]byte, []evtxwriter.Location, []int, error) {
	if o.Records < 0 || o.Records == 0 && len(o.IC) == 0 {
		return nil, nil, nil, errors.New("benchgen: no records to write")
	}
	rng := rand.New(rand.NewSource(o.Seed))
	w := evtxwriter.New(o.Writer)
	isIC := make(map[int]bool, len(o.IC))
	total := o.Records
	for _, p := range o.IC {
		isIC[p] = true
		if p >= total {
			total = p + 1
		}
	}
	base := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	var icIdx []int
	k := 0
	for i := 0; i < total; i++ {
		at := base.Add(time.Duration(i) * 1700 * time.Millisecond)
		var e evtxwriter.Event
		if isIC[i] {
			if o.SystemOnly {
				e = systemICEvent(k, at)
			} else {
				e = icEvent(k, at)
			}
			k++
			icIdx = append(icIdx, i)
		} else if o.HyperVHost {
			e = hyperVNoiseEvent(rng, at)
		} else {
			e = noiseEvent(rng, at)
		}
		if o.Computer != "" {
			e.Computer = o.Computer
		}
		if o.Layout != nil {
			e.Layout = *o.Layout
			for j := range e.Data {
				if e.Data[j].Name == "" {
					e.Data[j].Name = "param" + strconv.Itoa(j+1)
				}
			}
		}
		if err := w.Add(e); err != nil {
			return nil, nil, nil, fmt.Errorf("benchgen: record %d: %w", i, err)
		}
	}
	b, err := w.Bytes()
	if err != nil {
		return nil, nil, nil, fmt.Errorf("benchgen: %w", err)
	}
	return b, w.Locations(), icIdx, nil
}

// Cached returns the path of a cached file named name for version, creating
// it with gen when absent. The cache lives in os.TempDir()/hvic-benchgen.
func Cached(name, version string, gen func() ([]byte, error)) (string, error) {
	dir := filepath.Join(os.TempDir(), "hvic-benchgen", version)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("benchgen: %w", err)
	}
	path := filepath.Join(dir, name)
	if st, err := os.Stat(path); err == nil && st.Size() > 0 {
		return path, nil
	}
	b, err := gen()
	if err != nil {
		return "", err
	}
	tmp := path + ".tmp" + strconv.Itoa(os.Getpid())
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return "", fmt.Errorf("benchgen: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return "", fmt.Errorf("benchgen: %w", err)
	}
	return path, nil
}

// RecordsFor100MiB is the noise record count that makes a System log of
// about 100 MiB (about 500 bytes a record, templates included).
const RecordsFor100MiB = 215000

// The standard benchmark inputs.

// System100 is a ~100 MiB System log with 36 IC records spread over it.
func System100() Options {
	return Options{Records: RecordsFor100MiB, IC: Spread(36, RecordsFor100MiB), Seed: 1, SystemOnly: true}
}

// Quiet100 is a ~100 MiB log with no relevant record.
func Quiet100() Options { return Options{Records: RecordsFor100MiB, Seed: 2, SystemOnly: true} }

// System10 is a ~10 MiB System log with 12 IC records (for slow peers).
func System10() Options {
	return Options{Records: RecordsFor100MiB / 10, IC: Spread(12, RecordsFor100MiB/10), Seed: 3, SystemOnly: true}
}

// RecordsHyperVHost is the record count of HyperVHost: about 114 MB.
const RecordsHyperVHost = 250000

// HyperVHost is a realistic Hyper-V host System log of about 114 MB
// (issue 15): 250,000 records whose noise (hyperVNoiseEvent) puts
// Hyper-V providers (VmSwitch 232/233/234, Hypervisor) in every chunk, and
// 40 IC records spread evenly.
func HyperVHost() Options {
	return Options{Records: RecordsHyperVHost, IC: Spread(40, RecordsHyperVHost), Seed: 4, SystemOnly: true, HyperVHost: true}
}

// Collection returns the options of the n logs of a generated collection:
// System logs of about 100 MiB from hosts HV01..HVnn, each with 36 IC
// records (VMs VM000..VM035 on every host), different noise per host.
func Collection(n int) []Options {
	out := make([]Options, n)
	for i := range out {
		out[i] = System100()
		out[i].Seed = int64(100 + i)
		out[i].Computer = fmt.Sprintf("HV%02d.corp.example", i+1)
	}
	return out
}

// CachedCollection creates (once) the folder of the n logs of Collection
// under the cache and returns its path; each log is named
// HVnn/System.evtx.
func CachedCollection(n int, version string) (string, error) {
	root := filepath.Join(os.TempDir(), "hvic-benchgen", version, fmt.Sprintf("collection%d", n))
	for i, o := range Collection(n) {
		o := o
		name := filepath.Join(fmt.Sprintf("collection%d", n), fmt.Sprintf("HV%02d", i+1), "System.evtx")
		if err := os.MkdirAll(filepath.Join(root, fmt.Sprintf("HV%02d", i+1)), 0o755); err != nil {
			return "", fmt.Errorf("benchgen: %w", err)
		}
		if _, err := Cached(name, version, func() ([]byte, error) { return Bytes(o) }); err != nil {
			return "", err
		}
	}
	return root, nil
}

// Bytes generates o and returns only the bytes.
func Bytes(o Options) ([]byte, error) {
	b, _, _, err := Generate(o)
	return b, err
}

type noiseProvider struct {
	name    string
	guid    string
	classic bool
	ids     []uint16
	fields  []string // data field names (manifest); classic uses positions
}

var providers = []noiseProvider{
	{"Service Control Manager", "{555908d1-a6d7-4695-8e1e-26931d2012f4}", false, []uint16{7036, 7040, 7045, 7000, 7009}, []string{"param1", "param2", "param3"}},
	{"Microsoft-Windows-Kernel-General", "{a68ca8b7-004f-d7b6-a698-07e2de0f1f5d}", false, []uint16{1, 12, 13, 16}, []string{"NewTime", "OldTime", "Reason"}},
	{"Microsoft-Windows-Kernel-Power", "{331c3b3a-2005-44c2-ac5e-77220c37d6b4}", false, []uint16{41, 42, 107, 109, 172}, []string{"BugcheckCode", "SleepInProgress", "PowerButtonTimestamp"}},
	{"EventLog", "", true, []uint16{6005, 6006, 6013, 6009}, nil},
	{"Microsoft-Windows-Time-Service", "{06edcfeb-0fd0-4e53-acca-a6f8bbf81bcb}", false, []uint16{35, 37, 129, 134}, []string{"TimeSource", "ErrorMessage"}},
	{"Microsoft-Windows-DNS-Client", "{1c95126e-7eea-49a9-a3fe-a378b03ddb4d}", false, []uint16{1014, 8015, 8018}, []string{"QueryName", "AddressLength", "Address"}},
	{"disk", "", true, []uint16{7, 11, 51, 153}, nil},
	{"Ntfs", "", true, []uint16{55, 98, 137}, nil},
	{"Microsoft-Windows-WindowsUpdateClient", "{945a8954-c147-4acd-923f-40c45405a658}", false, []uint16{19, 43, 44}, []string{"updateTitle", "updateGuid", "updateRevisionNumber"}},
	{"Microsoft-Windows-GroupPolicy", "{aea1b4fa-97d1-45f2-a64c-4d69fffd92c9}", false, []uint16{1500, 1501, 1502, 1503}, []string{"SupportInfo1", "SupportInfo2", "DCName"}},
	{"Microsoft-Windows-Kernel-Boot", "{15ca44ff-4d7a-4baa-bba5-0998955e531e}", false, []uint16{18, 20, 25, 27, 30}, []string{"BootMode", "BootType", "LastBootId"}},
	{"volsnap", "", true, []uint16{25, 33, 36}, nil},
	{"Microsoft-Windows-FilterManager", "{f3c5e28e-63f6-49c7-a204-e48a1bc4b09d}", false, []uint16{6}, []string{"FinalStatus", "DeviceVersionMajor", "DriverName"}},
	{"Microsoft-Windows-Ntfs", "{3ff37a1c-a68d-4d6e-8c9b-f79e8b16c482}", false, []uint16{98, 145}, []string{"DriveName", "DeviceName", "CorruptionState"}},
	{"e1iexpress", "", true, []uint16{27, 32}, nil},
	{"Microsoft-Windows-Winlogon", "{dbe9b383-7cf3-4331-91cc-a3cb16a3b538}", false, []uint16{7001, 7002}, []string{"TSId", "UserSid"}},
	{"Microsoft-Windows-Security-Kerberos", "{98e6cfcb-ee0a-41e0-a57b-622d4e1b30b1}", false, []uint16{4, 14}, []string{"Server", "TargetRealm", "Targetname"}},
	{"BTHUSB", "", true, []uint16{17, 18}, nil},
	{"Microsoft-Windows-Eventlog", "{fc65ddd8-d6ef-4962-83d5-6e5cfe9ce148}", false, []uint16{104, 1101}, []string{"SubjectUserName", "Channel", "BackupPath"}},
	{"Microsoft-Windows-DistributedCOM", "{1b562e86-b7aa-4131-badc-b6f3a001407e}", false, []uint16{10016, 10010}, []string{"param1", "param2", "param3", "param4", "param5"}},
}

var words = strings.Fields(`the service entered running stopped state start type changed from demand
start to auto start system time was changed name resolution for timed out after none of the
configured servers responded driver detected controller error on device harddisk volume shadow copy
could not be found windows update installation started successfully restarted after failure
application specific permission settings do not grant local activation permission for server
group policy processing completed domain controller user account computer network adapter link
is disconnected connected speed gbps full duplex kerberos client received error message from
the event logging service encountered a problem backup file path cleared log`)

func sentence(rng *rand.Rand, n int) string {
	var sb strings.Builder
	for i := 0; i < n; i++ {
		if i > 0 {
			sb.WriteByte(' ')
		}
		sb.WriteString(words[rng.Intn(len(words))])
	}
	return sb.String()
}

func noiseEvent(rng *rand.Rand, at time.Time) evtxwriter.Event {
	p := providers[rng.Intn(len(providers))]
	e := evtxwriter.Event{
		Provider: p.name, ProviderGUID: p.guid,
		EventID: p.ids[rng.Intn(len(p.ids))], Level: uint8(2 + rng.Intn(3)),
		Keywords: 0x8080000000000000, Time: at, Channel: "System", Computer: "HV01.corp.example",
		ProcessID: uint32(4 + rng.Intn(3000)), ThreadID: uint32(8 + rng.Intn(9000)),
	}
	if p.classic {
		e.Layout = evtxwriter.Classic
		e.HasQualifiers, e.Qualifiers = true, 49152
		n := 1 + rng.Intn(4)
		for i := 0; i < n; i++ {
			e.Data = append(e.Data, evtxwriter.Field{Value: sentence(rng, 2+rng.Intn(9))})
		}
		return e
	}
	e.Layout = evtxwriter.Manifest
	if rng.Intn(4) == 0 {
		e.UserSID = "S-1-5-18"
	}
	for _, name := range p.fields {
		e.Data = append(e.Data, evtxwriter.Field{Name: name, Value: sentence(rng, 1+rng.Intn(8))})
	}
	return e
}

// icEvent returns the k-th IC evidence event: it cycles through the kinds
// and layouts ExtractIC knows.
func icEvent(k int, at time.Time) evtxwriter.Event {
	vm := fmt.Sprintf("VM%03d", k)
	id := fmt.Sprintf("{5e0b5b3a-1b2c-4d3e-8f90-%012x}", 0xabcdef000000+k)
	base := evtxwriter.Event{Time: at, Level: 3, Computer: "HV01.corp.example", Channel: "System", Keywords: 0x8000000000000000}
	switch k % 5 {
	case 0, 1:
		e := base
		e.Provider = "Microsoft-Windows-Hyper-V-Integration-KvpExchange"
		e.ProviderGUID = "{2b74a015-3873-4c56-9928-ea80c58b2787}"
		e.Channel = "Microsoft-Windows-Hyper-V-Integration-Admin"
		e.EventID = 4010
		if k%5 == 1 {
			e.EventID = 4000
			e.Layout = evtxwriter.UserData
		}
		e.Data = []evtxwriter.Field{{Name: "VmName", Value: vm}, {Name: "VmId", Value: strings.Trim(id, "{}")},
			{Name: "FrameworkVersion", Value: "Negotiated (3.0) - Expected (4.0)"}, {Name: "MessageVersion", Value: "Negotiated (4.0) - Expected (5.0)"}}
		return e
	case 2:
		e := base
		e.Provider = "Microsoft-Windows-Hyper-V-VmSwitch"
		e.ProviderGUID = "{67dc0d66-3695-47c0-9642-33f76f7bd7ad}"
		e.EventID = 27
		e.Data = []evtxwriter.Field{{Name: "VMName", Value: vm}, {Name: "VMId", Value: id}, {Name: "ServerVersion", Value: "4.0"}, {Name: "ClientVersion", Value: "3.2"}}
		return e
	case 3:
		e := base
		e.Provider = "storvsp"
		e.Layout = evtxwriter.Classic
		e.EventID = 6
		e.HasQualifiers, e.Qualifiers = true, 32768
		e.Data = []evtxwriter.Field{{Value: "\\Device\\00000041"}, {Value: vm}, {Value: strings.Trim(id, "{}")}, {Value: "5.1"}, {Value: "4.2"}}
		return e
	default:
		e := base
		e.Provider = "Microsoft-Windows-Hyper-V-Worker"
		e.ProviderGUID = "{51ddfa29-d5c8-4803-be4b-2ecb715570fe}"
		e.Channel = "Microsoft-Windows-Hyper-V-Worker-Admin"
		e.EventID = 23014
		e.Data = []evtxwriter.Field{{Name: "VmName", Value: vm}, {Name: "VmId", Value: strings.Trim(id, "{}")}}
		return e
	}
}

// systemICEvent returns the k-th IC evidence event of a System log: the
// kinds Windows writes to the System channel, in their real layouts.
func systemICEvent(k int, at time.Time) evtxwriter.Event {
	vm := fmt.Sprintf("VM%03d", k)
	id := fmt.Sprintf("{5e0b5b3a-1b2c-4d3e-8f90-%012x}", 0xabcdef000000+k)
	e := evtxwriter.Event{Time: at, Level: 3, Computer: "HV01.corp.example", Channel: "System", Keywords: 0x8000000000000000}
	switch k % 5 {
	case 0, 1:
		e.Provider = "Microsoft-Windows-Hyper-V-VmSwitch"
		e.ProviderGUID = "{67dc0d66-3695-47c0-9642-33f76f7bd7ad}"
		e.EventID = 27
		if k%5 == 1 {
			e.EventID, e.Level = 26, 2
		}
		e.Data = []evtxwriter.Field{{Name: "VMName", Value: vm}, {Name: "VMId", Value: id}, {Name: "ServerVersion", Value: "4.0"}, {Name: "ClientVersion", Value: "3.2"}}
	case 2:
		e.Provider = "VMSMP"
		e.Layout = evtxwriter.Classic
		e.EventID, e.Level = 26, 2
		e.HasQualifiers, e.Qualifiers = true, 49152
		e.Data = []evtxwriter.Field{{Value: ""}, {Value: vm}, {Value: strings.Trim(id, "{}")}, {Value: "4.0"}, {Value: "2.0"}}
	default:
		e.Provider = "storvsp"
		e.Layout = evtxwriter.Classic
		e.EventID = 6
		e.HasQualifiers, e.Qualifiers = true, 32768
		if k%5 == 4 {
			e.EventID, e.Level, e.Qualifiers = 5, 2, 49152
		}
		e.Data = []evtxwriter.Field{{Value: "\\Device\\00000041"}, {Value: vm}, {Value: strings.Trim(id, "{}")}, {Value: "5.1"}, {Value: "4.2"}}
	}
	return e
}

// hyperVNoise are the Hyper-V providers of a host's System log that are not
// IC evidence: VmSwitch logs 232/233/234 (NIC connected, disconnected,
// deleted) at every VM start, stop and migration; the hypervisor and VMMS
// log their own events.
var hyperVNoise = []noiseProvider{
	{"Microsoft-Windows-Hyper-V-VmSwitch", "{67dc0d66-3695-47c0-9642-33f76f7bd7ad}", false, []uint16{232, 233, 234}, []string{"NicNameLen", "NicName", "PortNameLen", "PortName", "SwitchName"}},
	{"Microsoft-Windows-Hyper-V-Hypervisor", "{52fc89f8-995e-434c-a91e-199986449890}", false, []uint16{1, 2, 41, 151}, []string{"ProcessorCount", "SchedulerType"}},
	{"Microsoft-Windows-Hyper-V-VMMS", "{6066f867-7ca1-4418-85fd-36e3f9c0600c}", false, []uint16{14070, 20413}, []string{"VmName", "VmId"}},
}

// hyperVNoiseEvent is one noise event of a Hyper-V host's System log: 30%
// VmSwitch 232/233/234, 10% Hypervisor, 5% VMMS, 25% Service Control
// Manager, 10% Kernel-General, 20% the other System providers.
func hyperVNoiseEvent(rng *rand.Rand, at time.Time) evtxwriter.Event {
	r := rng.Intn(100)
	var p noiseProvider
	switch {
	case r < 30:
		p = hyperVNoise[0]
	case r < 40:
		p = hyperVNoise[1]
	case r < 45:
		p = hyperVNoise[2]
	case r < 70:
		p = providers[0]
	case r < 80:
		p = providers[1]
	default:
		return noiseEvent(rng, at)
	}
	e := evtxwriter.Event{
		Provider: p.name, ProviderGUID: p.guid, Layout: evtxwriter.Manifest,
		EventID: p.ids[rng.Intn(len(p.ids))], Level: 4,
		Keywords: 0x8000000000000000, Time: at, Channel: "System", Computer: "HV01.corp.example",
		ProcessID: uint32(4 + rng.Intn(3000)), ThreadID: uint32(8 + rng.Intn(9000)),
	}
	for _, name := range p.fields {
		e.Data = append(e.Data, evtxwriter.Field{Name: name, Value: sentence(rng, 1+rng.Intn(4))})
	}
	return e
}
