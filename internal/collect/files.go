package collect

import (
	"container/list"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"sync"
)

// filePool bounds the files the walk and the readers hold open at once.
// Archives are opened lazily (lazyFile): each ReadAt pins an open handle
// for its duration, and idle handles are closed, least recently used
// first, when a slot is needed. Files read from start to end (a log read
// in place, a file read whole, a spill file) hold a "long" pin until
// closed; long pins may use at most limit-reserve slots, so the short
// ReadAt pins always find a slot and no reader waits forever.
type filePool struct {
	mu      sync.Mutex
	cond    *sync.Cond
	limit   int
	reserve int
	open    int // handles open: idle + pinned
	long    int
	high    int
	idle    *list.List // of *lazyFile with refs == 0 and an open handle
}

// minOpenFiles is the smallest pool: one long pin plus one short.
const minOpenFiles = 2

func newFilePool(limit int) *filePool {
	limit = max(limit, minOpenFiles)
	p := &filePool{limit: limit, reserve: max(1, limit/8), idle: list.New()}
	p.cond = sync.NewCond(&p.mu)
	return p
}

// highWater returns the most handles open at once.
func (p *filePool) highWater() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.high
}

// slot waits for a free slot (evicting an idle handle if needed) and
// takes it; the caller holds mu.
func (p *filePool) slot(long bool) {
	for {
		longOK := !long || p.long < p.limit-p.reserve
		if longOK && p.open < p.limit {
			break
		}
		if longOK && p.idle.Len() > 0 {
			p.evict()
			continue
		}
		p.cond.Wait()
	}
	p.open++
	p.high = max(p.high, p.open)
	if long {
		p.long++
	}
}

func (p *filePool) evict() {
	l := p.idle.Remove(p.idle.Back()).(*lazyFile)
	l.elem = nil
	l.f.Close()
	l.f = nil
	p.open--
}

func (p *filePool) free(long bool) {
	p.open--
	if long {
		p.long--
	}
	p.cond.Broadcast()
}

// openLong opens a file through open and pins a slot until it is closed.
func (p *filePool) openLong(open func() (fs.File, error)) (fs.File, error) {
	p.mu.Lock()
	p.slot(true)
	p.mu.Unlock()
	f, err := open()
	if err != nil {
		p.mu.Lock()
		p.free(true)
		p.mu.Unlock()
		return nil, err
	}
	lf := &longFile{File: f, p: p}
	if ra, ok := f.(io.ReaderAt); ok {
		return &longFileAt{longFile: lf, ra: ra}, nil
	}
	return lf, nil
}

type longFile struct {
	fs.File
	p    *filePool
	once sync.Once
}

func (f *longFile) Close() error {
	err := errors.New("file already closed")
	f.once.Do(func() {
		err = f.File.Close()
		f.p.mu.Lock()
		f.p.free(true)
		f.p.mu.Unlock()
	})
	return err
}

type longFileAt struct {
	*longFile
	ra io.ReaderAt
}

func (f *longFileAt) ReadAt(b []byte, off int64) (int, error) { return f.ra.ReadAt(b, off) }

// lazyFile is an io.ReaderAt over a file that is open only while read.
type lazyFile struct {
	p    *filePool
	open func() (fs.File, error)
	size int64
	name string

	// guarded by p.mu
	f      fs.File
	ra     io.ReaderAt
	refs   int
	elem   *list.Element
	closed bool
}

func (p *filePool) lazy(name string, size int64, open func() (fs.File, error)) *lazyFile {
	return &lazyFile{p: p, open: open, size: size, name: name}
}

// ReadAt implements io.ReaderAt; it is safe for concurrent use.
func (l *lazyFile) ReadAt(b []byte, off int64) (int, error) {
	ra, err := l.pin()
	if err != nil {
		return 0, err
	}
	defer l.unpin()
	return ra.ReadAt(b, off)
}

func (l *lazyFile) pin() (io.ReaderAt, error) {
	p := l.p
	p.mu.Lock()
	defer p.mu.Unlock()
	if l.closed {
		return nil, fmt.Errorf("%w", fs.ErrClosed)
	}
	if l.f != nil {
		if l.refs == 0 && l.elem != nil {
			p.idle.Remove(l.elem)
			l.elem = nil
		}
		l.refs++
		return l.ra, nil
	}
	p.slot(false)
	f, err := l.reopen()
	if err != nil {
		p.free(false)
		return nil, err
	}
	l.f, l.refs = f, 1
	l.ra = f.(io.ReaderAt)
	return l.ra, nil
}

// reopen opens the file again and checks that it is still the file the
// walk saw (random access, same size).
func (l *lazyFile) reopen() (fs.File, error) {
	f, err := l.open()
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	_, isRA := f.(io.ReaderAt)
	switch {
	case err != nil:
	case !isRA:
		err = errors.New("no random access")
	case st.Size() != l.size:
		err = fmt.Errorf("changed size while read (%d bytes, was %d)", st.Size(), l.size)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

func (l *lazyFile) unpin() {
	p := l.p
	p.mu.Lock()
	defer p.mu.Unlock()
	l.refs--
	if l.refs > 0 {
		return
	}
	if l.closed {
		l.f.Close()
		l.f = nil
		p.free(false)
		return
	}
	l.elem = p.idle.PushFront(l)
	p.cond.Broadcast()
}

// Close closes the handle if it is open; later reads fail.
func (l *lazyFile) Close() error {
	p := l.p
	p.mu.Lock()
	defer p.mu.Unlock()
	if l.closed {
		return nil
	}
	l.closed = true
	if l.f == nil || l.refs > 0 {
		return nil // the last unpin closes it
	}
	if l.elem != nil {
		p.idle.Remove(l.elem)
		l.elem = nil
	}
	err := l.f.Close()
	l.f = nil
	p.free(false)
	return err
}
