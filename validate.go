package netlink

import "errors"

// Errors of Validate.
var (
	errMismatchedSequence = errors.New("mismatched sequence in netlink reply")
	errMismatchedPID      = errors.New("mismatched PID in netlink reply")
)

// Validate checks that every reply answers request: that it carries the
// request's sequence number and comes from the request's port ID. It returns
// an *OpError with Op "validate" for the first reply that does not.
//
// A request with sequence number 0 matches any sequence, and a request or
// reply with port ID 0 any port ID: multicast notifications carry neither, and
// a request sent before the kernel assigned a port ID has none.
func Validate(request Message, replies []Message) error {
	for _, m := range replies {
		if err := validateHeader(request.Header, m.Header); err != nil {
			return err
		}
	}
	return nil
}

// validateHeader is Validate for one reply header.
func validateHeader(want, got Header) error {
	if want.Sequence != 0 && got.Sequence != want.Sequence {
		return newOpError("validate", errMismatchedSequence)
	}
	if want.PID != 0 && got.PID != 0 && got.PID != want.PID {
		return newOpError("validate", errMismatchedPID)
	}
	return nil
}
