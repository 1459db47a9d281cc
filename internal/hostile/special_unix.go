//go:build unix

package hostile

import (
	"net"
	"path/filepath"
	"syscall"
)

// SpecialFiles creates in dir a named pipe (pipe.reg: opening it would
// block until a writer comes) and a socket (socket.reg). A walker must
// skip both by their type without opening them.
func SpecialFiles(dir string) error {
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe.reg"), 0o644); err != nil {
		return err
	}
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: filepath.Join(dir, "socket.reg"), Net: "unix"})
	if err != nil {
		return err
	}
	l.SetUnlinkOnClose(false)
	return l.Close()
}
