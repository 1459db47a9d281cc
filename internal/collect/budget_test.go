package collect

import (
	"context"
	"encoding/binary"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runBudget has workers reserve the sizes given, hold them briefly and
// release them; it returns the most bytes actually held at once, counted
// independently of the budget.
func runBudget(t testing.TB, b *Budget, sizes []int64, workers int, pause bool) int64 {
	var held, high atomic.Int64
	errs := Parallel(context.Background(), len(sizes), workers, func(i int) error {
		release, err := b.Reserve(context.Background(), sizes[i])
		if err != nil {
			return err
		}
		n := max(sizes[i], 0) // a negative request charges nothing
		now := held.Add(n)
		for {
			h := high.Load()
			if now <= h || high.CompareAndSwap(h, now) {
				break
			}
		}
		if pause {
			time.Sleep(time.Duration(i%3) * 100 * time.Microsecond)
		} else {
			runtime.Gosched()
		}
		held.Add(-n)
		release()
		release() // a second call gives nothing back twice
		return nil
	})
	for _, err := range errs {
		require.NoError(t, err)
	}
	return high.Load()
}

func TestBudget(t *testing.T) {
	tests := []struct {
		name    string
		limit   int64
		sizes   []int64
		workers int
	}{
		{"fits", 100, []int64{10, 20, 30, 40, 10, 20, 30, 40}, 4},
		{"tight", 50, []int64{30, 30, 30, 30, 30, 30}, 6},
		{"larger than the budget runs alone", 50, []int64{10, 200, 10, 10, 300, 10}, 6},
		{"zero and negative", 10, []int64{0, -5, 10, 0}, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := NewBudget(tt.limit)
			largest := int64(0)
			for _, s := range tt.sizes {
				largest = max(largest, s)
			}
			high := runBudget(t, b, tt.sizes, tt.workers, true)
			assert.LessOrEqual(t, high, max(tt.limit, largest))
			// The independent count rises after Reserve returns and falls
			// before release, so it can only trail the budget's own mark.
			assert.LessOrEqual(t, high, b.HighWater())
			assert.LessOrEqual(t, b.HighWater(), max(tt.limit, largest))
			assert.Equal(t, tt.limit, b.Limit())
			b.mu.Lock()
			assert.Zero(t, b.used)
			assert.Zero(t, b.held)
			assert.Empty(t, b.waiters)
			b.mu.Unlock()
		})
	}
}

// A waiter cancelled while queued leaves the queue, and those behind it
// are still served.
func TestBudgetCancel(t *testing.T) {
	b := NewBudget(10)
	first, err := b.Reserve(context.Background(), 8)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	var cancelled error
	go func() {
		defer wg.Done()
		_, cancelled = b.Reserve(ctx, 5)
	}()
	time.Sleep(10 * time.Millisecond)
	start := time.Now()
	cancel()
	wg.Wait()
	assert.Less(t, time.Since(start), time.Second)
	assert.ErrorIs(t, cancelled, context.Canceled)
	first()
	second, err := b.Reserve(context.Background(), 10)
	require.NoError(t, err)
	second()
	assert.Equal(t, int64(10), b.HighWater())
}

func FuzzBudget(f *testing.F) {
	f.Add(int64(100), []byte{10, 20, 30, 250, 1, 0})
	f.Add(int64(1), []byte{255, 255, 0})
	f.Add(int64(0), []byte{})
	f.Fuzz(func(t *testing.T, limit int64, raw []byte) {
		if len(raw) > 64 {
			raw = raw[:64]
		}
		sizes := make([]int64, 0, len(raw)/2+1)
		for len(raw) >= 2 {
			sizes = append(sizes, int64(int16(binary.LittleEndian.Uint16(raw))))
			raw = raw[2:]
		}
		limit %= 1 << 20
		b := NewBudget(limit)
		largest := int64(0)
		for _, s := range sizes {
			largest = max(largest, s)
		}
		high := runBudget(t, b, sizes, 4, false)
		if high > max(b.Limit(), largest) {
			t.Fatalf("held %d at once, budget %d, largest %d", high, b.Limit(), largest)
		}
	})
}
