// Package pin keeps the mandated dependencies in go.mod while the packages
// that use them are being written. Remove it once evtx and hive import them.
package pin

import (
	_ "github.com/0xrawsec/golang-evtx/evtx"
	_ "golang.org/x/text/encoding/japanese"
	_ "www.velocidex.com/golang/regparser"
)
