package hvic

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/hvic/hvic/evtx/export"
	"github.com/hvic/hvic/hive"
	"github.com/hvic/hvic/internal/collect"
	"github.com/hvic/hvic/internal/psvm"
	"github.com/hvic/hvic/kb"
	"github.com/hvic/hvic/report/result"
)

// readHive opens a hive in place when its file allows (read once, its
// logs read only as far as replay needs), else from its bytes.
func readHive(ctx context.Context, f *collect.File, o *Options, out *fileOut) {
	ho := o.hiveOptions()
	var logs []hive.LogFile
	for _, l := range f.Logs {
		out.info.Logs = append(out.info.Logs, l.Path)
		lf, closeLog, err := openHiveLog(l, hive.MaxLogBytes(f.Size, &ho))
		if err != nil {
			out.addProblem(o, problem(l.Path, SeverityWarning, result.CodeLogUnreadable, "", because(ErrUnreadable, err)))
			continue
		}
		defer closeLog()
		logs = append(logs, lf)
	}
	h, err := openHive(ctx, f, logs, &ho)
	if err != nil {
		if ctx.Err() == nil {
			code := result.CodeHiveUnreadable
			if errors.Is(err, hive.ErrTooLarge) || errors.Is(err, collect.ErrTooLarge) {
				code = result.CodeTooLarge
			}
			out.problems = append(out.problems, problem(f.Path, SeverityError, code, "", because(ErrUnreadable, err)))
		}
		return
	}
	hiveProblems(h, o, f, out)
	facts := hive.ExtractFacts(h, f.Path)
	facts.Problems = sourceProblems(facts.Problems, h.Recovery())
	factsDone(facts, o, out)
	out.ownName = ownName(h)
	sf := hive.ExtractSystemFacts(h, f.Path)
	sf.Problems = sourceProblems(sf.Problems, h.Recovery())
	systemDone(sf, o, out)
	out.noIC = hiveHoldsNoIC(h, out.facts, out.system, f.Name())
}

// systemDone keeps a SYSTEM hive's (or export's) facts: its computer name
// names the host beside it, its vmic* services reach the guest beside it.
func systemDone(sf hive.SystemFacts, o *Options, out *fileOut) {
	if !sf.IsSystem {
		return
	}
	out.system = &sf
	if sf.ComputerName.Present {
		out.info.Host = strings.TrimSpace(sf.ComputerName.Value)
	}
	for _, err := range sf.Problems {
		// No op: the error names the key; the hive's own damage, which
		// the facts repeat, then reads as the hive problem did and is
		// kept once.
		out.addProblem(o, problem(out.info.Path, SeverityWarning, result.CodeRegistryProblem, "", because(ErrDamaged, err)))
	}
}

// hiveOptions are the hive reader's limits within MaxFileSize.
func (o *Options) hiveOptions() hive.Options {
	var ho hive.Options
	if o.Hive != nil {
		ho = *o.Hive
	}
	if ho.MaxHiveSize <= 0 || ho.MaxHiveSize > o.MaxFileSize {
		ho.MaxHiveSize = min(o.MaxFileSize, hive.DefaultMaxHiveSize)
	}
	if ho.MaxLogSize <= 0 || ho.MaxLogSize > o.MaxFileSize {
		ho.MaxLogSize = min(o.MaxFileSize, hive.DefaultMaxLogSize)
	}
	return ho
}

func openHive(ctx context.Context, f *collect.File, logs []hive.LogFile, ho *hive.Options) (*hive.Hive, error) {
	ra, ok, err := f.OpenReaderAt()
	if err != nil {
		return nil, err
	}
	if ok {
		defer ra.Close()
		// No name: the hive's errors leave the file to the problem that
		// carries them (as FromBytes's do).
		return hive.FromReader(ctx, "", io.NewSectionReader(ra, 0, f.Size), f.Size, logs, ho)
	}
	data, err := f.ReadAll(ho.MaxHiveSize)
	if err != nil {
		return nil, err
	}
	return hive.FromBytes(ctx, data, logs, ho)
}

// openHiveLog gives a transaction log in place when its file allows, else
// its bytes up to limit.
func openHiveLog(l *collect.File, limit int64) (hive.LogFile, func(), error) {
	ra, ok, err := l.OpenReaderAt()
	if err != nil {
		return hive.LogFile{}, nil, err
	}
	if ok {
		return hive.LogFile{Name: l.Path, Reader: ra, Size: l.Size}, func() { ra.Close() }, nil
	}
	data, err := l.ReadAll(limit)
	if err != nil {
		return hive.LogFile{}, nil, err
	}
	return hive.LogFile{Name: l.Path, Data: data}, func() {}, nil
}

// hiveProblems reports what opening the hive found: refused logs, a stale
// image, damage.
func hiveProblems(h *hive.Hive, o *Options, f *collect.File, out *fileOut) {
	rec := h.Recovery()
	out.info.Dirty = rec.Dirty
	out.replayed = rec.Recovered && len(rec.Applied) > 0
	out.info.Replayed = out.replayed
	for _, r := range rec.Refused {
		sev := SeverityWarning
		if rec.Dirty && !rec.Recovered {
			sev = SeverityError
		}
		// The code says the log was refused; its error says why.
		out.addProblem(o, problem(r.Name, sev, result.CodeLogRefused, "", because(ErrDamaged, r.Err)))
	}
	for _, err := range h.Problems() {
		switch {
		case isLogProblem(err, rec):
		case errors.Is(err, hive.ErrStale):
			// The code says the values may be stale; the hive's error
			// says why it is dirty and why no log was applied.
			out.addProblem(o, problem(f.Path, SeverityError, result.CodeHiveStale, "", because(ErrDamaged, err)))
		default:
			out.addProblem(o, problem(f.Path, SeverityError, result.CodeHiveDamage, "", because(ErrDamaged, err)))
		}
	}
}

// sourceProblems drops from a reader's problems those hiveProblems
// reported already: the refused logs (which name the log, not the hive).
// The hive's own damage is dropped by addProblem, which keeps one problem
// per file and message.
func sourceProblems(errs []error, rec hive.Recovery) []error {
	var keep []error
	for _, err := range errs {
		if !isLogProblem(err, rec) {
			keep = append(keep, err)
		}
	}
	return keep
}

// isLogProblem reports whether err is already reported as a refused log.
func isLogProblem(err error, rec hive.Recovery) bool {
	for _, r := range rec.Refused {
		if r.Err != nil && (errors.Is(err, r.Err) || err.Error() == r.Err.Error()) {
			return true
		}
	}
	return false
}

// readLimit is the most read into memory for f: MaxFileSize, and for a
// text export the parser's own MaxSize.
func readLimit(f *collect.File, o *Options) int64 {
	switch f.Kind {
	case collect.KindRegExport, collect.KindRegQuery:
		return o.exportOptions().MaxSize
	case collect.KindGetVM:
		return min(o.MaxFileSize, psvm.DefaultMaxSize)
	case collect.KindEventExport:
		return min(o.MaxFileSize, export.DefaultMaxSize)
	}
	return o.MaxFileSize
}

// exportOptions are the export parsers' limits within MaxFileSize: their
// own defaults (64 MiB of text) apply inside a scan.
func (o *Options) exportOptions() hive.ExportOptions {
	var eo hive.ExportOptions
	if o.Export != nil {
		eo = *o.Export
	}
	if eo.MaxSize <= 0 {
		eo.MaxSize = hive.DefaultMaxExportSize
	}
	eo.MaxSize = min(eo.MaxSize, o.MaxFileSize)
	return eo
}

func readExport(ctx context.Context, f *collect.File, data []byte, o *Options, out *fileOut) {
	eo := o.exportOptions()
	eo.File = f.Path
	var (
		ex  *hive.Export
		err error
	)
	if f.Kind == collect.KindRegExport {
		ex, err = hive.ParseReg(ctx, data, &eo)
	} else {
		ex, err = hive.ParseRegQuery(ctx, data, &eo)
	}
	if err != nil {
		if ctx.Err() != nil {
			return
		}
		out.problems = append(out.problems, problem(f.Path, SeverityError, result.CodeExportUnreadable, "", because(ErrUnreadable, err)))
		return
	}
	facts := hive.ExtractFacts(ex, f.Path)
	factsDone(facts, o, out)
	out.ownName = ownName(ex)
	systemDone(hive.ExtractSystemFacts(ex, f.Path), o, out)
}

func factsDone(facts hive.Facts, o *Options, out *fileOut) {
	out.ok = true
	out.facts = &facts
	switch facts.Side {
	case hive.SideHost:
		out.info.Role = RoleHostRegistry
	case hive.SideGuest:
		out.info.Role = RoleGuestRegistry
	case hive.SideBoth:
		out.info.Role = RoleHostGuestRegistry
	default:
		out.info.Role = RoleOtherRegistry
	}
	for _, err := range facts.Problems {
		sev := SeverityWarning
		if errors.Is(err, hive.ErrCorrupt) || errors.Is(err, hive.ErrTruncated) || errors.Is(err, hive.ErrTooLarge) {
			// Damage or a limit: evidence may be missing.
			sev = SeverityError
		}
		out.addProblem(o, problem(out.info.Path, sev, result.CodeRegistryProblem, "", because(ErrDamaged, err)))
	}
}

// pathGPMachine holds, on a domain member, the computer's own distinguished
// name as Group Policy last saw it ("CN=HV01,OU=Hosts,DC=contoso,DC=local").
const pathGPMachine = `Microsoft\Windows\CurrentVersion\Group Policy\State\Machine`

// ownName is the computer name a SOFTWARE hive records of itself: from the
// Group Policy state's Distinguished-Name (CN=name + the DC= labels), or
// "" when the machine is not a domain member or the key is absent.
func ownName(src hive.KeyReader) string {
	k, err := src.Key(pathGPMachine)
	if err != nil {
		return ""
	}
	v, ok := k.Value("Distinguished-Name")
	if !ok {
		return ""
	}
	dn, ok := v.Text()
	if !ok {
		return ""
	}
	return nameFromDN(dn)
}

// nameFromDN turns "CN=HV01,OU=Hosts,DC=contoso,DC=local" into
// "HV01.contoso.local"; "" when there is no CN. Names with escaped commas
// or characters a computer name cannot hold are refused.
func nameFromDN(dn string) string {
	if strings.Contains(dn, `\`) || len(dn) > 1024 {
		return ""
	}
	var cn string
	var dcs []string
	for _, part := range strings.Split(dn, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return ""
		}
		switch strings.ToUpper(strings.TrimSpace(k)) {
		case "CN":
			if cn == "" {
				cn = strings.TrimSpace(v)
			}
		case "DC":
			dcs = append(dcs, strings.TrimSpace(v))
		}
	}
	if cn == "" || len(cn) > 63 || strings.ContainsAny(cn, " ./\\:*?\"<>|") {
		return ""
	}
	for _, dc := range dcs {
		if dc == "" || strings.ContainsAny(dc, " /\\:*?\"<>|") {
			return cn
		}
	}
	if len(dcs) == 0 {
		return cn
	}
	return cn + "." + strings.Join(dcs, ".")
}

// refOf is the evidence of one registry value: where it was read and the
// data read (as the Fact's text).
func refOf(file string, f hive.Fact, what string) kb.Ref {
	return kb.Ref{File: file, KeyPath: f.Source.Key, Value: f.Source.Value, Data: f.Value, What: what}
}

func atoi(f hive.Fact) uint32 {
	if !f.Present {
		return 0
	}
	n, err := strconv.ParseUint(strings.TrimSpace(f.Value), 0, 32)
	if err != nil {
		return 0
	}
	return uint32(n)
}

func osOf(f hive.OSFacts) kb.OSInfo {
	return kb.OSInfo{
		Name:       f.ProductName.Value,
		Version:    f.CurrentVersion.Value,
		Major:      atoi(f.MajorVersion),
		Minor:      atoi(f.MinorVersion),
		Build:      atoi(f.CurrentBuild),
		UBR:        atoi(f.UBR),
		CSDVersion: f.CSDVersion.Value,
	}
}

func guestOS(g *hive.GuestFacts) kb.OSInfo {
	os := kb.OSInfo{
		Name:        g.AutoValue("OSName").Value,
		Version:     g.AutoValue("OSVersion").Value,
		Major:       atoi(g.AutoValue("OSMajorVersion")),
		Minor:       atoi(g.AutoValue("OSMinorVersion")),
		Build:       atoi(g.AutoValue("OSBuildNumber")),
		CSDVersion:  g.AutoValue("CSDVersion").Value,
		ProductType: atoi(g.AutoValue("ProductType")),
	}
	own := osOf(g.OS)
	if own.Name != "" || own.Version != "" {
		own.ProductType = os.ProductType
		return own
	}
	return os
}

func addFacts(ev *kb.Evidence, inv *Inventory, out *fileOut, nm *namer) {
	f := out.facts
	file := out.info.Path
	if f.Host != nil {
		name, guessed := nm.hostFor(out.dir)
		if sys := nm.systemIn(out.dir); sys != "" {
			// The SYSTEM hive beside it records the machine's name.
			name, guessed = nm.fullName(sys), false
		} else if out.ownName != "" && (name == "" || guessed) {
			// The hive's own record of its name beats a guess.
			name, guessed = out.ownName, false
			for _, k := range nm.known {
				if kb.HostKey(k) == kb.HostKey(name) && len(k) > len(name) {
					name = k
				}
			}
		}
		switch {
		case name == "":
			name = unknownHost(out.dir, file)
			out.problems = append(out.problems, problem(file, SeverityWarning, result.CodeHostUnnamed, "",
				because(ErrDamaged, fmt.Errorf("no event log names this host's computer; it is called %q", name))))
		case guessed:
			out.problems = append(out.problems, problem(file, SeverityWarning, result.CodeHostGuessed, "",
				because(ErrGuessed, fmt.Errorf("no log beside this host hive names its computer; taken to be %q, the only host in the collection", name))))
		}
		out.info.Host = name
		h := kb.HostEvidence{Name: name, OS: osOf(f.Host.OS), Registry: true, Replayed: out.replayed,
			VirtualizationVersion: f.Host.VirtualizationVersion.Value, GuestInstaller: map[string]string{}}
		for _, k := range hive.SortedNames(f.Host.GuestInstallerVersions) {
			v := f.Host.GuestInstallerVersions[k]
			if v.Present {
				h.GuestInstaller[k] = v.Value
				h.Refs = append(h.Refs, refOf(file, v, k))
				if err := checkICVersion(k, v.Value); err != nil {
					out.problems = append(out.problems, problem(file, SeverityWarning, result.CodeICVersionMalformed, "", err))
				}
			}
		}
		if f.Host.VirtualizationVersion.Present {
			h.Refs = append(h.Refs, refOf(file, f.Host.VirtualizationVersion, "Virtualization Version"))
		}
		ev.Hosts = append(ev.Hosts, h)
	}
	if f.Guest != nil {
		addGuest(ev, inv, out, nm)
	}
}

// addGuest adds a guest hive's or export's facts as guest evidence and to
// the inventory.
func addGuest(ev *kb.Evidence, inv *Inventory, out *fileOut, nm *namer) {
	f := out.facts
	file := out.info.Path
	g := f.Guest
	ge := kb.GuestEvidence{
		VMID:        g.VirtualMachineID.Value,
		VMName:      g.VirtualMachineName.Value,
		HostOSMajor: atoi(g.HostingSystemOsMajor),
		HostOSMinor: atoi(g.HostingSystemOsMinor),
		HostEdition: atoi(g.HostingSystemEditionID),
		ICVersion:   g.IntegrationServicesVersion.Value,
		OS:          guestOS(g),
		Replayed:    out.replayed,
	}
	for _, hf := range []hive.Fact{g.HostName, g.PhysicalHostName, g.PhysicalHostNameFullyQualified} {
		if hf.Present && hf.Value != "" {
			ge.HostNames = append(ge.HostNames, hf.Value)
		}
	}
	if g.AutoLastWrite.Present {
		ge.AutoWritten = g.AutoLastWrite.Time
	}
	if g.ParametersLastWrite.Present {
		ge.ParametersWritten = g.ParametersLastWrite.Time
	}
	if g.BackupType.Present {
		n := atoi(g.BackupType)
		ge.BackupType = &n
	}
	if g.IntegrationServicesVersion.Present {
		ge.Refs = append(ge.Refs, refOf(file, g.IntegrationServicesVersion, "IntegrationServicesVersion"))
		if err := checkICVersion("IntegrationServicesVersion", ge.ICVersion); err != nil {
			out.problems = append(out.problems, problem(file, SeverityWarning, result.CodeICVersionMalformed, "", err))
		}
	}
	if g.VirtualMachineID.Present {
		ge.Refs = append(ge.Refs, refOf(file, g.VirtualMachineID, "VirtualMachineId"))
	}
	if sys := nm.systems[out.dir]; len(sys) == 1 {
		// The guest's SYSTEM hive, paired by folder.
		if svc, ok := sys[0].Service("vmickvpexchange"); ok && svc.Present && svc.Start.Present {
			off := svc.Disabled()
			ge.DataExchangeDisabled = &off
			ge.Refs = append(ge.Refs, refOf(sys[0].File, svc.Start, "vmickvpexchange Start"))
		}
	}
	ev.Guests = append(ev.Guests, ge)
	host := ""
	if len(ge.HostNames) > 0 {
		host = ge.HostNames[0]
	}
	if f.Host == nil {
		out.info.Host = host
	}
	inv.Guests = append(inv.Guests, Guest{File: file, Kind: out.info.Kind, VMName: ge.VMName, VMID: kb.NormalizeVMID(ge.VMID),
		Host: host, ICVersion: ge.ICVersion, OS: ge.OS.Name, Replayed: out.replayed})
}

// checkICVersion reports an IC version value (the guest's
// IntegrationServicesVersion, a host's GuestInstaller package) that is not
// four numeric parts: malformed evidence, never padded into a version
// (domain reference §2). The value still reaches kb as read, which marks
// the VM undetermined.
func checkICVersion(name, s string) error {
	v, err := kb.ParseVersion(s)
	if err != nil {
		return because(ErrDamaged, fmt.Errorf("%s %q is not a version", name, s))
	}
	if v.Parts != 4 {
		return because(ErrDamaged, fmt.Errorf("%s %q has %d parts, not four", name, s, v.Parts))
	}
	return nil
}
