package hvic_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvic/hvic"
	"github.com/hvic/hvic/evtx"
	"github.com/hvic/hvic/hive"
	"github.com/hvic/hvic/internal/evtxwriter"
	"github.com/hvic/hvic/internal/hivewriter"
	"github.com/hvic/hvic/internal/samplegen"
	"github.com/hvic/hvic/kb"
	"github.com/hvic/hvic/report/result"
)

const sampleDir = "testdata/sample"

func sampleFS(t testing.TB) fstest.MapFS {
	t.Helper()
	files, err := samplegen.Files()
	require.NoError(t, err)
	m := fstest.MapFS{}
	for name, data := range files {
		m[name] = &fstest.MapFile{Data: data}
	}
	return m
}

func byName(res *hvic.Result) map[string]kb.Assessment {
	m := map[string]kb.Assessment{}
	for _, a := range res.VMs {
		m[a.VMName] = a
	}
	return m
}

func TestSampleVerdicts(t *testing.T) {
	res, err := hvic.Scan(context.Background(), os.DirFS(sampleDir), &hvic.Options{LinuxVMs: []string{samplegen.LNX01.Name}})
	require.NoError(t, err)
	assert.Equal(t, hvic.StatusComplete, res.Status)
	assert.Empty(t, res.Problems)
	got := byName(res)
	require.Len(t, got, len(samplegen.VMs()))
	for _, vm := range samplegen.VMs() {
		t.Run(vm.Name, func(t *testing.T) {
			a, ok := got[vm.Name]
			require.True(t, ok)
			assert.Equal(t, vm.Case, a.Case.String())
			assert.Equal(t, vm.Action, a.Action.String())
			assert.Equal(t, strings.ToLower(vm.ID), a.VMID)
			assert.Equal(t, samplegen.HostFQDN, a.Host)
			assert.Equal(t, samplegen.HostIC, a.HostIC.Raw)
			assert.Equal(t, vm.GuestIC, a.GuestIC.Raw)
		})
	}
	assert.True(t, res.NeedsAction())

	// Inventory: one host with both logs covered, every file with a role.
	require.Len(t, res.Inventory.Hosts, 1)
	h := res.Inventory.Hosts[0]
	assert.Equal(t, samplegen.HostFQDN, h.Name)
	var channels []string
	for _, c := range h.Logs {
		channels = append(channels, c.Channel)
		assert.False(t, c.First.IsZero())
		assert.False(t, c.Last.Before(c.First))
	}
	assert.ElementsMatch(t, []string{"System", "Microsoft-Windows-Hyper-V-Integration-Admin"}, channels)
	roles := map[string]hvic.Role{}
	for _, f := range res.Inventory.Files {
		roles[f.Path] = f.Role
	}
	assert.Equal(t, map[string]hvic.Role{
		"HV01/Logs/Microsoft-Windows-Hyper-V-Integration-Admin.evtx": hvic.RoleIntegrationLog,
		"HV01/Logs/System.evtx":            hvic.RoleSystemLog,
		"HV01/Registry/SOFTWARE":           hvic.RoleHostRegistry,
		"guests/APP01/SOFTWARE":            hvic.RoleGuestRegistry,
		"guests/APP01/SOFTWARE.LOG1":       hvic.RoleTransactionLog,
		"guests/DB01/SOFTWARE":             hvic.RoleGuestRegistry,
		"guests/DC01-reg-query.txt":        hvic.RoleGuestRegistry,
		"guests/FS01/SOFTWARE":             hvic.RoleGuestRegistry,
		"guests/SQL01-virtual-machine.reg": hvic.RoleGuestRegistry,
		"guests/WEB01/SOFTWARE":            hvic.RoleGuestRegistry,
	}, roles)
	assert.Len(t, res.Inventory.Guests, 6)
	assert.Len(t, res.Inventory.VMs, 7)
	assert.NotEmpty(t, res.Events)
}

// The dirty guest is right only with its log replayed.
func TestSampleDirtyGuestNeedsReplay(t *testing.T) {
	res, err := hvic.Scan(context.Background(), os.DirFS(sampleDir), &hvic.Options{Hive: &hive.Options{NoReplay: true}})
	require.NoError(t, err)
	app := byName(res)[samplegen.APP01.Name]
	assert.Equal(t, samplegen.StaleIC, app.GuestIC.Raw)
	assert.NotEqual(t, kb.CaseMatch, app.Case)
	assert.Equal(t, hvic.StatusPartial, res.Status, "a dirty hive read stale is a problem")
}

func TestSampleWithoutLinuxHint(t *testing.T) {
	res, err := hvic.Scan(context.Background(), os.DirFS(sampleDir), nil)
	require.NoError(t, err)
	lnx := byName(res)[samplegen.LNX01.Name]
	assert.NotEqual(t, kb.CaseLinuxGuest, lnx.Case, "nothing in the files says LNX01 runs Linux")
	// Known from VmSwitch 27 and storvsp 6 only: Linux is possible, so no
	// upgrade is recommended on versions alone (issue 10).
	assert.Equal(t, kb.ActionInvestigate, lnx.Action)
	assert.NotEqual(t, kb.ActionUpgradeRecommended, lnx.Action)
	assert.NotEqual(t, kb.ActionUpgradeRequired, lnx.Action)
	assert.Equal(t, kb.CaseIncompatibleMismatch, byName(res)[samplegen.DB01.Name].Case)
}

// The committed sample is what the generator writes.
func TestSampleUpToDate(t *testing.T) {
	files, err := samplegen.Files()
	require.NoError(t, err)
	for name, data := range files {
		got, err := os.ReadFile(filepath.Join(sampleDir, filepath.FromSlash(name)))
		require.NoError(t, err, "run go run ./internal/samplegen/cmd/samplegen")
		assert.True(t, bytes.Equal(data, got), "%s differs from the generator's output: run go run ./internal/samplegen/cmd/samplegen", name)
	}
}

func zipOf(t testing.TB, entries map[string][]byte, extra ...[2]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	names := make([]string, 0, len(entries))
	for n := range entries {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		w, err := zw.Create(n)
		require.NoError(t, err)
		_, err = w.Write(entries[n])
		require.NoError(t, err)
	}
	for _, e := range extra {
		w, err := zw.Create(e[0])
		require.NoError(t, err)
		_, err = w.Write([]byte(e[1]))
		require.NoError(t, err)
	}
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

func TestHostileZipRefusedRestAnalysed(t *testing.T) {
	files, err := samplegen.Files()
	require.NoError(t, err)
	evtxHead := string(files["HV01/Logs/System.evtx"][:4096])
	bomb := strings.Repeat("\x00", 16<<20)
	z := zipOf(t, files,
		[2]string{"../../etc/evil.evtx", evtxHead},
		[2]string{`..\..\Windows\evil.reg`, "Windows Registry Editor Version 5.00\r\n"},
		[2]string{"C:/evil.evtx", evtxHead},
		[2]string{"bomb/System.evtx", "ElfFile\x00" + bomb},
	)
	outer := zipOf(t, map[string][]byte{"customer.zip": z})
	res, err := hvic.Scan(context.Background(), fstest.MapFS{"upload/case-123.zip": {Data: outer}}, &hvic.Options{LinuxVMs: []string{"LNX01"}})
	require.NoError(t, err)
	assert.Equal(t, hvic.StatusPartial, res.Status)
	codes := map[string]string{}
	for _, p := range res.Problems {
		codes[path.Base(p.File)] = p.Code.String()
		assert.Equal(t, hvic.SeverityError, p.Severity)
		assert.True(t, errors.Is(p.Err, hvic.ErrRefused), p.Message)
		var fe *hvic.FileError
		require.ErrorAs(t, p.Err, &fe)
		assert.Equal(t, p.File, fe.File)
	}
	assert.Equal(t, map[string]string{
		"evil.evtx":              "unsafe-path",
		`..\..\Windows\evil.reg`: "unsafe-path",
		"System.evtx":            "compression-bomb",
	}, codes)
	assert.Len(t, res.Problems, 4)
	got := byName(res)
	for _, vm := range samplegen.VMs() {
		assert.Equal(t, vm.Case, got[vm.Name].Case.String(), vm.Name)
	}
	for _, f := range res.Inventory.Files {
		assert.True(t, strings.HasPrefix(f.Path, "upload/case-123.zip!/customer.zip!/"), f.Path)
	}
}

func TestDamagedFilesDoNotStopTheScan(t *testing.T) {
	fsys := sampleFS(t)
	sys := fsys["HV01/Logs/System.evtx"].Data
	fsys["HV01/Logs/System.evtx"] = &fstest.MapFile{Data: sys[:4096+1000]} // cut inside the first chunk
	fsys["junk/garbage-hive"] = &fstest.MapFile{Data: append([]byte("regf"), bytes.Repeat([]byte{0xFF}, 3000)...)}
	fsys["junk/notes.txt"] = &fstest.MapFile{Data: []byte("customer notes\n")}
	fsys["junk/bad.reg"] = &fstest.MapFile{Data: []byte("REGEDIT4\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\x\r\nbroken")}
	res, err := hvic.Scan(context.Background(), fsys, &hvic.Options{LinuxVMs: []string{"LNX01"}, Workers: 3})
	require.NoError(t, err)
	assert.Equal(t, hvic.StatusPartial, res.Status)
	files := map[string]bool{}
	for _, p := range res.Problems {
		files[p.File] = true
		require.Error(t, p.Err)
		assert.NotEmpty(t, p.Message)
	}
	assert.True(t, files["HV01/Logs/System.evtx"], "the cut System log is reported")
	assert.True(t, files["junk/garbage-hive"], "the garbage hive is reported")
	require.Len(t, res.Inventory.Skipped, 1)
	assert.Equal(t, "junk/notes.txt", res.Inventory.Skipped[0].Path)
	got := byName(res)
	for _, name := range []string{"DB01", "WEB01", "FS01", "APP01", "SQL01", "DC01"} {
		assert.Equal(t, samplegen.VMs()[indexOf(name)].Case, got[name].Case.String(), name)
	}
}

func indexOf(name string) int {
	for i, vm := range samplegen.VMs() {
		if vm.Name == name {
			return i
		}
	}
	return -1
}

func TestProgressWorkersAndCancel(t *testing.T) {
	fsys := sampleFS(t)
	var mu sync.Mutex
	var seen []hvic.Progress
	res1, err := hvic.Scan(context.Background(), fsys, &hvic.Options{Workers: 1, Progress: func(p hvic.Progress) {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, p)
	}})
	require.NoError(t, err)
	require.Len(t, seen, 9) // 10 files, the LOG1 read with its hive
	last := seen[len(seen)-1]
	assert.Equal(t, last.FilesTotal, last.FilesDone)
	assert.Equal(t, last.BytesTotal, last.BytesDone)
	assert.Equal(t, res1.Inventory.Bytes, last.BytesTotal)

	res4, err := hvic.Scan(context.Background(), fsys, &hvic.Options{Workers: 4})
	require.NoError(t, err)
	assert.Equal(t, res1.VMs, res4.VMs)
	assert.Equal(t, res1.Inventory, res4.Inventory)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = hvic.Scan(ctx, fsys, nil)
	assert.ErrorIs(t, err, context.Canceled)
}

func TestNothingReadable(t *testing.T) {
	res, err := hvic.Scan(context.Background(), fstest.MapFS{"a.txt": {Data: []byte("hello")}}, nil)
	require.NoError(t, err)
	assert.Equal(t, hvic.StatusFailed, res.Status)
	assert.Empty(t, res.VMs)
	assert.False(t, res.NeedsAction())

	missing := filepath.Join(t.TempDir(), "missing")
	_, err = hvic.ScanPaths(context.Background(), []string{missing}, nil)
	assert.ErrorIs(t, err, hvic.ErrNoInput)
	assert.ErrorIs(t, err, fs.ErrNotExist)
	msg := err.Error()
	assert.Equal(t, 1, strings.Count(msg, missing), "the path once: %s", msg)
	assert.Equal(t, 1, strings.Count(msg, "hvic"), "the package once: %s", msg)
	assert.NotContains(t, msg, "collect", "no internal package name")
	assert.True(t, strings.HasPrefix(msg, "hvic: no input: "), msg)

	_, err = hvic.ScanPaths(context.Background(), []string{missing, missing + "2"}, nil)
	assert.ErrorIs(t, err, fs.ErrNotExist)
	assert.Contains(t, err.Error(), missing+"2")
}

func TestScanPathsSingleFilesAndZip(t *testing.T) {
	dir := t.TempDir()
	files, err := samplegen.Files()
	require.NoError(t, err)
	zpath := filepath.Join(dir, "collection.zip")
	require.NoError(t, os.WriteFile(zpath, zipOf(t, files), 0o644))
	res, err := hvic.ScanPaths(context.Background(), []string{zpath}, &hvic.Options{LinuxVMs: []string{"LNX01"}})
	require.NoError(t, err)
	assert.Equal(t, hvic.StatusComplete, res.Status)
	assert.Len(t, res.VMs, 7)

	// A guest hive alone: the VM is known, its host's IC is not.
	res, err = hvic.ScanPaths(context.Background(), []string{filepath.Join(sampleDir, "guests", "WEB01", "SOFTWARE")}, nil)
	require.NoError(t, err)
	require.Len(t, res.VMs, 1)
	assert.Equal(t, "WEB01", res.VMs[0].VMName)
	assert.Equal(t, samplegen.WEB01.GuestIC, res.VMs[0].GuestIC.Raw)
	assert.NotEqual(t, kb.CaseMatch, res.VMs[0].Case)
}

// Several hosts in one collection: each host hive is named by the logs in
// its own folder.
func TestTwoHosts(t *testing.T) {
	files, err := samplegen.Files()
	require.NoError(t, err)
	fsys := fstest.MapFS{}
	for name, data := range files {
		if strings.HasPrefix(name, "HV01/") {
			fsys["site-a/"+name] = &fstest.MapFile{Data: data}
			fsys["site-b/HV02/"+strings.TrimPrefix(name, "HV01/")] = &fstest.MapFile{Data: bytes.ReplaceAll(data, []byte("H\x00V\x000\x001\x00"), []byte("H\x00V\x000\x002\x00"))}
		}
	}
	res, err := hvic.Scan(context.Background(), fsys, nil)
	require.NoError(t, err)
	var names []string
	for _, h := range res.Inventory.Hosts {
		names = append(names, h.Name)
		assert.Len(t, h.Files, 3, h.Name)
		assert.NotEmpty(t, h.GuestInstaller, h.Name)
	}
	assert.Equal(t, []string{"HV01.contoso.local", "HV02.contoso.local"}, names)
}

// A file's problems over MaxProblemsPerFile are counted in one last
// problem, and so are those the evtx reader itself dropped
// (evtx.Options.MaxProblems): twelve skipped chunks give twelve problems
// in all, however the two caps split them. The chunks skipped are every
// other one: consecutive ones would be one problem (chunkRuns).
func TestProblemsCappedPerFile(t *testing.T) {
	w := evtxwriter.New(evtxwriter.Options{MaxRecordsPerChunk: 1})
	for i := 0; i < 24; i++ {
		require.NoError(t, w.Add(evtxwriter.Event{Provider: "Microsoft-Windows-Hyper-V-Integration-Heartbeat", EventID: 4010,
			Time: time.Date(2024, 1, 1, 0, i, 0, 0, time.UTC), Channel: "Microsoft-Windows-Hyper-V-Integration-Admin", Computer: "HV09",
			Data: []evtxwriter.Field{{Name: "VmName", Value: "X"}}}))
	}
	data, err := w.Bytes()
	require.NoError(t, err)
	for c := 0; c < 24; c += 2 {
		require.NoError(t, evtxwriter.CorruptChunkMagic(data, c))
	}
	for _, tc := range []struct {
		perFile, evtxMax int
		listed           int
		more             string
	}{
		{perFile: 3, listed: 3, more: "9 not listed"},
		{perFile: 3, evtxMax: 5, listed: 3, more: "9 not listed"},
		{perFile: 20, evtxMax: 2, listed: 2, more: "10 not listed"},
	} {
		t.Run(fmt.Sprintf("%d per file, evtx %d", tc.perFile, tc.evtxMax), func(t *testing.T) {
			fsys := sampleFS(t)
			fsys["HV09/bad.evtx"] = &fstest.MapFile{Data: data}
			res, err := hvic.Scan(context.Background(), fsys, &hvic.Options{MaxProblemsPerFile: tc.perFile,
				EVTX: &evtx.Options{MaxProblems: tc.evtxMax}})
			require.NoError(t, err)
			var mine []hvic.Problem
			for _, p := range res.Problems {
				if p.File == "HV09/bad.evtx" {
					mine = append(mine, p)
				}
			}
			require.Len(t, mine, tc.listed+1)
			for _, p := range mine[:tc.listed] {
				assert.Equal(t, result.CodeEVTXChunkSkipped, p.Code)
			}
			assert.Equal(t, result.CodeMoreProblems, mine[tc.listed].Code)
			assert.Contains(t, mine[tc.listed].Message, tc.more)
			for _, p := range mine { // every Problem carries its error, the count too
				var fe *hvic.FileError
				require.ErrorAs(t, p.Err, &fe, p.Code.String())
				assert.Equal(t, p.File, fe.File)
			}
			assert.Equal(t, hvic.StatusPartial, res.Status)
		})
	}
}

// Without the host's Integration-Admin log, "no 4000" proves nothing; an
// empty log (named as Windows names it) still counts as read.
func TestCoverageDecidesCase2(t *testing.T) {
	empty, err := evtxwriter.New(evtxwriter.Options{}).Bytes()
	require.NoError(t, err)
	tests := []struct {
		name    string
		integ   []byte // nil: log absent
		logName string
		want    kb.Case
	}{
		{"log absent", nil, "", kb.CaseMismatchUnclassified},
		{"empty log on disk name", empty, "Microsoft-Windows-Hyper-V-Integration%4Admin.evtx", kb.CaseCompatibleMismatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := sampleFS(t)
			delete(fsys, "HV01/Logs/Microsoft-Windows-Hyper-V-Integration-Admin.evtx")
			if tt.integ != nil {
				fsys["HV01/Logs/"+tt.logName] = &fstest.MapFile{Data: tt.integ}
			}
			res, err := hvic.Scan(context.Background(), fsys, nil)
			require.NoError(t, err)
			assert.Equal(t, tt.want, byName(res)[samplegen.SQL01.Name].Case)
		})
	}
}

// A host hive with no log beside it is named after a folder that matches a
// computer the guests name, or reported.
func TestHostHiveNaming(t *testing.T) {
	files, err := samplegen.Files()
	require.NoError(t, err)
	tests := []struct {
		name     string
		hostPath string
		withLogs bool
		want     string
		problem  bool
	}{
		{"beside its logs", "HV01/Registry/SOFTWARE", true, samplegen.HostFQDN, false},
		{"folder names the host", "hv01/SOFTWARE", false, samplegen.HostFQDN, false},
		{"only host known", "x/SOFTWARE", false, samplegen.HostFQDN, true},
		{"logs elsewhere", "a/b/c/d/SOFTWARE", true, samplegen.HostFQDN, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{tt.hostPath: {Data: files["HV01/Registry/SOFTWARE"]}, "g/SOFTWARE": {Data: files["guests/WEB01/SOFTWARE"]}}
			if tt.withLogs {
				fsys["HV01/Logs/System.evtx"] = &fstest.MapFile{Data: files["HV01/Logs/System.evtx"]}
			}
			res, err := hvic.Scan(context.Background(), fsys, nil)
			require.NoError(t, err)
			var hostFile hvic.FileInfo
			for _, f := range res.Inventory.Files {
				if f.Path == tt.hostPath {
					hostFile = f
				}
			}
			assert.Equal(t, tt.want, hostFile.Host)
			var codes []string
			for _, p := range res.Problems {
				codes = append(codes, p.Code.String())
			}
			if tt.problem {
				assert.Equal(t, []string{"host-guessed"}, codes)
			} else {
				assert.Empty(t, codes)
			}
			assert.Equal(t, samplegen.HostIC, byName(res)["WEB01"].HostIC.Raw)
		})
	}
	// No guest and no log: the host is named after its folder, and said so.
	res, err := hvic.Scan(context.Background(), fstest.MapFS{"box/SOFTWARE": {Data: files["HV01/Registry/SOFTWARE"]}}, nil)
	require.NoError(t, err)
	require.Len(t, res.Problems, 1)
	assert.Equal(t, result.CodeHostUnnamed, res.Problems[0].Code)
	assert.Equal(t, hvic.SeverityWarning, res.Problems[0].Severity)
	assert.Equal(t, hvic.StatusComplete, res.Status)
	require.Len(t, res.Inventory.Hosts, 1)
	assert.Equal(t, "(box)", res.Inventory.Hosts[0].Name)
}

func TestMaxEvents(t *testing.T) {
	res, err := hvic.Scan(context.Background(), sampleFS(t), &hvic.Options{MaxEvents: 3, Workers: 2})
	require.NoError(t, err)
	assert.Len(t, res.Events, 3)
	var codes []string
	for _, p := range res.Problems {
		codes = append(codes, p.Code.String())
	}
	assert.Contains(t, codes, "events-limit")
	assert.Equal(t, hvic.StatusPartial, res.Status)
}

// A host hive with no log beside it names itself when it is a domain
// member (Group Policy's record of its distinguished name).
func TestHostHiveOwnName(t *testing.T) {
	b := hivewriter.HostSoftware(hivewriter.Shapes()[2])
	b.Key(`Microsoft\Windows\CurrentVersion\Group Policy\State\Machine`).SetString("Distinguished-Name", "CN=HV07,OU=Hyper-V Hosts,DC=contoso,DC=local")
	host, err := b.Bytes()
	require.NoError(t, err)
	files, err := samplegen.Files()
	require.NoError(t, err)
	res, err := hvic.Scan(context.Background(), fstest.MapFS{
		"x/SOFTWARE": {Data: host},
		"g/SOFTWARE": {Data: files["guests/WEB01/SOFTWARE"]}, // names HV01 as its host
	}, nil)
	require.NoError(t, err)
	assert.Empty(t, res.Problems)
	var names []string
	for _, h := range res.Inventory.Hosts {
		names = append(names, h.Name)
	}
	assert.Equal(t, []string{"HV01.contoso.local", "HV07.contoso.local"}, names)
}
