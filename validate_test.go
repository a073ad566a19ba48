package netlink

import (
	"errors"
	"testing"
)

func TestValidate(t *testing.T) {
	msg := func(seq, pid uint32) Message { return Message{Header: Header{Sequence: seq, PID: pid}} }
	tests := []struct {
		name    string
		req     Message
		replies []Message
		wantErr error
	}{
		{name: "no replies", req: msg(1, 1)},
		{name: "matching", req: msg(1, 1), replies: []Message{msg(1, 1), msg(1, 1)}},
		{name: "sequence mismatch", req: msg(1, 1), replies: []Message{msg(2, 1)}, wantErr: errMismatchedSequence},
		{name: "second reply mismatched", req: msg(1, 1), replies: []Message{msg(1, 1), msg(3, 1)}, wantErr: errMismatchedSequence},
		{name: "PID mismatch", req: msg(1, 1), replies: []Message{msg(1, 2)}, wantErr: errMismatchedPID},
		{name: "sequence checked first", req: msg(1, 1), replies: []Message{msg(2, 2)}, wantErr: errMismatchedSequence},
		{name: "request without sequence (multicast)", req: msg(0, 1), replies: []Message{msg(5, 1)}},
		{name: "request without PID (not yet assigned)", req: msg(1, 0), replies: []Message{msg(1, 99)}},
		{name: "reply without PID (kernel multicast)", req: msg(1, 1), replies: []Message{msg(1, 0)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Validate(tt.req, tt.replies)
			if tt.wantErr == nil {
				if err != nil {
					t.Fatalf("error = %v, want nil", err)
				}
				return
			}
			var oe *OpError
			if !errors.As(err, &oe) {
				t.Fatalf("error = %#v, want an *OpError", err)
			}
			if oe.Op != "validate" || oe.Err != tt.wantErr {
				t.Errorf("got Op %q Err %v, want validate and %v", oe.Op, oe.Err, tt.wantErr)
			}
		})
	}
}
