package hive

import (
	"context"
	"testing"
)

func FuzzParseRegQuery(f *testing.F) {
	seedFiles(f, ".txt")
	f.Add([]byte("HKEY_LOCAL_MACHINE\\SOFTWARE\\K\n    (既定)    REG_SZ    (値の設定なし)\n    m    REG_MULTI_SZ    a\\0b\n    q    REG_QWORD    0x1\n"))
	f.Add([]byte("\xff\xfeH\x00K\x00L\x00M\x00\\\x00a\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := ParseRegQuery(context.Background(), data, &ExportOptions{MaxKeys: 1000, MaxValueSize: 1 << 16, MaxProblems: 100})
		checkExport(t, e, err)
	})
}
