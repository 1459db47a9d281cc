package hvic

import (
	"path"
	"strings"

	"github.com/hvic/hvic/kb"
	"github.com/hvic/hvic/report/result"
)

// Hint kinds of result.Hint.What.
const (
	hintGuestDrivers = "guest-drivers-log"
	hintHyperVLog    = "hyper-v-log"
	hintHostHive     = "host-hive-without-vms"
	hintGuestEvents  = "guest-driver-events"
)

// noHyperV fills res.NoHyperV when no VM could be assessed: the Hyper-V
// traces among the files read, and kb's whole collection checklist.
func noHyperV(res *Result, outs []*fileOut) {
	if len(res.VMs) > 0 {
		return
	}
	n := &result.NoHyperV{Hints: []result.Hint{}, Collect: []result.CollectStep{}}
	for _, out := range outs {
		n.Hints = append(n.Hints, hintsOf(out)...)
	}
	t := res.Table
	if t == nil {
		t = kb.Default()
	}
	for _, c := range t.Commands() {
		n.Collect = append(n.Collect, result.CollectStep{ID: c.ID, Side: c.Side, Shell: c.Shell, Line: c.Line})
	}
	res.NoHyperV = n
}

// hintsOf lists one file's traces of Hyper-V: a guest's Guest-Drivers
// log, a guest's driver events (kb.HintProviders: netvsc, storvsc, vmbus)
// in a log, .evtx or event export alike (fileOut.hintEvents), a host's
// Hyper-V log, a host's SOFTWARE hive.
func hintsOf(out *fileOut) []result.Hint {
	file := out.info.Path
	var hs []result.Hint
	add := func(what, side string) {
		for _, h := range hs {
			if h.What == what {
				return
			}
		}
		hs = append(hs, result.Hint{File: file, What: what, Side: side})
	}
	if isGuestDrivers(path.Base(file)) {
		add(hintGuestDrivers, "guest")
	}
	for _, c := range out.coverage {
		switch {
		case isGuestDrivers(c.Channel):
			add(hintGuestDrivers, "guest")
		case isHyperVLog(c.Channel) || strings.HasPrefix(strings.ToLower(c.Channel), "microsoft-windows-hyper-v-"):
			add(hintHyperVLog, "host")
		}
	}
	if len(out.hintEvents) > 0 {
		side := "guest"
		for _, h := range kb.HintProviders() {
			for p := range out.hintEvents {
				if strings.EqualFold(p, h.Provider) {
					side = h.Side
				}
			}
		}
		add(hintGuestEvents, side)
	}
	if out.facts != nil && out.facts.Host != nil {
		add(hintHostHive, "host")
	}
	return hs
}

// isGuestDrivers reports a Hyper-V-Guest-Drivers channel or log file name
// ("Microsoft-Windows-Hyper-V-Guest-Drivers/Admin",
// "Microsoft-Windows-Hyper-V-Guest-Drivers%4Admin.evtx").
func isGuestDrivers(s string) bool {
	return strings.Contains(strings.ToLower(s), "hyper-v-guest-drivers")
}
