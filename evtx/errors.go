package evtx

import "strings"

// decodeError is a record that failed to decode because of a fault of
// this package's own finding (a spent budget, a read past the record):
// ErrDecode and the cause, the package named once ("evtx: cannot decode
// record: decode budget exhausted ..."). It unwraps to both.
type decodeError struct{ cause error }

func (e *decodeError) Error() string {
	return ErrDecode.Error() + ": " + strings.TrimPrefix(e.cause.Error(), "evtx: ")
}

func (e *decodeError) Unwrap() []error { return []error{ErrDecode, e.cause} }
