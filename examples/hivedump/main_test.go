package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvic/hvic/hive"
	"github.com/hvic/hvic/internal/hivewriter"
)

func fixture(name string) string { return filepath.Join("..", "..", "testdata", "hivefacts", name) }

func decodeLines(t *testing.T, b []byte) []map[string]any {
	t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var m map[string]any
		require.NoError(t, json.Unmarshal(sc.Bytes(), &m), sc.Text())
		out = append(out, m)
	}
	require.NoError(t, sc.Err())
	return out
}

func TestHivedump(t *testing.T) {
	fx, err := hivewriter.Fixtures()
	require.NoError(t, err)
	byName := map[string]hivewriter.Fixture{}
	for _, f := range fx {
		byName[f.Name] = f
	}
	dirty := byName["guest-dirty-2012R2.hiv"]
	host := byName["host-2012.hiv"]

	var stdout, stderr bytes.Buffer
	files := []string{
		fixture(dirty.Name), fixture("garbage.bin"), fixture(host.Name),
		fixture("guest-2012-query-sjis.txt"), fixture("guest-2012R2-utf16.reg"), fixture("no-such-file.hiv"),
	}
	code := run(append([]string{"-key", hive.PathAuto}, files...), &stdout, &stderr)
	assert.Equal(t, 2, code)

	errLines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
	require.Len(t, errLines, 2)
	assert.Contains(t, errLines[0], "garbage.bin")
	assert.Contains(t, errLines[1], "no-such-file.hiv")

	objs := decodeLines(t, stdout.Bytes())
	require.Len(t, objs, 4, "the other inputs are still processed")

	d := objs[0]
	assert.Equal(t, fixture(dirty.Name), d["file"])
	assert.Equal(t, "hive", d["kind"])
	assert.Equal(t, "guest", d["side"])
	assert.Equal(t, true, d["dirty"])
	assert.Equal(t, []any{dirty.Name + ".LOG1"}, d["logs_applied"])
	assert.Nil(t, d["host"])
	g := d["guest"].(map[string]any)
	assert.Equal(t, dirty.ICVersion, g["integration_services_version"])
	assert.Equal(t, dirty.Guest.VMID, g["vm_id"])
	assert.Equal(t, dirty.Guest.VMName, g["vm_name"])
	assert.Equal(t, dirty.Guest.HostName, g["host_name"])
	assert.Equal(t, dirty.Shape.ProductName, g["os_product"])
	assert.Equal(t, dirty.Shape.CurrentVersion+"."+dirty.Shape.CurrentBuild, g["os_version"])
	assert.Equal(t, "1", g["backup_type"])
	assert.NotEmpty(t, g["auto_last_write"])
	assert.Empty(t, d["problems"])
	key := d["key"].(map[string]any)
	assert.Equal(t, hive.PathAuto, key["path"])
	vals := key["values"].([]any)
	first := vals[0].(map[string]any)
	assert.Equal(t, map[string]any{"name": "IntegrationServicesVersion", "type": "REG_SZ", "data": dirty.ICVersion}, first)

	h := objs[1]
	assert.Equal(t, "host", h["side"])
	assert.Equal(t, false, h["dirty"])
	hj := h["host"].(map[string]any)
	assert.Equal(t, map[string]any{
		hive.GuestInstallerWin6x: host.ICVersion,
		hive.GuestInstallerWin5x: host.ICVersion,
	}, hj["guest_installer_versions"])
	assert.Equal(t, host.Shape.ProductName, hj["os_product"])
	assert.Equal(t, host.Shape.CurrentBuild, hj["os_build"])
	require.Len(t, h["problems"], 1, "-key names a key the host lacks")

	q := objs[2]
	assert.Equal(t, "reg-query", q["kind"])
	assert.Equal(t, "guest", q["side"])
	assert.Equal(t, "仮想マシン01", q["guest"].(map[string]any)["vm_name"])
	assert.Nil(t, q["guest"].(map[string]any)["auto_last_write"])

	r := objs[3]
	assert.Equal(t, "reg-export", r["kind"])
	assert.Equal(t, "guest", r["side"])
	require.Len(t, r["problems"], 1, "the key outside SOFTWARE")
}

func TestHivedumpUsage(t *testing.T) {
	for _, args := range [][]string{nil, {"-nope"}, {"-key"}} {
		var stdout, stderr bytes.Buffer
		assert.Equal(t, 2, run(args, &stdout, &stderr), args)
		assert.Empty(t, stdout.String())
		assert.Contains(t, stderr.String(), "hivedump")
	}
}

func TestHivedumpAllGood(t *testing.T) {
	dir := t.TempDir()
	b := hivewriter.New()
	b.Key(`ControlSet001\Services\vmicheartbeat`).SetDword("Start", 3)
	data, err := b.Bytes()
	require.NoError(t, err)
	p := filepath.Join(dir, "SYSTEM")
	require.NoError(t, os.WriteFile(p, data, 0o644))
	var stdout, stderr bytes.Buffer
	require.Equal(t, 0, run([]string{p}, &stdout, &stderr))
	assert.Empty(t, stderr.String())
	objs := decodeLines(t, stdout.Bytes())
	require.Len(t, objs, 1)
	assert.Equal(t, "none", objs[0]["side"])
}
