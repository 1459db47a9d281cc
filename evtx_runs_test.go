package hvic_test

import (
	"context"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvic/hvic"
	"github.com/hvic/hvic/evtx"
	"github.com/hvic/hvic/internal/evtxwriter"
)

// TestChunkRunsReadOnce (issue 14 item 6): one kind of chunk damage on
// consecutive chunks is one problem ("chunk 1 ...; chunks 2-4 too") whose
// error is still the first chunk's; damage on chunks apart, or of another
// kind, stays a problem of its own.
func TestChunkRunsReadOnce(t *testing.T) {
	tests := []struct {
		name    string
		corrupt func(b []byte) error
		want    []string // the problems' messages contain these, in order
		chunk   []int    // the first chunk each names
	}{
		{"bad signatures", func(b []byte) error {
			for _, c := range []int{1, 2, 3, 4, 6} {
				if err := evtxwriter.CorruptChunkMagic(b, c); err != nil {
					return err
				}
			}
			return nil
		}, []string{"bad chunk signature", "; chunks 2-4 too (3 more record headers lost)", "chunk 6 offset 0x61000"}, []int{1, 6}},
		{"two kinds interleaved", func(b []byte) error {
			for _, c := range []int{2, 3} {
				if err := evtxwriter.CorruptChunkCRC(b, c); err != nil {
					return err
				}
				if err := evtxwriter.CorruptChunkHeaderCRC(b, c); err != nil {
					return err
				}
			}
			return nil
		}, []string{"chunk 2 offset 0x21000 chunk header: checksum mismatch", "; chunk 3 too", "chunk 2 offset 0x21000 chunk records: checksum mismatch", "; chunk 3 too"}, []int{2, 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := evtxwriter.New(evtxwriter.Options{MaxRecordsPerChunk: 1})
			for i := range 8 {
				require.NoError(t, w.Add(evtxwriter.Event{Provider: "Microsoft-Windows-Hyper-V-Integration-Heartbeat", EventID: 4010,
					Time: time.Date(2024, 1, 1, 0, i, 0, 0, time.UTC), Channel: "Microsoft-Windows-Hyper-V-Integration-Admin", Computer: "HV09",
					Data: []evtxwriter.Field{{Name: "VmName", Value: "X"}}}))
			}
			data, err := w.Bytes()
			require.NoError(t, err)
			require.NoError(t, tt.corrupt(data))
			res, err := hvic.Scan(context.Background(), fstest.MapFS{"HV09/integ.evtx": {Data: data}}, nil)
			require.NoError(t, err)
			var msgs []string
			var chunks []int
			for _, p := range res.Problems {
				if p.File != "HV09/integ.evtx" {
					continue
				}
				msgs = append(msgs, p.Message)
				var fe *evtx.FormatError
				require.ErrorAs(t, p.Err, &fe, p.Message)
				chunks = append(chunks, fe.Chunk)
			}
			assert.Equal(t, tt.chunk, chunks, "%q", msgs)
			all := strings.Join(msgs, "\n")
			at := 0
			for _, w := range tt.want {
				i := strings.Index(all[at:], w)
				require.GreaterOrEqual(t, i, 0, "%q after %d in %s", w, at, all)
				at += i + len(w)
			}
		})
	}
}
