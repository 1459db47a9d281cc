package hivewriter

import (
	"fmt"
	"strconv"
)

// fillerKeyBytes is about what one filler key costs in the hive: an nk
// cell, three vk cells, a string data cell, a value list and its share of
// the subkey lists.
const fillerKeyBytes = 400

// AddFiller adds unrelated keys under `Filler` (a two-level tree of
// 1000-key groups, each key with a REG_SZ, a REG_DWORD and a REG_BINARY
// value) until the hive grows by about approxBytes, to make large hives
// for benchmarks: AddFiller(b, 100<<20) gives a hive of about 100 MiB
// in a few seconds.
func AddFiller(b *Builder, approxBytes int) {
	n := approxBytes / fillerKeyBytes
	blob := make([]byte, 64)
	for i := range blob {
		blob[i] = byte(i)
	}
	root := b.Key("Filler")
	var group *Key
	for i := 0; i < n; i++ {
		if i%1000 == 0 {
			group = root.Subkey(fmt.Sprintf("Group%05d", i/1000))
		}
		k := group.Subkey("Key" + strconv.Itoa(i))
		k.SetString("Description", "unrelated filler key number "+strconv.Itoa(i))
		k.SetDword("Index", uint32(i))
		k.SetBinary("Blob", blob)
	}
}
