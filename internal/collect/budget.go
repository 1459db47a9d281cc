package collect

import (
	"context"
	"sync"
)

// Budget is the memory shared by the workers of one scan for the data they
// hold whole (hives and their logs, text exports). Reserve blocks until
// the bytes fit; a request larger than the whole budget waits until
// nothing else is held and then runs alone, so the bytes held at once
// never exceed max(budget, largest single request). Waiters are served in
// order of arrival, so a large request is not starved by small ones.
type Budget struct {
	mu      sync.Mutex
	limit   int64
	used    int64 // charged (a request over limit is charged as limit)
	held    int64 // actually requested, for the high-water mark
	high    int64
	waiters []*budgetWaiter
}

type budgetWaiter struct {
	n, charge int64
	ready     chan struct{}
}

// NewBudget returns a budget of limit bytes (at least 1).
func NewBudget(limit int64) *Budget {
	return &Budget{limit: max(limit, 1)}
}

// Limit returns the budget's size in bytes.
func (b *Budget) Limit() int64 { return b.limit }

// HighWater returns the most bytes held at once so far.
func (b *Budget) HighWater() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.high
}

// Reserve charges n bytes, waiting until they fit or ctx is done. It
// returns the function that gives them back (call it once); on error
// nothing is charged.
func (b *Budget) Reserve(ctx context.Context, n int64) (release func(), err error) {
	n = max(n, 0)
	w := &budgetWaiter{n: n, charge: min(n, b.limit), ready: make(chan struct{})}
	b.mu.Lock()
	if len(b.waiters) == 0 && b.used+w.charge <= b.limit {
		b.take(w)
		b.mu.Unlock()
		return b.releaser(w), nil
	}
	b.waiters = append(b.waiters, w)
	b.mu.Unlock()
	select {
	case <-w.ready:
		return b.releaser(w), nil
	case <-ctx.Done():
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	select {
	case <-w.ready: // served while cancelling: give it back
		b.give(w)
	default:
		for i, x := range b.waiters {
			if x == w {
				b.waiters = append(b.waiters[:i], b.waiters[i+1:]...)
				break
			}
		}
		b.serve()
	}
	return nil, ctx.Err()
}

func (b *Budget) take(w *budgetWaiter) {
	b.used += w.charge
	b.held += w.n
	b.high = max(b.high, b.held)
}

func (b *Budget) give(w *budgetWaiter) {
	b.used -= w.charge
	b.held -= w.n
	b.serve()
}

// serve wakes waiters in order while the head fits; the caller holds mu.
func (b *Budget) serve() {
	for len(b.waiters) > 0 {
		w := b.waiters[0]
		if b.used+w.charge > b.limit {
			return
		}
		b.waiters = b.waiters[1:]
		b.take(w)
		close(w.ready)
	}
}

func (b *Budget) releaser(w *budgetWaiter) func() {
	var once sync.Once
	return func() {
		once.Do(func() {
			b.mu.Lock()
			b.give(w)
			b.mu.Unlock()
		})
	}
}
