package collect

import (
	"context"
	"fmt"
	"runtime"
	"sync"
)

// PanicError is a panic recovered from a worker, turned into an error.
type PanicError struct {
	Value any
}

// Error implements error.
func (e *PanicError) Error() string { return fmt.Sprintf("internal error: %v", e.Value) }

// Parallel calls fn(i) for i in [0, n) on at most workers goroutines
// (GOMAXPROCS when workers <= 0), stopping early when ctx is done. A panic
// in fn is recovered on its goroutine and returned as a *PanicError in the
// slot of its index; errs[i] is fn's error for i, or ctx's error for an
// index never started. Parallel returns only when every goroutine it
// started has ended.
func Parallel(ctx context.Context, n, workers int, fn func(i int) error) []error {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	if workers > n {
		workers = n
	}
	errs := make([]error, n)
	if n == 0 {
		return errs
	}
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				errs[i] = call(fn, i)
			}
		}()
	}
	i := 0
feed:
	for ; i < n; i++ {
		select {
		case <-ctx.Done():
			break feed
		case next <- i:
		}
	}
	close(next)
	wg.Wait()
	for ; i < n; i++ {
		errs[i] = ctx.Err()
	}
	return errs
}

func call(fn func(int) error, i int) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &PanicError{Value: r}
		}
	}()
	return fn(i)
}
