package report

import (
	"net/url"
	"path"
	"strconv"
	"strings"

	"github.com/hvic/hvic/report/result"
)

// SARIF base IDs (run.originalUriBaseIds) for paths that no input names.
const (
	// sarifWorkDir is the directory relative inputs were given from, when
	// Options.WorkDir does not name it.
	sarifWorkDir = "WORKDIR"
	// sarifRoot is the root of a collection scanned without named inputs
	// (hvic.Scan on a file system): its paths are relative to it.
	sarifRoot = "ROOT"
)

// sarifBase is one entry of run.originalUriBaseIds: an absolute file URI
// ending in "/", a relative one resolved against another base, or, when
// the location is unknown, only a description.
type sarifBase struct {
	URI         string     `json:"uri,omitempty"`
	URIBaseID   string     `json:"uriBaseId,omitempty"`
	Description *sarifText `json:"description,omitempty"`
}

// sarifInput is one of Run.Inputs: the folder its files are relative to.
type sarifInput struct {
	given string // as given
	clean string // slash form, cleaned
	file  bool   // a file (or archive) rather than a folder
	root  string // clean for a folder, its parent for a file
	id    string // its base ID
}

// sarifPaths turns the Result's file paths (the inputs joined with paths
// inside them, "a.zip!/entry" inside archives) into SARIF artifact
// locations relative to a base per input, and collects the bases used.
type sarifPaths struct {
	inputs  []sarifInput
	workDir string
	bases   map[string]sarifBase
	sizes   map[string]int64 // by slash path, of the files read and the archives walked
}

// slash writes a path with forward slashes (Windows inputs use both).
func slash(p string) string { return strings.ReplaceAll(p, `\`, "/") }

// absPath: an absolute POSIX, drive-letter or UNC path (in slash form),
// whatever the OS the report is rendered on.
func absPath(p string) bool {
	return strings.HasPrefix(p, "/") ||
		len(p) >= 3 && p[1] == ':' && p[2] == '/' && (p[0]|0x20 >= 'a' && p[0]|0x20 <= 'z')
}

// fileURL is the file: URI of an absolute slash-form path, with a final
// "/" for a folder; spaces, "#", "%" and non-ASCII are percent-encoded.
func fileURL(p string, dir bool) string {
	u := url.URL{Scheme: "file", Path: p}
	switch {
	case strings.HasPrefix(p, "//"): // UNC: //server/share/...
		rest := p[2:]
		i := strings.IndexByte(rest, '/')
		if i < 0 {
			i = len(rest)
		}
		u.Host, u.Path = rest[:i], rest[i:]
	case !strings.HasPrefix(p, "/"): // C:/...
		u.Path = "/" + p
	}
	if dir && !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	return u.String()
}

// cleanPath is path.Clean keeping a UNC path's leading "//".
func cleanPath(p string) string {
	if strings.HasPrefix(p, "//") && !strings.HasPrefix(p, "///") {
		return "/" + path.Clean(p[1:])
	}
	return path.Clean(p)
}

// parent is a clean path's folder ("." for a bare name).
func parent(p string) string {
	switch i := strings.LastIndexByte(p, '/'); i {
	case -1:
		return "."
	case 0:
		return "/"
	default:
		return p[:i]
	}
}

// relURL is a relative URI reference for a slash-form relative path.
func relURL(p string) string { return (&url.URL{Path: p}).String() }

// newSarifPaths sees which inputs are files and which folders, from the
// paths the Result names (a folder's files are below it; a file is
// itself, an archive's entries are "name!/...").
func newSarifPaths(res *result.Result, workDir string) *sarifPaths {
	p := &sarifPaths{workDir: slash(workDir), bases: map[string]sarifBase{}, sizes: map[string]int64{}}
	var names []string
	for _, f := range res.Inventory.Files {
		names = append(names, slash(f.Path))
		p.sizes[slash(f.Path)] = f.Size
	}
	for _, s := range res.Inventory.Skipped {
		names = append(names, slash(s.Path))
	}
	for _, a := range res.Inventory.Archives {
		names = append(names, slash(a.Path))
		p.sizes[slash(a.Path)] = a.Size
	}
	for _, pr := range res.Problems {
		names = append(names, slash(pr.File))
	}
	for i, in := range res.Run.Inputs {
		c := cleanPath(slash(in))
		si := sarifInput{given: in, clean: c, root: c, id: "INPUT" + strconv.Itoa(i+1)}
		inside, itself := false, false
		for _, n := range names {
			inside = inside || under(n, c)
			itself = itself || n == c || strings.HasPrefix(n, c+"!/")
		}
		if itself && !inside {
			si.file, si.root = true, parent(c)
		}
		p.inputs = append(p.inputs, si)
	}
	return p
}

// under: name is inside folder dir.
func under(name, dir string) bool {
	switch dir {
	case ".":
		return !absPath(name)
	case "/":
		return strings.HasPrefix(name, "/")
	}
	return strings.HasPrefix(name, dir+"/")
}

// rel is name relative to root (which holds it).
func rel(name, root string) string {
	switch root {
	case ".":
		return name
	case "/":
		return name[1:]
	}
	return name[len(root)+1:]
}

// locate returns the artifact location of a file named by the Result and,
// for an archive entry, the entry's path inside the archive (the artifact
// is then the archive, which is a file on disk; nested archives keep their
// "!/" inside the entry path).
func (p *sarifPaths) locate(file string) (sarifArtifact, string) {
	name := slash(file)
	var uri, base, entry string
	for i := range p.inputs {
		in := &p.inputs[i]
		if (in.file && (name == in.clean || strings.HasPrefix(name, in.clean+"!/"))) || (!in.file && under(name, in.clean)) {
			uri, base = rel(name, in.root), p.inputBase(in)
			break
		}
	}
	switch {
	case base != "":
	case absPath(name):
		uri = name
	case len(p.inputs) == 1 && !p.inputs[0].file && name != p.inputs[0].clean:
		// hvic.Scan on a file system that Options.Inputs names: its paths
		// are relative to that input.
		uri, base = name, p.inputBase(&p.inputs[0])
	default:
		uri, base = name, p.rootBase()
	}
	if i := strings.Index(uri, "!/"); i >= 0 {
		uri, entry = uri[:i], uri[i+2:]
	}
	if base == "" {
		return sarifArtifact{URI: fileURL(uri, false)}, entry
	}
	return sarifArtifact{URI: relURL(uri), URIBaseID: base}, entry
}

// inputBase records and names the base of an input's root folder: its
// file: URI when the root is absolute or Options.WorkDir makes it so;
// else the root relative to WORKDIR, or, for a root above the working
// directory (".." would make the URI mean different things on different
// machines), only a description.
func (p *sarifPaths) inputBase(in *sarifInput) string {
	if _, ok := p.bases[in.id]; ok {
		return in.id
	}
	desc := &sarifText{Text: "input " + strconv.Quote(in.given)}
	if in.file {
		desc.Text = "folder of input " + strconv.Quote(in.given)
	}
	b := sarifBase{Description: desc}
	switch {
	case absPath(in.root):
		b.URI = fileURL(in.root, true)
	case absPath(p.workDir):
		b.URI = fileURL(cleanPath(p.workDir+"/"+in.root), true)
	case in.root == ".":
		return p.workBase()
	case in.root == ".." || strings.HasPrefix(in.root, "../"):
	default:
		b.URI, b.URIBaseID = relURL(in.root+"/"), p.workBase()
	}
	p.bases[in.id] = b
	return in.id
}

// workBase records WORKDIR, the working directory relative inputs were
// given from, when Options.WorkDir does not say which it is.
func (p *sarifPaths) workBase() string {
	if _, ok := p.bases[sarifWorkDir]; !ok {
		p.bases[sarifWorkDir] = sarifBase{Description: &sarifText{Text: "the working directory relative inputs were given from"}}
	}
	return sarifWorkDir
}

func (p *sarifPaths) rootBase() string {
	if _, ok := p.bases[sarifRoot]; !ok {
		p.bases[sarifRoot] = sarifBase{Description: &sarifText{Text: "the root of the scanned collection"}}
	}
	return sarifRoot
}
