// Command hivedump prints, for each registry source given (a SOFTWARE hive
// with its sibling .LOG/.LOG1/.LOG2, a .reg export or reg query text, told
// apart by content), one JSON object per line with the Hyper-V integration
// services facts found in it:
//
//	go run ./examples/hivedump [-key PATH] FILE...
//
// Fields: file, kind ("hive", "hive-log", "reg-export", "reg-query"), side ("host", "guest",
// "both", "none"), dirty, logs_applied, host (guest_installer_versions as
// name to version, os_product, os_build, virtualization_version), guest
// (integration_services_version, vm_id, vm_name, host_name, os_product,
// os_version, backup_type, auto_last_write), problems; with -key PATH also
// key (that key's values; PATH relative to the SOFTWARE root). A file that
// cannot be read as any of the three gets one line on stderr naming it;
// the others are still processed and the exit status is 2.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/hvic/hvic/hive"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// sniffSize is how much of a file Sniff needs; a hive is then opened by
// path (with its logs), an export read whole up to the export size limit.
const sniffSize = 64 << 10

type hostJSON struct {
	GuestInstallerVersions map[string]string `json:"guest_installer_versions"`
	VirtualizationVersion  string            `json:"virtualization_version,omitempty"`
	OSProduct              string            `json:"os_product"`
	OSBuild                string            `json:"os_build"`
}

type guestJSON struct {
	IntegrationServicesVersion string     `json:"integration_services_version"`
	FromLog                    bool       `json:"integration_services_version_from_log,omitempty"`
	VMID                       string     `json:"vm_id"`
	VMName                     string     `json:"vm_name"`
	HostName                   string     `json:"host_name"`
	OSProduct                  string     `json:"os_product"`
	OSVersion                  string     `json:"os_version"`
	BackupType                 string     `json:"backup_type"`
	AutoLastWrite              *time.Time `json:"auto_last_write"`
}

type valueJSON struct {
	Name string `json:"name"`
	Type string `json:"type"`
	Data any    `json:"data"`
}

type keyJSON struct {
	Path      string      `json:"path"`
	LastWrite *time.Time  `json:"last_write,omitempty"`
	Values    []valueJSON `json:"values"`
	Subkeys   []string    `json:"subkeys"`
}

type output struct {
	File        string     `json:"file"`
	Kind        string     `json:"kind"`
	Side        string     `json:"side"`
	Dirty       bool       `json:"dirty"`
	LogsApplied []string   `json:"logs_applied"`
	Host        *hostJSON  `json:"host"`
	Guest       *guestJSON `json:"guest"`
	Key         *keyJSON   `json:"key,omitempty"`
	Problems    []string   `json:"problems"`
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("hivedump", flag.ContinueOnError)
	fs.SetOutput(stderr)
	keyPath := fs.String("key", "", "also dump the values of this key (path relative to the SOFTWARE root)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: hivedump [-key PATH] FILE...")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return 2
	}
	status := 0
	enc := json.NewEncoder(stdout)
	for _, file := range fs.Args() {
		out, err := dump(file, *keyPath)
		if err != nil {
			fmt.Fprintf(stderr, "hivedump: %s: %v\n", file, err)
			status = 2
			continue
		}
		if err := enc.Encode(out); err != nil {
			fmt.Fprintf(stderr, "hivedump: %s: %v\n", file, err)
			return 2
		}
	}
	return status
}

// readLimited reads at most limit bytes of file; more is an error when
// strict.
func readLimited(file string, limit int64, strict bool) ([]byte, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		if strict {
			return nil, fmt.Errorf("larger than %d bytes", limit)
		}
		data = data[:limit]
	}
	return data, nil
}

// dump reads one registry source and the facts found in it.
func dump(file, keyPath string) (*output, error) {
	out := &output{File: file, LogsApplied: []string{}, Problems: []string{}}
	src, err := openSource(file, out)
	if err != nil {
		return nil, err
	}
	f := hive.ExtractFacts(src, file)
	out.Side = f.Side.String()
	for _, p := range f.Problems {
		out.Problems = append(out.Problems, p.Error())
	}
	if h := f.Host; h != nil {
		out.Host = hostToJSON(h)
	}
	if g := f.Guest; g != nil {
		out.Guest = guestToJSON(g)
	}
	if keyPath != "" {
		k, err := src.Key(keyPath)
		if err != nil {
			out.Problems = append(out.Problems, err.Error())
		} else {
			out.Key = keyToJSON(k)
		}
	}
	return out, nil
}

// openSource tells what file holds by its content and opens it: a hive
// with its logs (recording in out whether it was dirty and which logs were
// applied), a .reg export or reg query text read whole. It sets out.Kind.
func openSource(file string, out *output) (hive.KeyReader, error) {
	head, err := readLimited(file, sniffSize, false)
	if err != nil {
		return nil, err
	}
	kind := hive.Sniff(head)
	var data []byte
	if kind == hive.KindRegExport || kind == hive.KindRegQuery {
		if data, err = readLimited(file, hive.DefaultMaxExportSize, true); err != nil {
			return nil, err
		}
	}
	out.Kind = kind.String()
	var src hive.KeyReader
	switch kind {
	case hive.KindHive:
		h, err := hive.Open(context.Background(), file, nil)
		if err != nil {
			return nil, err
		}
		rec := h.Recovery()
		out.Dirty = rec.Dirty
		for _, l := range rec.Applied {
			out.LogsApplied = append(out.LogsApplied, l.Name)
		}
		src = h
	case hive.KindRegExport:
		e, err := hive.ParseReg(context.Background(), data, &hive.ExportOptions{File: file})
		if err != nil {
			return nil, err
		}
		src = e
	case hive.KindRegQuery:
		e, err := hive.ParseRegQuery(context.Background(), data, &hive.ExportOptions{File: file})
		if err != nil {
			return nil, err
		}
		src = e
	case hive.KindHiveLog:
		return nil, errors.New("a hive transaction log: dump the hive beside it (its logs are applied)")
	default:
		return nil, errors.New("not a registry hive, .reg export or reg query text")
	}
	return src, nil
}

// hostToJSON is the host facts' output form.
func hostToJSON(h *hive.HostFacts) *hostJSON {
	out := &hostJSON{
		GuestInstallerVersions: map[string]string{},
		VirtualizationVersion:  h.VirtualizationVersion.Value,
		OSProduct:              h.OS.ProductName.Value,
		OSBuild:                h.OS.CurrentBuild.Value,
	}
	for name, v := range h.GuestInstallerVersions {
		out.GuestInstallerVersions[name] = v.Value
	}
	return out
}

// guestToJSON is the guest facts' output form.
func guestToJSON(g *hive.GuestFacts) *guestJSON {
	osVersion := g.OS.CurrentVersion.Value
	if g.OS.CurrentBuild.Value != "" {
		osVersion += "." + g.OS.CurrentBuild.Value
	}
	out := &guestJSON{
		IntegrationServicesVersion: g.IntegrationServicesVersion.Value,
		FromLog:                    g.IntegrationServicesVersion.Source.FromLog,
		VMID:                       g.VirtualMachineID.Value,
		VMName:                     g.VirtualMachineName.Value,
		HostName:                   g.HostName.Value,
		OSProduct:                  g.OS.ProductName.Value,
		OSVersion:                  osVersion,
		BackupType:                 g.BackupType.Value,
	}
	if g.AutoLastWrite.Present {
		t := g.AutoLastWrite.Time.UTC()
		out.AutoLastWrite = &t
	}
	return out
}

func keyToJSON(k *hive.Key) *keyJSON {
	out := &keyJSON{Path: k.Path, Values: []valueJSON{}, Subkeys: k.Subkeys}
	if out.Subkeys == nil {
		out.Subkeys = []string{}
	}
	if !k.LastWrite.IsZero() {
		t := k.LastWrite.UTC()
		out.LastWrite = &t
	}
	for _, v := range k.Values {
		vj := valueJSON{Name: v.Name, Type: v.Type.String()}
		switch v.Type {
		case hive.TypeMultiString:
			vj.Data = v.Strings()
		case hive.TypeDword, hive.TypeDwordBigEndian, hive.TypeQword:
			if n, ok := v.Uint64(); ok {
				vj.Data = n
			} else {
				vj.Data = fmt.Sprintf("%x", v.Data)
			}
		default:
			if s, ok := v.Text(); ok {
				vj.Data = s
			} else {
				vj.Data = fmt.Sprintf("%x", v.Data)
			}
		}
		out.Values = append(out.Values, vj)
	}
	return out
}
