package hvic

import (
	"fmt"
	"path"
	"strings"

	"github.com/hvic/hvic/kb"
	"github.com/hvic/hvic/report/result"
)

// attributeBare ties a guest export that names no VM (a bare Auto key,
// as `reg query ...\Auto` prints it) to the one VM known from host
// evidence (Get-VM, events) whose name is in the export's file name or
// nearest folder, marking the name as a guess; otherwise it says the
// guest is unattributed. It runs once every file's evidence is in, so it
// adds its problems to res itself.
func attributeBare(res *Result) {
	ev := &res.Evidence
	known := knownVMs(ev)
	for i := range ev.Guests {
		g := &ev.Guests[i]
		if g.VMID != "" || g.VMName != "" || len(g.Refs) == 0 {
			continue
		}
		file := g.Refs[0].File
		base := strings.ToLower(path.Base(file))
		dir := strings.ToLower(path.Base(path.Dir(file)))
		var match []kb.VMView
		for _, v := range known {
			n := strings.ToLower(v.VMName)
			if n != "" && (nameIn(base, n) || nameIn(dir, n)) {
				match = append(match, v)
			}
		}
		if len(match) == 1 {
			g.VMName, g.VMID = match[0].VMName, match[0].VMID
			if len(g.HostNames) == 0 && match[0].Host != "" {
				g.HostNames = []string{match[0].Host}
			}
			g.Refs = append(g.Refs, kb.Ref{File: file, What: "VM name guessed from the file or folder name"})
			for j := range res.Inventory.Guests {
				if gi := &res.Inventory.Guests[j]; gi.File == file && gi.VMName == "" && gi.VMID == "" {
					gi.VMName, gi.VMID = g.VMName, kb.NormalizeVMID(g.VMID)
				}
			}
			addLateProblem(res, problem(file, SeverityWarning, result.CodeVMGuessed, "",
				because(ErrGuessed, fmt.Errorf("the export names no VM: taken to be %q, the VM known from host evidence whose name is in its file or folder name", g.VMName))))
			continue
		}
		why := "no VM known from host evidence"
		if len(match) > 1 {
			why = fmt.Sprintf("%d VMs known from host evidence, so none is chosen", len(match))
		}
		addLateProblem(res, problem(file, SeverityWarning, result.CodeGuestUnattributed, "",
			because(ErrDamaged, fmt.Errorf("the export names no VM and its file or folder name matches %s", why))))
	}
}

// addLateProblem adds a problem found after the files were listed, and
// counts it in its file's entry.
func addLateProblem(res *Result, p Problem) {
	res.Problems = append(res.Problems, p)
	for i := range res.Inventory.Files {
		if res.Inventory.Files[i].Path == p.File {
			res.Inventory.Files[i].Problems++
		}
	}
}

// knownVMs lists the VMs host evidence names: Get-VM rows and events.
func knownVMs(ev *kb.Evidence) []kb.VMView {
	var out []kb.VMView
	seen := map[string]bool{}
	add := func(name, id, host string) {
		k := strings.ToLower(name)
		if name == "" || seen[k] {
			return
		}
		seen[k] = true
		out = append(out, kb.VMView{VMName: name, VMID: id, Host: host})
	}
	for _, v := range ev.VMViews {
		add(v.VMName, v.VMID, v.Host)
	}
	for _, e := range ev.Events {
		add(e.VMName, e.VMID, e.Host)
	}
	return out
}

// nameIn reports whether name is in s between non-alphanumeric bounds
// ("web01" in "web01-vm.txt", not in "web012.txt").
func nameIn(s, name string) bool {
	for i := 0; ; {
		j := strings.Index(s[i:], name)
		if j < 0 {
			return false
		}
		j += i
		end := j + len(name)
		if (j == 0 || !alnum(s[j-1])) && (end == len(s) || !alnum(s[end])) {
			return true
		}
		i = j + 1
	}
}

func alnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}
