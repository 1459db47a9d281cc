package hvic

import (
	"path"
	"strings"

	"github.com/hvic/hvic/hive"
	"github.com/hvic/hvic/kb"
)

// namer ties files with no computer name of their own (a host's SOFTWARE
// hive, an empty log) to a host, by where they sit in the collection.
type namer struct {
	logs    []*fileOut                     // event logs that name computers
	known   []string                       // every computer name seen (events, guests' Parameters)
	systems map[string][]*hive.SystemFacts // SYSTEM hives by folder
}

// systemIn returns the ComputerName of the one SYSTEM hive in dir, "" when
// there is none, several, or it records no name.
func (n *namer) systemIn(dir string) string {
	if sys := n.systems[dir]; len(sys) == 1 && sys[0].ComputerName.Present {
		return strings.TrimSpace(sys[0].ComputerName.Value)
	}
	return ""
}

// fullName returns the longest known name of the same host as name (a
// fully qualified one for a NetBIOS name), else name.
func (n *namer) fullName(name string) string {
	for _, k := range n.known {
		if kb.HostKey(k) == kb.HostKey(name) && len(k) > len(name) {
			name = k
		}
	}
	return name
}

func within(dir, ancestor string) bool {
	return ancestor == "." || ancestor == "" || dir == ancestor || strings.HasPrefix(dir, ancestor+"/")
}

func parentDir(d string) string { return path.Dir(d) }

// hostFor names the host a file in dir belongs to: the only computer that
// the event logs in the nearest enclosing folder name; else a known computer
// whose name is a folder on the path; else the only computer in the
// collection; else "" (unknown). guessed is true when the name rests on
// the collection as a whole (logs found more than two folders up, or the
// only computer known) rather than on the file's own place.
func (n *namer) hostFor(dir string) (name string, guessed bool) {
	up := 0
	for a := dir; ; a, up = parentDir(a), up+1 {
		var found []string
		for _, l := range n.logs {
			if within(l.dir, a) {
				for _, c := range l.computers {
					found = appendKey(found, c)
				}
			}
		}
		if len(found) == 1 {
			return found[0], up > 2 || a == "." || a == "/" || a == ""
		}
		if len(found) > 1 || a == "." || a == "/" || a == "" || parentDir(a) == a {
			break
		}
	}
	parts := strings.FieldsFunc(dir, func(r rune) bool { return r == '/' || r == '!' })
	for i := len(parts) - 1; i >= 0; i-- {
		for _, k := range n.known {
			if kb.HostKey(parts[i]) == kb.HostKey(k) {
				return k, false
			}
		}
	}
	if len(n.known) == 1 {
		return n.known[0], true
	}
	return "", false
}

// appendKey appends s unless a name of the same host is there; a fully
// qualified name replaces a short one.
func appendKey(list []string, s string) []string {
	s = strings.Trim(s, " \t\r\n\x00")
	if s == "" {
		return list
	}
	for i, x := range list {
		if kb.HostKey(x) == kb.HostKey(s) {
			if len(s) > len(x) {
				list[i] = s
			}
			return list
		}
	}
	return append(list, s)
}

// promoteWorkerLogs labels as integration logs the logs read at first as
// other or System logs that hold a channel kb takes as the integration log
// of their host's family (Worker-Admin on a 2016+ host), through
// kb.IntegrationChannel: a file is labelled as the log kb reads for the
// VMs, or not at all.
func promoteWorkerLogs(files []FileInfo, ev *kb.Evidence) {
	family := map[string]kb.HostFamily{}
	for _, h := range ev.Hosts {
		if f := h.OS.Family(); f != kb.FamilyUnknown {
			family[kb.HostKey(h.Name)] = f
		}
	}
	promote := map[string]bool{}
	for _, c := range ev.Coverage {
		if kb.IntegrationChannel(c.Channel, family[kb.HostKey(c.Host)]) {
			promote[c.File] = true
		}
	}
	for i := range files {
		f := &files[i]
		if promote[f.Path] && (f.Role == RoleOtherLog || f.Role == RoleSystemLog) {
			f.Role = RoleIntegrationLog
		}
	}
}

// newNamer gathers the computer names the files give: the event logs'
// computers and the hosts guests name in their Parameters.
func newNamer(outs []*fileOut) *namer {
	nm := &namer{systems: map[string][]*hive.SystemFacts{}}
	for _, out := range outs {
		if out.system != nil {
			nm.systems[out.dir] = append(nm.systems[out.dir], out.system)
		}
		if len(out.computers) > 0 {
			nm.logs = append(nm.logs, out)
			for _, c := range out.computers {
				nm.known = appendKey(nm.known, c)
			}
		}
	}
	for _, out := range outs {
		if out.facts != nil && out.facts.Guest != nil {
			g := out.facts.Guest
			for _, f := range []hive.Fact{g.PhysicalHostNameFullyQualified, g.HostName, g.PhysicalHostName} {
				if f.Present {
					nm.known = appendKey(nm.known, f.Value)
				}
			}
		}
	}
	return nm
}

// hyperVComputers lists the computers of the logs read that are Hyper-V
// hosts by their logs' content, their Get-VM output or a guest's word.
func hyperVComputers(nm *namer, ev *kb.Evidence) []string {
	var out []string
	isHost := map[string]bool{}
	for _, e := range ev.Events {
		isHost[kb.HostKey(e.Host)] = true
	}
	for _, c := range ev.Coverage {
		if isHyperVLog(c.Channel) {
			isHost[kb.HostKey(c.Host)] = true
		}
	}
	for _, v := range ev.VMViews {
		isHost[kb.HostKey(v.Host)] = true // Get-VM runs on a Hyper-V host
	}
	for _, g := range ev.Guests {
		for _, n := range g.HostNames {
			isHost[kb.HostKey(n)] = true
		}
	}
	for _, l := range nm.logs {
		for _, c := range l.computers {
			if isHost[kb.HostKey(c)] {
				out = appendKey(out, c)
			}
		}
	}
	return out
}

func hasHost(hosts []kb.HostEvidence, name string) bool {
	for _, h := range hosts {
		if kb.HostKey(h.Name) == kb.HostKey(name) {
			return true
		}
	}
	return false
}

// unknownHost names a host hive no log names: after its folder.
func unknownHost(dir, file string) string {
	if dir == "." || dir == "" {
		return "(" + file + ")"
	}
	return "(" + path.Base(strings.TrimSuffix(dir, "!")) + ")"
}
