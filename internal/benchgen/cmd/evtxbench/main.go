// Command evtxbench measures one EVTX pass in a fresh process, for
// scripts/bench-compare.sh: the hvic IC scan, the hvic full decode
// (sequential and parallel), and golang-evtx's own UnorderedEvents
// iteration (a peer measurement only, on clean generated files: its
// goroutines panic on damaged input).
//
//	evtxbench gen                 # print the paths of the cached inputs, generating them once
//	evtxbench MODE FILE [BATCH]   # MODE: scan, scan1 (one worker), full, pfull, gevtx;
//	                              # BATCH: ScanOptions.BatchChunks (default 16)
//
// A measurement prints one line of key=value pairs: bytes, wall and CPU
// seconds, MB/s, records (or IC events), and the process's peak RSS (VmHWM).
package main

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"time"

	gevtx "github.com/0xrawsec/golang-evtx/evtx"
	glog "github.com/0xrawsec/golang-utils/log"

	"github.com/hvic/hvic/evtx"
	"github.com/hvic/hvic/internal/benchgen"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "evtxbench:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) == 1 && args[0] == "gen" {
		for _, in := range []struct {
			name string
			o    benchgen.Options
		}{{"system100.evtx", benchgen.System100()}, {"quiet100.evtx", benchgen.Quiet100()}, {"system10.evtx", benchgen.System10()}, {"hyperv114.evtx", benchgen.HyperVHost()}} {
			o := in.o
			p, err := benchgen.Cached(in.name, benchgen.Version, func() ([]byte, error) { return benchgen.Bytes(o) })
			if err != nil {
				return err
			}
			fmt.Println(p)
		}
		return nil
	}
	if len(args) != 2 && len(args) != 3 {
		return fmt.Errorf("usage: evtxbench gen | evtxbench scan|scan1|full|pfull|gevtx FILE [BATCHCHUNKS]")
	}
	mode, path := args[0], args[1]
	if len(args) == 3 {
		n, err := strconv.Atoi(args[2])
		if err != nil {
			return err
		}
		batchChunks = n
	}
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	start, cpu0 := time.Now(), cpuSeconds()
	n, extra, err := measure(mode, path)
	if err != nil {
		return err
	}
	wall, cpu := time.Since(start).Seconds(), cpuSeconds()-cpu0
	fmt.Printf("mode=%s file=%s bytes=%d wall=%.4f cpu=%.4f MBps=%.1f records=%d %s peakRSS_MiB=%.1f gomaxprocs=%d\n",
		mode, path, st.Size(), wall, cpu, float64(st.Size())/1e6/wall, n, extra, benchgen.PeakRSS(), runtime.GOMAXPROCS(0))
	return nil
}

// batchChunks is ScanOptions.BatchChunks for the hvic modes (0: default).
var batchChunks int

func measure(mode, path string) (int, string, error) {
	ctx := context.Background()
	switch mode {
	case "scan", "scan1":
		f, err := evtx.Open(path, nil)
		if err != nil {
			return 0, "", err
		}
		defer f.Close()
		o := &evtx.ScanOptions{BatchChunks: batchChunks}
		if mode == "scan1" {
			o.Workers = 1
		}
		evs, st, err := f.ScanIC(ctx, o)
		if err != nil {
			return 0, "", err
		}
		return len(evs), fmt.Sprintf("chunks_decoded=%d chunks_filtered=%d problems=%d", st.ChunksDecoded, st.ChunksFiltered, len(st.Problems)), nil
	case "full", "pfull":
		f, err := evtx.Open(path, nil)
		if err != nil {
			return 0, "", err
		}
		defer f.Close()
		seq := f.Records(ctx)
		if mode == "pfull" {
			seq = f.ParallelRecords(ctx, &evtx.ScanOptions{BatchChunks: batchChunks})
		}
		n, failed := 0, 0
		for _, err := range seq {
			if err != nil {
				failed++
				continue
			}
			n++
		}
		return n, fmt.Sprintf("failed=%d", failed), nil
	case "gevtx":
		glog.SetLogLevel(glog.LCritical)
		gevtx.SetMaxJobs(runtime.NumCPU())
		ef, err := gevtx.OpenDirty(path)
		if err != nil {
			return 0, "", err
		}
		defer ef.Close()
		n := 0
		for range ef.UnorderedEvents() {
			n++
		}
		return n, fmt.Sprintf("maxjobs=%d", gevtx.MaxJobs), nil
	}
	return 0, "", fmt.Errorf("unknown mode %q", mode)
}
