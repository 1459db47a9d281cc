package collect

import (
	"errors"
	"io/fs"
	"path"
	"path/filepath"
	"strings"
)

func realPath(p string) string {
	r, err := filepath.EvalSymlinks(p)
	if err != nil {
		r = p
	}
	if a, err := filepath.Abs(r); err == nil {
		return a
	}
	return r
}

func errText(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Op + ": " + pe.Err.Error()
	}
	return err.Error()
}

func joinDisplay(prefix, p string) string {
	switch {
	case prefix == "":
		return p
	case p == "." || p == "":
		return prefix
	case strings.HasSuffix(prefix, "!/"):
		return prefix + p
	default:
		return path.Join(prefix, p)
	}
}

// typeName names a file type that is not a regular file.
func typeName(m fs.FileMode) string {
	switch {
	case m&fs.ModeSymlink != 0:
		return "symbolic link"
	case m&fs.ModeNamedPipe != 0:
		return "named pipe"
	case m&fs.ModeSocket != 0:
		return "socket"
	case m&fs.ModeCharDevice != 0:
		return "character device"
	case m&fs.ModeDevice != 0:
		return "device"
	case m.IsDir():
		return "folder"
	}
	return "irregular file"
}

// within reports whether path p is root or lies under it.
func within(root, p string) bool {
	rel, err := filepath.Rel(root, p)
	if err != nil {
		return false
	}
	return rel == "." || (rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)))
}

func splitDisplay(disp string) (dir, base string) {
	i := strings.LastIndex(disp, "/")
	if i < 0 {
		return "", disp
	}
	return disp[:i], disp[i+1:]
}
