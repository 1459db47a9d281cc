package export

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParse checks that Parse and Sniff never panic, that the caps hold
// (counted records included), and that every event read from rendered
// text is flagged; plain go test
// replays the fixtures (text forms only: the .evtx files are not exports).
func FuzzParse(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*"))
	if err != nil {
		f.Fatal(err)
	}
	for _, p := range files {
		if strings.HasSuffix(p, ".evtx") || strings.HasSuffix(p, ".md") {
			continue
		}
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("<Event><System><EventID>x</EventID></System></Event><Event>"))
	f.Add([]byte("Level\tDate and Time\tSource\tEvent ID\tTask Category\n\tx\tstorvsp\t6\t\t\"in a loaded\"\n"))
	f.Add([]byte("Level,Date and Time,Source,Event ID,Task Category\n,x,NETVSC,x,,\n,,Hyper-V-Storvsc,70000,,\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		Sniff(b)
		res, err := Parse(b, &Options{MaxRecords: 20, MaxDataFields: 8, Count: hintKeys})
		if err != nil {
			if res != nil {
				t.Fatal("result with an error")
			}
			return
		}
		counted := 0
		for _, n := range res.Counted {
			counted += n
		}
		if len(res.Records) > 20 || len(res.Events)+counted > 20 {
			t.Fatalf("%d records, %d events, %d counted over MaxRecords", len(res.Records), len(res.Events), counted)
		}
		for _, r := range res.Records {
			if len(r.Data) > 8 {
				t.Fatalf("%d fields over MaxDataFields", len(r.Data))
			}
		}
		for _, ev := range res.Events {
			if res.Form.Rendered() && (!ev.Ambiguous || !strings.Contains(ev.Note, NoteRendered)) {
				t.Fatal("rendered event not flagged")
			}
		}
	})
}
