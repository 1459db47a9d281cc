package hive_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"

	"github.com/hvic/hvic/hive"
	"github.com/hvic/hvic/internal/hivewriter"
)

// A dirty guest hive whose .LOG1 holds the newer IntegrationServicesVersion:
// FromBytes replays it in memory.
func ExampleFromBytes() {
	b := hivewriter.New()
	auto := `Microsoft\Virtual Machine\Auto`
	b.Key(auto).SetString("IntegrationServicesVersion", "6.3.9600.16384")
	base, log1, err := b.Dirty(func(b *hivewriter.Builder) {
		b.Key(auto).SetString("IntegrationServicesVersion", "6.3.9600.18692")
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, logs := range [][]hive.LogFile{nil, {{Name: "SOFTWARE.LOG1", Data: log1}}} {
		h, err := hive.FromBytes(context.Background(), base, logs, nil)
		if err != nil {
			fmt.Println(err)
			return
		}
		k, err := h.Key(`microsoft\virtual machine\AUTO`)
		if err != nil {
			fmt.Println(err)
			return
		}
		v, _ := k.Value("IntegrationServicesVersion")
		s, _ := v.Text()
		stale := len(h.Problems()) > 0 && errors.Is(h.Problems()[0], hive.ErrStale)
		fmt.Printf("logs=%d version=%s fromLog=%v stale=%v\n", len(logs), s, k.FromLog, stale)
	}
	// Output:
	// logs=0 version=6.3.9600.16384 fromLog=false stale=true
	// logs=1 version=6.3.9600.18692 fromLog=true stale=false
}

func ExampleHive_Walk() {
	h, err := hive.Open(context.Background(), "../testdata/hive/msuhanov__yarp/UnicodeHive", nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	err = h.Walk("", func(k *hive.Key, err error) error {
		if err != nil {
			return err // or note it and return nil to go on
		}
		if k.Path == "" {
			return nil
		}
		fmt.Printf("%s (%d values)\n", k.Path, len(k.Values))
		return nil
	})
	fmt.Println(err)
	// Output:
	// Привет (0 values)
	// Привет\Ключ (0 values)
	// <nil>
}

func ExampleHive_Key_notFound() {
	h, err := hive.Open(context.Background(), "../testdata/hive/msuhanov__yarp/EmptyHive", nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	_, err = h.Key(`Microsoft\Virtual Machine\Auto`)
	fmt.Println(errors.Is(err, hive.ErrKeyNotFound), errors.Is(err, fs.ErrNotExist))
	// Output: true false
}
