//go:build !unix

package hostile

import (
	"errors"
	"runtime"
)

// SpecialFiles creates named pipes and sockets, which only unix systems
// have as files; elsewhere it reports that it cannot.
func SpecialFiles(dir string) error {
	return errors.New("hostile: named pipes and sockets as files need a unix system, not " + runtime.GOOS)
}
