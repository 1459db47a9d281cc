package hvic_test

import (
	"bytes"
	"context"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvic/hvic"
	"github.com/hvic/hvic/hive"
	"github.com/hvic/hvic/internal/evtxwriter"
	"github.com/hvic/hvic/internal/hivewriter"
	"github.com/hvic/hvic/internal/hostile"
)

// otherHive is a hive of neither kind that holds IC evidence, whose root
// has the given subkeys and whose base block records fileName ("" for
// none), with a damaged hive bin (see damageLastBin).
func otherHive(t testing.TB, fileName string, roots ...string) []byte {
	t.Helper()
	b := hivewriter.New()
	b.Timestamp = copied
	b.FileName = fileName
	b.Root().SetBinary("Blob", bytes.Repeat([]byte{0xA5}, 6000))
	for _, r := range roots {
		b.Key(r)
	}
	out, err := b.Bytes()
	require.NoError(t, err)
	return damageLastBin(t, out)
}

// damageLastBin overwrites the signature of a hive's last hive bin (past
// the first, which holds the root): the hive opens, and reports the bin
// as damage.
func damageLastBin(t testing.TB, hive []byte) []byte {
	t.Helper()
	last := bytes.LastIndex(hive, []byte("hbin"))
	require.Greater(t, last, 0x1000, "the hive needs a second bin")
	out := append([]byte(nil), hive...)
	copy(out[last:], "XXXX")
	return out
}

// sysmonLog is a Sysmon-like operational log on host with a damaged
// second chunk (its records lost).
func sysmonLog(t testing.TB, host string) []byte {
	t.Helper()
	w := evtxwriter.New(evtxwriter.Options{MaxRecordsPerChunk: 2})
	for i := range 6 {
		require.NoError(t, w.Add(evtxwriter.Event{Provider: "Microsoft-Windows-Sysmon", EventID: 1, Level: 4,
			Time: jan.Add(time.Duration(i) * time.Minute), Channel: "Microsoft-Windows-Sysmon/Operational", Computer: host,
			Data: []evtxwriter.Field{{Name: "Image", Value: `C:\Windows\System32\cmd.exe`}}}))
	}
	b, err := w.Bytes()
	require.NoError(t, err)
	require.NoError(t, evtxwriter.CorruptChunkMagic(b, 1))
	return b
}

// unnamedLog is a log whose every chunk is damaged: no record names its
// channel, so only its file name can tell what it is.
func unnamedLog(t testing.TB) []byte {
	t.Helper()
	b := sysmonLog(t, e2eHostA)
	for c := range 3 {
		require.NoError(t, evtxwriter.CorruptChunkMagic(b, c))
	}
	return b
}

// problemsOf returns the problems of file.
func problemsOf(res *hvic.Result, file string) []hvic.Problem {
	var out []hvic.Problem
	for _, p := range res.Problems {
		if p.File == file {
			out = append(out, p)
		}
	}
	return out
}

// TestOtherFilesDamage (issue 14 item 6): damage in files that cannot hold
// IC evidence (a SAM or SECURITY hive, a Sysmon log), told by content
// where it can be read and by name otherwise, is information: the status
// stays complete and nothing at warning level or above comes of it. The
// same damage in a file that may hold evidence still makes the scan
// partial.
func TestOtherFilesDamage(t *testing.T) {
	garbage := append([]byte("regf"), bytes.Repeat([]byte{0xEE}, 600)...)
	tests := []struct {
		name, file string
		data       []byte
		info       bool // the file's problems are information
	}{
		{"SAM by its root keys", "HV01/config/backup1.dat", otherHive(t, "", "SAM"), true},
		{"SECURITY by its root keys", "HV01/config/SECURITY", otherHive(t, "", "Policy", "RXACT"), true},
		{"root keys beat the name", "HV01/config/SOFTWARE", otherHive(t, "", "SAM"), true},
		{"NTUSER by base block name", "HV01/profile.bin", otherHive(t, `\??\C:\Users\adm\ntuser.dat`), true},
		{"SAM by file name", "HV01/config/SAM", garbage, true},
		{"SOFTWARE by file name", "HV01/config/SOFTWARE", garbage, false},
		{"a name that says nothing", "HV01/config/hive.bin", garbage, false},
		{"Sysmon by its channel", "HV01/logs/System.evtx", sysmonLog(t, e2eHostA), true},
		{"Security by file name", "HV01/logs/Security.evtx", unnamedLog(t), true},
		{"Sysmon by file name", "HV01/logs/Microsoft-Windows-Sysmon%4Operational.evtx", unnamedLog(t), true},
		{"System by file name", "HV01/logs/System.evtx", unnamedLog(t), false},
		{"a log name that says nothing", "HV01/logs/log1.evtx", unnamedLog(t), false},
		{"SOFTWARE with damage", "HV01/config/SOFTWARE",
			damageLastBin(t, hostHiveWithBlob(t)), false},
		{"SYSTEM with damage", "HV01/config/SAM", damageLastBin(t, systemHiveWithBlob(t)), false},
		{"an export named like another hive", "HV01/SAM.reg", hostile.RegOverKeyLimit(40), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := standard(t, mar, nil)
			c[tt.file] = tt.data
			// The export's guest key lies past the 40 keys kept: lost.
			res := scanCollection(t, c, &hvic.Options{Export: &hive.ExportOptions{MaxKeys: 40}})
			ps := problemsOf(res, tt.file)
			require.NotEmpty(t, ps, "the damage is reported")
			for _, p := range ps {
				if tt.info {
					assert.Equal(t, hvic.SeverityInfo, p.Severity, p.Message)
				} else {
					assert.NotEqual(t, hvic.SeverityInfo, p.Severity, p.Message)
				}
				assert.NotNil(t, p.Err, "every problem carries its error")
			}
			lost := false // an error-level problem: data that may hold evidence lost
			for _, p := range ps {
				lost = lost || p.Severity == hvic.SeverityError
			}
			assert.Equal(t, !tt.info, lost)
			if lost {
				assert.Equal(t, hvic.StatusPartial, res.Status)
			} else {
				assert.Equal(t, hvic.StatusComplete, res.Status)
			}
			require.Len(t, res.VMs, 1, "the host's VM is assessed either way")
		})
	}
}

// hostHiveWithBlob is the standard host's SOFTWARE hive with enough data
// for a second hive bin.
func hostHiveWithBlob(t testing.TB) []byte {
	t.Helper()
	b := hivewriter.HostSoftware(shapeNamed(t, "2012R2"))
	b.Timestamp = copied
	b.Key(`Classes\Blob`).SetBinary("Blob", bytes.Repeat([]byte{0xA5}, 6000))
	out, err := b.Bytes()
	require.NoError(t, err)
	return out
}

// systemHiveWithBlob is a SYSTEM hive with enough data for a second hive
// bin.
func systemHiveWithBlob(t testing.TB) []byte {
	t.Helper()
	b := hivewriter.SystemHive(hivewriter.System{ComputerName: "HV01"})
	b.Timestamp = copied
	b.Root().SetBinary("Blob", bytes.Repeat([]byte{0xA5}, 6000))
	out, err := b.Bytes()
	require.NoError(t, err)
	return out
}

// TestOtherFilesBesideGoodHost: a good host with damaged SAM and SECURITY
// hives and a damaged Sysmon log beside it is complete, its problems all
// information, none in the main list.
func TestOtherFilesBesideGoodHost(t *testing.T) {
	c := standard(t, mar, nil)
	c["HV01/config/SAM"] = otherHive(t, `\SystemRoot\System32\Config\SAM`, "SAM")
	c["HV01/config/SECURITY"] = otherHive(t, `\SystemRoot\System32\Config\SECURITY`, "Policy", "RXACT")
	c["HV01/logs/Microsoft-Windows-Sysmon%4Operational.evtx"] = sysmonLog(t, e2eHostA)
	res := scanCollection(t, c, nil)
	assert.Equal(t, hvic.StatusComplete, res.Status)
	files := map[string]bool{}
	for _, p := range res.Problems {
		assert.Equal(t, hvic.SeverityInfo, p.Severity, "%s: %s", p.File, p.Message)
		files[p.File] = true
	}
	assert.Len(t, files, 3, "each damaged file is reported")
}

// problemsFS is the collection behind the "problems" report fixture: a
// 2012 R2 host with its Get-VM output and logs, a guest export tied to
// web01 by its file name (a guess), a cut copy of the host's System log
// (damage that counts) and damaged SAM and SECURITY hives and a Sysmon log
// beside them (damage that does not).
func problemsFS(t *testing.T) fstest.MapFS {
	t.Helper()
	system := fixture(t, exportData, "hv01-system.evtx")
	c := collection{
		"HV01/SOFTWARE":         hostHive(t, shapeNamed(t, "2012R2"), map[string]string{"Win6x": "6.3.9600.18398"}),
		"HV01/HV01-vms.csv":     fixture(t, adviceData, "host-get-vm.csv"),
		"HV01/system.evtx":      system,
		"HV01/integ.evtx":       fixture(t, exportData, "hv01-integration-admin.evtx"),
		"HV01/old/System.evtx":  evtxwriter.Truncate(append([]byte(nil), system...), 5000),
		"HV01/config/SAM":       otherHive(t, `\SystemRoot\System32\Config\SAM`, "SAM"),
		"HV01/config/SECURITY":  otherHive(t, `\SystemRoot\System32\Config\SECURITY`, "Policy", "RXACT"),
		"HV01/logs/Sysmon.evtx": sysmonLog(t, e2eHostA),
		"guests/web01-auto.txt": []byte(bareAuto),
	}
	m := fstest.MapFS{}
	for name, data := range c {
		m[name] = &fstest.MapFile{Data: data}
	}
	return m
}

// TestGuessesAreNotDamage: a guess (a VM told from a file name) wraps
// ErrGuessed, not ErrDamaged, and reads as one.
func TestGuessesAreNotDamage(t *testing.T) {
	res, err := hvic.Scan(context.Background(), problemsFS(t), nil)
	require.NoError(t, err)
	guesses := 0
	for _, p := range res.Problems {
		if !p.Code.Guess() {
			assert.NotErrorIs(t, p.Err, hvic.ErrGuessed, p.Message)
			continue
		}
		guesses++
		assert.ErrorIs(t, p.Err, hvic.ErrGuessed)
		assert.NotErrorIs(t, p.Err, hvic.ErrDamaged)
		assert.Equal(t, hvic.SeverityWarning, p.Severity)
		assert.Contains(t, p.Err.Error(), ": guessed: ")
	}
	assert.Equal(t, 1, guesses, "web01-auto.txt is tied to web01 by its name")
}
