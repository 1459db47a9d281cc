package report

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvic/hvic/kb"
	"github.com/hvic/hvic/report/result"
)

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// onBoundary says whether t is a boundary of step s.
func onBoundary(s tickStep, t time.Time) bool { return s.floor(t).Equal(t) }

// TestCalendarTicks: the ticks of spans of minutes, hours, days, months and
// years fall on the expected UTC calendar boundaries, bound the span, and
// stay within the maximum count.
func TestCalendarTicks(t *testing.T) {
	tests := []struct {
		name        string
		from, to    string
		unit        tickUnit
		n           int
		first, last string
		labels      []string
	}{
		{"seconds", "2024-05-13T10:00:00Z", "2024-05-13T10:00:05Z", unitMinute, 1, "2024-05-13T10:00:00Z", "2024-05-13T10:01:00Z", []string{"10:00", "10:01"}},
		{"one instant", "2024-05-13T10:00:00Z", "2024-05-13T10:00:00Z", unitMinute, 1, "2024-05-13T10:00:00Z", "2024-05-13T10:01:00Z", nil},
		{"minutes", "2024-05-13T10:03:10Z", "2024-05-13T10:41:00Z", unitMinute, 10, "2024-05-13T10:00:00Z", "2024-05-13T10:50:00Z", nil},
		{"hours", "2024-05-13T08:05:00Z", "2024-05-13T20:33:00Z", unitHour, 2, "2024-05-13T08:00:00Z", "2024-05-13T22:00:00Z", nil},
		// The sample: 20:33, 09:02 and 21:31 were its ticks before.
		{"sample days", "2024-05-13T07:00:00Z", "2024-05-15T10:00:20Z", unitHour, 12, "2024-05-13T00:00:00Z", "2024-05-15T12:00:00Z",
			[]string{"00:00", "12:00", "00:00", "12:00", "00:00", "12:00"}},
		{"days", "2024-05-13T07:00:00Z", "2024-05-18T10:00:00Z", unitDay, 1, "2024-05-13T00:00:00Z", "2024-05-19T00:00:00Z", nil},
		{"weeks", "2024-05-13T07:00:00Z", "2024-06-20T10:00:00Z", unitWeek, 1, "2024-05-13T00:00:00Z", "2024-06-24T00:00:00Z", nil},
		{"months", "2024-01-20T07:00:00Z", "2024-06-02T00:00:00Z", unitMonth, 1, "2024-01-01T00:00:00Z", "2024-07-01T00:00:00Z",
			[]string{"2024-01", "2024-02", "2024-03", "2024-04", "2024-05", "2024-06", "2024-07"}},
		{"two months", "2023-11-20T07:00:00Z", "2025-02-02T00:00:00Z", unitMonth, 2, "2023-11-01T00:00:00Z", "2025-03-01T00:00:00Z", nil},
		{"quarters", "2023-10-20T07:00:00Z", "2025-05-02T00:00:00Z", unitMonth, 3, "2023-10-01T00:00:00Z", "2025-07-01T00:00:00Z", nil},
		{"years", "2016-03-01T00:00:00Z", "2024-05-13T00:00:00Z", unitYear, 2, "2016-01-01T00:00:00Z", "2026-01-01T00:00:00Z", nil},
		{"FILETIME range", "1601-01-01T00:00:00Z", "2024-05-13T00:00:00Z", unitYear, 100, "1600-01-01T00:00:00Z", "2100-01-01T00:00:00Z", nil},
		{"reversed", "2024-05-13T10:00:05Z", "2024-05-13T10:00:00Z", unitMinute, 1, "2024-05-13T10:00:00Z", "2024-05-13T10:01:00Z", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			from, to := utc(tt.from), utc(tt.to)
			ticks, st := calendarTicks(from, to, tlMaxTicks)
			assert.Equal(t, tickStep{tt.unit, tt.n}, st)
			require.GreaterOrEqual(t, len(ticks), 2)
			assert.LessOrEqual(t, len(ticks), tlMaxTicks+1)
			assert.Equal(t, utc(tt.first), ticks[0])
			assert.Equal(t, utc(tt.last), ticks[len(ticks)-1])
			lo, hi := from, to
			if hi.Before(lo) {
				lo, hi = hi, lo
			}
			assert.False(t, ticks[0].After(lo))
			assert.False(t, ticks[len(ticks)-1].Before(hi))
			var labels []string
			for i, tk := range ticks {
				assert.True(t, onBoundary(st, tk), "%s on a boundary", tk)
				assert.Zero(t, tk.Second())
				if i > 0 {
					assert.True(t, tk.After(ticks[i-1]))
				}
				l, _ := st.label(tk, i == 0)
				labels = append(labels, l)
			}
			if tt.labels != nil {
				assert.Equal(t, tt.labels, labels)
			}
		})
	}
}

// The date goes under the first tick and under each tick of a new day,
// for steps under a day.
func TestTickSubLabels(t *testing.T) {
	ticks, st := calendarTicks(utc("2024-05-13T07:00:00Z"), utc("2024-05-15T10:00:20Z"), tlMaxTicks)
	var subs []string
	for i, tk := range ticks {
		_, sub := st.label(tk, i == 0 || st.newDay(ticks[i-1], tk))
		subs = append(subs, sub)
	}
	assert.Equal(t, []string{"2024-05-13", "", "2024-05-14", "", "2024-05-15", ""}, subs)
}

// TestGroupMarks: events closer than the resolution share one mark that
// counts them, takes the worst kind and lists them; events apart keep
// their own.
func TestGroupMarks(t *testing.T) {
	base := utc("2024-05-13T10:00:00Z")
	s := tlScale{from: secs(utc("2024-05-13T00:00:00Z")), to: secs(utc("2024-05-15T12:00:00Z")), left: tlLeft, right: tlRight}
	item := func(sec int, class string) tlItem {
		at := base.Add(time.Duration(sec) * time.Second)
		return tlItem{at, class, fmtTime(at) + " " + class}
	}
	tests := []struct {
		name   string
		items  []tlItem
		counts []int
		class  []string
	}{
		{"DB01: five within 6 s", []tlItem{item(-1, "ev-dev"), item(0, "ev-bad"), item(1, "ev-bad"), item(4, "ev-bad"), item(5, "ev-warn")},
			[]int{5}, []string{"ev-bad"}},
		{"apart", []tlItem{item(0, "ev-warn"), item(6*3600, "ev-dev")}, []int{1, 1}, []string{"ev-warn", "ev-dev"}},
		{"two groups", []tlItem{item(0, "ev-other"), item(60, "ev-other"), item(24*3600, "ev-warn"), item(24*3600+30, "ev-bad"), item(24*3600+40, "ev-other")},
			[]int{2, 3}, []string{"ev-other", "ev-bad"}},
		{"none", nil, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			marks := groupMarks("en", tt.items, s, 50, tlResolution)
			var counts []int
			var classes []string
			total := 0
			for _, m := range marks {
				counts = append(counts, m.Count)
				classes = append(classes, m.Class)
				total += m.Count
				assert.Equal(t, m.Count+map[bool]int{true: 1}[m.Count > 1], strings.Count(m.Title, "\n")+1, "a line per event, and a heading for a group")
				if m.Count > 1 {
					assert.True(t, strings.HasPrefix(m.Title, strconv.Itoa(m.Count)+" events, "), m.Title)
				}
			}
			// Marks are drawn worst last; compare as sets of (count, class).
			assert.ElementsMatch(t, pairs(tt.counts, tt.class), pairs(counts, classes))
			assert.Equal(t, len(tt.items), total, "every event is counted once")
			for _, it := range tt.items {
				found := false
				for _, m := range marks {
					found = found || strings.Contains(m.Title, it.text)
				}
				assert.True(t, found, "%s listed", it.text)
			}
		})
	}
}

func pairs(n []int, s []string) []string {
	var out []string
	for i := range n {
		out = append(out, strconv.Itoa(n[i])+" "+s[i])
	}
	return out
}

// A group's title lists at most tlMaxTitle events and counts the rest.
func TestGroupTitleCapped(t *testing.T) {
	base := utc("2024-05-13T10:00:00Z")
	var items []tlItem
	for i := 0; i < 50; i++ {
		at := base.Add(time.Duration(i) * time.Millisecond)
		items = append(items, tlItem{at, "ev-other", "e" + strconv.Itoa(i)})
	}
	s := tlScale{from: secs(base), to: secs(base.Add(time.Hour)), left: tlLeft, right: tlRight}
	marks := groupMarks("ja", items, s, 50, tlResolution)
	require.Len(t, marks, 1)
	assert.Equal(t, 50, marks[0].Count)
	assert.Contains(t, marks[0].Title, "50 件のイベント")
	assert.Contains(t, marks[0].Title, "… ほか 30 件")
	assert.Equal(t, 1+tlMaxTitle+1, strings.Count(marks[0].Title, "\n")+1)
}

// srgbToLinear and back, per channel in [0, 1].
func srgbToLinear(c float64) float64 {
	if c <= 0.04045 {
		return c / 12.92
	}
	return math.Pow((c+0.055)/1.055, 2.4)
}

func hexRGB(t *testing.T, h string) [3]float64 {
	require.Len(t, h, 7)
	var out [3]float64
	for i := range out {
		v, err := strconv.ParseUint(h[1+2*i:3+2*i], 16, 8)
		require.NoError(t, err)
		out[i] = srgbToLinear(float64(v) / 255)
	}
	return out
}

// deuteranopia simulates full deuteranopia on linear RGB with Machado,
// Oliveira and Fernandes' (2009) matrix for severity 1.0.
func deuteranopia(c [3]float64) [3]float64 {
	m := [3][3]float64{
		{0.367322, 0.860646, -0.227968},
		{0.280085, 0.672501, 0.047413},
		{-0.011820, 0.042940, 0.968881},
	}
	var out [3]float64
	for i := range out {
		v := m[i][0]*c[0] + m[i][1]*c[1] + m[i][2]*c[2]
		out[i] = min(max(v, 0), 1)
	}
	return out
}

// lab converts linear sRGB to CIELAB (D65).
func lab(c [3]float64) [3]float64 {
	x := 0.4124564*c[0] + 0.3575761*c[1] + 0.1804375*c[2]
	y := 0.2126729*c[0] + 0.7151522*c[1] + 0.0721750*c[2]
	z := 0.0193339*c[0] + 0.1191920*c[1] + 0.9503041*c[2]
	f := func(t float64) float64 {
		if t > 216.0/24389 {
			return math.Cbrt(t)
		}
		return (24389.0/27*t + 16) / 116
	}
	fx, fy, fz := f(x/0.95047), f(y), f(z/1.08883)
	return [3]float64{116*fy - 16, 500 * (fx - fy), 200 * (fy - fz)}
}

func deltaE(a, b [3]float64) float64 {
	return math.Sqrt((a[0]-b[0])*(a[0]-b[0]) + (a[1]-b[1])*(a[1]-b[1]) + (a[2]-b[2])*(a[2]-b[2]))
}

// minDeltaE is the distance (CIE76) every pair of legend colours keeps
// under simulated deuteranopia: well above the just noticeable difference
// (about 2.3), so that the kinds stay apart for a deuteranope.
const minDeltaE = 20

// TestPaletteDeuteranopia: every pair of the timeline's colours stays
// minDeltaE apart under deuteranopia, and the check would have caught the
// orange and mustard of the old palette.
func TestPaletteDeuteranopia(t *testing.T) {
	sim := func(h string) [3]float64 { return lab(deuteranopia(hexRGB(t, h))) }
	least, pair := math.Inf(1), ""
	for i, a := range timelinePalette {
		for _, b := range timelinePalette[i+1:] {
			d := deltaE(sim(a.Hex), sim(b.Hex))
			assert.GreaterOrEqual(t, d, float64(minDeltaE), "%s %s vs %s %s: ΔE %.1f under deuteranopia", a.Class, a.Hex, b.Class, b.Hex, d)
			if d < least {
				least, pair = d, a.Class+"/"+b.Class
			}
		}
	}
	old := deltaE(sim("#e16f24"), sim("#bf8700"))
	t.Logf("closest pair under deuteranopia: %s, ΔE %.1f; the old orange/mustard: ΔE %.1f", pair, least, old)
	assert.Less(t, old, float64(minDeltaE), "the old orange and mustard")
	// Every colour of the palette is the one the style sheet uses.
	css := string(timelineCSS())
	for _, c := range timelinePalette {
		assert.Contains(t, css, "."+c.Class+"{fill:"+map[bool]string{true: "none;stroke:", false: ""}[c.Class == "tl-guest"]+c.Hex)
	}
}

func sampleResult(t *testing.T) *result.Result {
	data, err := os.ReadFile("../testdata/report/sample.result.json")
	require.NoError(t, err)
	var res result.Result
	require.NoError(t, json.Unmarshal(data, &res))
	return &res
}

// TestTimelineSample: on the sample, DB01's five events within 6 s show as
// one mark counting 5, each host log is a band, the guest-side times have
// their marks, every kind has its own shape, and the ticks are on
// calendar boundaries.
func TestTimelineSample(t *testing.T) {
	for _, lang := range Languages() {
		t.Run(lang, func(t *testing.T) {
			v, err := newView(sampleResult(t), &Options{Lang: lang}, true)
			require.NoError(t, err)
			tl := v.timeline()
			require.NotNil(t, tl)
			lanes := map[string]htmlTLRow{}
			bands := 0
			for _, r := range tl.Rows {
				bands += len(r.Bands)
				if !r.Heading && len(r.Bands) == 0 {
					lanes[r.Label] = r
				}
			}
			assert.Equal(t, 2, bands, "the Integration-Admin and System logs")
			require.Contains(t, lanes, "DB01")
			var counts []int
			guest := 0
			for _, m := range lanes["DB01"].Marks {
				if m.Class == "tl-guest" {
					guest++
					continue
				}
				counts = append(counts, m.Count)
			}
			assert.Equal(t, []int{5}, counts)
			assert.Equal(t, 1, guest, "the KVP refresh 10 s later")
			assert.Contains(t, lanes, "APP01", "a lane for the guest-side time alone")
			var labels []string
			for _, tk := range tl.Ticks {
				labels = append(labels, tk.Label)
			}
			assert.Equal(t, []string{"00:00", "12:00", "00:00", "12:00", "00:00", "12:00"}, labels)
			shapes := map[string]string{}
			for _, l := range tl.Legend {
				if l.D != "" {
					require.NotContains(t, shapes, shapeKey(l.D), "%s shares its shape", l.Class)
					shapes[shapeKey(l.D)] = l.Class
				}
				assert.NotEmpty(t, l.Text)
			}
			assert.Len(t, shapes, 6)
		})
	}
}

// shapeKey is a legend path's shape whatever its size: "circle" for a
// path of arcs, else its vertices around the swatch's centre (9, 9),
// scaled to the farthest.
func shapeKey(d string) string {
	if strings.Contains(d, "a") {
		return "circle"
	}
	var nums []float64
	for _, n := range regexp.MustCompile(`-?[0-9.]+`).FindAllString(d, -1) {
		f, err := strconv.ParseFloat(n, 64)
		if err != nil {
			panic(err)
		}
		nums = append(nums, f-9)
	}
	far := 0.0
	for _, f := range nums {
		far = math.Max(far, math.Abs(f))
	}
	cmds := regexp.MustCompile(`[-0-9. ]+`).ReplaceAllString(d, ",")
	for _, f := range nums {
		cmds += " " + strconv.FormatFloat(math.Round(f/far*10)/10, 'f', 1, 64)
	}
	return cmds
}

// Times at the ends of what time.Time holds, an event with no time and a
// log with no period neither panic nor draw outside the axis.
func TestTimelineExtremeTimes(t *testing.T) {
	res := &result.Result{
		Inventory: result.Inventory{Hosts: []result.Host{{Name: "H", Logs: []kb.LogCoverage{
			{Host: "H", Channel: "System", First: utc("1601-01-01T00:00:00Z"), Last: utc("9999-12-31T23:59:59Z")},
			{Host: "H", Channel: "Microsoft-Windows-Hyper-V-Integration-Admin"},
		}}}},
		VMs: []kb.Assessment{{VMName: "VM1", Host: "H", Explanation: []kb.Explanation{{Kind: kb.ExplainGuestRefresh, Time: utc("2024-05-13T10:00:00Z")}}}},
		Events: []kb.Event{
			{VM: 1, Time: utc("1601-01-01T00:00:01Z"), EventID: 4000, Provider: "Microsoft-Windows-Hyper-V-Integration-Heartbeat"},
			{VM: 1, EventID: 4010, Provider: "Microsoft-Windows-Hyper-V-Integration-Heartbeat"},
		},
	}
	v, err := newView(res, nil, true)
	require.NoError(t, err)
	tl := v.timeline()
	require.NotNil(t, tl)
	assert.LessOrEqual(t, len(tl.Ticks), tlMaxTicks+1)
	bands, marks := 0, 0
	for _, r := range tl.Rows {
		for _, b := range r.Bands {
			bands++
			assert.GreaterOrEqual(t, b.X, tlLeft)
			assert.LessOrEqual(t, b.X+b.W, tlRight+2)
		}
		marks += len(r.Marks)
	}
	assert.Equal(t, 1, bands, "the log with no period has no band")
	assert.Equal(t, 2, marks, "the dated event and the guest time")
	var buf bytes.Buffer
	require.NoError(t, HTML(&buf, res, nil))
	assert.Contains(t, buf.String(), ">2000<", "ticks every 2000 years")
}

// TestTimelineHostileNames: names from the input (VM, host, channel, file,
// component) reach the SVG escaped: no markup, no raw control byte, no
// forged line in a hover title.
func TestTimelineHostileNames(t *testing.T) {
	evil := "</title><script>x</script>\n[error] forged\x1b[2J"
	at := utc("2024-05-13T10:00:00Z")
	res := &result.Result{
		Inventory: result.Inventory{Hosts: []result.Host{{Name: "H" + evil, Logs: []kb.LogCoverage{
			{Host: "H" + evil, Channel: "System" + evil, File: "a/" + evil + ".evtx", First: at, Last: at.Add(time.Hour), Records: 3, Damaged: true},
		}}}},
		VMs:    []kb.Assessment{{VMName: "VM" + evil, Host: "H" + evil}},
		Events: []kb.Event{{VM: 1, Time: at, EventID: 4000, Provider: "P" + evil, Component: "C" + evil}, {VM: 1, Time: at.Add(time.Second), EventID: 4010, Provider: "P", Component: evil}},
	}
	for _, lang := range Languages() {
		var buf bytes.Buffer
		require.NoError(t, HTML(&buf, res, &Options{Lang: lang}))
		out := buf.String()
		assert.NotContains(t, out, "<script")
		assert.NotContains(t, out, "\x1b")
		assert.Contains(t, out, `\x1b[2J`, "shown visibly")
		assert.Contains(t, out, "×2", "the two events are grouped")
		assert.Contains(t, out, "tl-band damaged")
		for _, line := range strings.Split(out, "\n") {
			assert.False(t, strings.HasPrefix(line, "[error] forged"), line)
		}
	}
}

// A VM whose mismatch was resolved gets a bar at ResolvedAt on its guest
// row, and the legend explains the bar; without one, the legend does not.
func TestTimelineResolved(t *testing.T) {
	at := utc("2024-05-13T10:00:00Z")
	res := &result.Result{
		VMs:    []kb.Assessment{{VMName: "VM1", Host: "H", Case: kb.CaseMatch, Resolved: true, ResolvedAt: at}},
		Events: []kb.Event{{VM: 1, Time: at, EventID: 4010, Provider: "Microsoft-Windows-Hyper-V-Integration-Heartbeat", Kind: kb.EventCompatible}},
	}
	v, err := newView(res, nil, true)
	require.NoError(t, err)
	tl := v.timeline()
	require.NotNil(t, tl)
	var classes []string
	for _, r := range tl.Rows {
		for _, m := range r.Marks {
			classes = append(classes, m.Class)
			if m.Class == "tl-resolved" {
				assert.Contains(t, m.Title, "2024-05-13 10:00:00Z the versions match now")
			}
		}
	}
	assert.ElementsMatch(t, []string{"ev-warn", "tl-resolved"}, classes)
	shapes := map[string]bool{}
	for _, l := range tl.Legend {
		if l.D != "" {
			shapes[shapeKey(l.D)] = true
		}
	}
	assert.Len(t, shapes, 7, "seven kinds, seven shapes")

	res.VMs[0].Resolved, res.VMs[0].ResolvedAt = false, time.Time{}
	v, err = newView(res, nil, true)
	require.NoError(t, err)
	for _, l := range v.timeline().Legend {
		assert.NotEqual(t, "tl-resolved", l.Class)
	}
}

// Labels longer than the column end in "…" on a character boundary and
// keep their full text for the hover title; short ones stay as they are.
func TestTimelineLabel(t *testing.T) {
	tests := []struct {
		in   string
		cut  bool
		want string
	}{
		{"DB01", false, "DB01"},
		{"Host HV01.contoso.local", false, "Host HV01.contoso.local"},
		{"HYPERV-NODE-00.very-long-domain-name.contoso.example", true, "HYPERV-NODE-00.very-"},
		{"データベースサーバー本番環境用仮想マシン", true, "データベースサーバー"},
		{"", false, ""},
	}
	for _, tt := range tests {
		label, full := tlLabel(tt.in, tlLabelWidth)
		assert.True(t, utf8.ValidString(label))
		if tt.cut {
			// Cut after at least want, within the width.
			assert.Equal(t, tt.in, full)
			require.True(t, strings.HasSuffix(label, "…"), label)
			assert.True(t, strings.HasPrefix(tt.in, strings.TrimSuffix(label, "…")), label)
			assert.True(t, strings.HasPrefix(label, tt.want), label)
			w := 0.0
			for _, r := range label {
				w += charWidth(r)
			}
			assert.LessOrEqual(t, w, float64(tlLabelWidth), label)
		} else {
			assert.Equal(t, tt.want, label)
			assert.Empty(t, full)
		}
	}
}
