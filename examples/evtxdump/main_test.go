package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvic/hvic/examples/internal/cliflag"
	"github.com/hvic/hvic/internal/evtxwriter"
)

func lines(t *testing.T, b []byte) []map[string]any {
	t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var m map[string]any
		require.NoError(t, json.Unmarshal(sc.Bytes(), &m), sc.Text())
		out = append(out, m)
	}
	require.NoError(t, sc.Err())
	return out
}

// icLog writes a small log with two IC events and one unrelated event.
func icLog(t *testing.T) string {
	t.Helper()
	at := time.Date(2024, 1, 2, 3, 4, 5, 600000000, time.UTC)
	w := evtxwriter.New(evtxwriter.Options{})
	for _, e := range []evtxwriter.Event{
		{Provider: "storvsp", EventID: 6, HasQualifiers: true, Qualifiers: 32768, Level: 3, Time: at, Channel: "System", Computer: "HV01",
			Layout: evtxwriter.Classic, Data: []evtxwriter.Field{{Value: ""}, {Value: "web01"}, {Value: "{5E0B5B3A-1B2C-4D3E-8F90-ABCDEF012345}"}, {Value: "5.1"}, {Value: "4.2"}}},
		{Provider: "Service Control Manager", EventID: 7036, Time: at, Channel: "System", Computer: "HV01",
			Data: []evtxwriter.Field{{Name: "param1", Value: "x"}}},
		{Provider: "Microsoft-Windows-Hyper-V-Integration-KvpExchange", EventID: 4010, Level: 3, Time: at, Channel: "Microsoft-Windows-Hyper-V-Integration-Admin", Computer: "HV01",
			Layout: evtxwriter.Classic, Data: []evtxwriter.Field{{Value: "web01"}, {Value: "{5E0B5B3A-1B2C-4D3E-8F90-ABCDEF012345}"}, {Value: "Negotiated (3.0) - Expected (3.0)"}, {Value: "Negotiated (4.0) - Expected (5.0)"}}},
	} {
		require.NoError(t, w.Add(e))
	}
	b, err := w.Bytes()
	require.NoError(t, err)
	p := filepath.Join(t.TempDir(), "Hyper-V.evtx")
	require.NoError(t, os.WriteFile(p, b, 0o644))
	return p
}

func TestRun(t *testing.T) {
	sample := filepath.Join("..", "..", "testdata", "evtx", "williballenthin__python-evtx", "issue_38.evtx")
	damaged := filepath.Join("..", "..", "testdata", "evtx", "omerbenamram__evtx", "sample_with_a_bad_chunk_magic.evtx")
	bogus := filepath.Join(t.TempDir(), "not-a-log.evtx")
	require.NoError(t, os.WriteFile(bogus, []byte("plain text, not a log"), 0o644))
	ic := icLog(t)

	tests := []struct {
		name   string
		args   []string
		status int
		check  func(t *testing.T, out []map[string]any, stderr string)
	}{
		{"records", []string{sample}, 0, func(t *testing.T, out []map[string]any, stderr string) {
			require.Len(t, out, 1)
			for _, k := range []string{"file", "chunk", "record_id", "time", "provider", "event_id", "channel", "computer", "data"} {
				assert.Contains(t, out[0], k)
			}
			assert.Equal(t, "2017-06-23T05:31:19.7872632Z", out[0]["time"])
			assert.Equal(t, "Microsoft-Windows-Security-Auditing", out[0]["provider"])
			assert.Empty(t, stderr)
		}},
		{"ic", []string{"-ic", ic}, 0, func(t *testing.T, out []map[string]any, stderr string) {
			require.Len(t, out, 2)
			assert.Equal(t, "storage-mismatch", out[0]["kind"])
			assert.Equal(t, "storvsp", out[0]["shape"])
			assert.Equal(t, "web01", out[0]["vm_name"])
			assert.Equal(t, "5e0b5b3a-1b2c-4d3e-8f90-abcdef012345", out[0]["vm_id"])
			assert.Equal(t, "5.1", out[0]["server_version"])
			assert.Equal(t, "4.2", out[0]["client_version"])
			assert.Equal(t, "compatible", out[1]["kind"])
			assert.Equal(t, "KvpExchange", out[1]["component"])
			assert.Equal(t, "Negotiated (4.0) - Expected (5.0)", out[1]["message_version"])
			for _, k := range []string{"file", "record_id", "time", "kind", "shape", "provider", "event_id", "component", "vm_name", "vm_id",
				"server_version", "client_version", "framework_version", "message_version", "computer"} {
				assert.Contains(t, out[1], k)
			}
		}},
		{"summary of a damaged log", []string{"-summary", damaged}, 0, func(t *testing.T, out []map[string]any, stderr string) {
			require.Len(t, out, 1)
			assert.EqualValues(t, 269, out[0]["records_decoded"], "python-evtx: 270")
			assert.EqualValues(t, 31, out[0]["records_recovered"])
			assert.EqualValues(t, 2, out[0]["records_failed"])
			partial := 0
			for _, p := range out[0]["problems"].([]any) {
				if p.(map[string]any)["kind"] == "record-partial" {
					partial++
				}
			}
			assert.Equal(t, 2, partial, "records 47640 and 45933 have a damaged end")
			assert.EqualValues(t, 16, out[0]["chunks_total"])
			assert.EqualValues(t, 2, out[0]["chunks_skipped"])
			assert.NotEmpty(t, out[0]["problems"])
		}},
		{"bad file among good ones", []string{"-summary", "-ic", bogus, ic, filepath.Join(t.TempDir(), "missing.evtx")}, 2, func(t *testing.T, out []map[string]any, stderr string) {
			require.Len(t, out, 3, "two IC events and the summary of the good file")
			assert.Equal(t, ic, out[2]["file"])
			errLines := strings.Split(strings.TrimSpace(stderr), "\n")
			require.Len(t, errLines, 2)
			assert.Contains(t, errLines[0], bogus)
			assert.Contains(t, errLines[0], "not an evtx file")
			assert.Contains(t, errLines[1], "missing.evtx")
		}},
		{"no files", nil, 2, func(t *testing.T, out []map[string]any, stderr string) {
			assert.Empty(t, out)
			assert.Contains(t, stderr, "usage")
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			status := run(context.Background(), tc.args, &stdout, &stderr)
			assert.Equal(t, tc.status, status, stderr.String())
			tc.check(t, lines(t, stdout.Bytes()), stderr.String())
		})
	}
}

// TestFastPathMatchesSequential: -ic and -summary print the same through
// ScanIC (the default) as through one sequential Records pass, on every
// log of the public corpus copies in testdata/evtx and of the bundled
// sample.
func TestFastPathMatchesSequential(t *testing.T) {
	var logs []string
	for _, root := range []string{filepath.Join("..", "..", "testdata", "evtx"), filepath.Join("..", "..", "testdata", "sample")} {
		require.NoError(t, filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.EqualFold(filepath.Ext(p), ".evtx") {
				logs = append(logs, p)
			}
			return err
		}))
	}
	require.GreaterOrEqual(t, len(logs), 19, "17 corpus logs and the sample's two")
	var icEvents atomic.Int64
	// -ic alone decodes only the chunks naming a catalogue provider;
	// -summary (alone or with -ic) decodes every chunk, so -ic -summary
	// covers the summary path. The logs are independent: run in parallel
	// (the group returns when they are all done).
	t.Run("logs", func(t *testing.T) {
		for _, flags := range [][]string{{"-ic"}, {"-ic", "-summary"}} {
			for _, p := range logs {
				t.Run(strings.Join(flags, " ")+" "+filepath.Base(p), func(t *testing.T) {
					t.Parallel()
					var fast, seq, fastErr, seqErr bytes.Buffer
					fastStatus := run(context.Background(), append(append([]string{}, flags...), p), &fast, &fastErr)
					seqStatus := run(context.Background(), append(append([]string{"-sequential"}, flags...), p), &seq, &seqErr)
					assert.Equal(t, seqStatus, fastStatus, "%v %s", flags, p)
					assert.Equal(t, seqErr.String(), fastErr.String(), "%v %s", flags, p)
					require.Equal(t, seq.String(), fast.String(), "%v %s", flags, p)
					if len(flags) == 1 && flags[0] == "-ic" {
						icEvents.Add(int64(strings.Count(fast.String(), "\n")))
					}
				})
			}
		}
	})
	assert.Positive(t, icEvents.Load(), "the corpus and the sample hold IC events")
}

// TestFlags: flags before, between and after the files, "--" and -version.
func TestFlags(t *testing.T) {
	ic := icLog(t)
	var want bytes.Buffer
	require.Equal(t, 0, run(context.Background(), []string{"-ic", "-summary", ic, ic}, &want, io.Discard))
	for name, args := range map[string][]string{
		"between": {ic, "-ic", ic, "-summary"},
		"after":   {ic, ic, "--summary", "-ic=true"},
	} {
		var out bytes.Buffer
		require.Equal(t, 0, run(context.Background(), args, &out, io.Discard), name)
		assert.Equal(t, want.String(), out.String(), name)
	}

	var out, errOut bytes.Buffer
	assert.Equal(t, 2, run(context.Background(), []string{"-ic", "--", "-summary"}, &out, &errOut))
	assert.Empty(t, out.String())
	assert.Contains(t, errOut.String(), "evtxdump: -summary: ", "after --, -summary is a file")

	out.Reset()
	errOut.Reset()
	assert.Equal(t, 0, run(context.Background(), []string{ic, "-version"}, &out, &errOut))
	assert.Equal(t, "evtxdump "+cliflag.Version()+"\n", out.String())
	assert.Empty(t, errOut.String())
}
