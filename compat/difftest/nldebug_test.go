package difftest

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// TestNLDEBUG compares what the two libraries print with NLDEBUG set. Both
// read NLDEBUG once, at start-up, and print on standard error, so each
// library runs in a child process (TestNLDEBUGChild) of its own.
func TestNLDEBUG(t *testing.T) {
	rows := differenceRows(t)
	tests := []struct {
		env, script, diff string
	}{
		{env: "format=plain", script: "exchange"},
		{env: "1", script: "exchange"},
		{env: "level=2,format=mnl", script: "exchange"},
		{env: "level=0", script: "exchange"},
		{env: "level=x", script: "exchange"},
		{env: "format=plain", script: "unpadded"},
		{env: "1", script: "unpadded", diff: "D8"},
	}
	for _, tt := range tests {
		t.Run(tt.env+"/"+tt.script, func(t *testing.T) {
			if tt.diff != "" && !rows[tt.diff] {
				t.Fatalf("difference %s is not a row of docs/differences.md", tt.diff)
			}
			want, got := nldebugChild(t, mdlayherName, tt.env, tt.script), nldebugChild(t, nlringName, tt.env, tt.script)
			switch {
			case want == got && tt.diff != "":
				t.Errorf("listed as difference %s, but the libraries now agree:\n%s", tt.diff, got)
			case want != got && tt.diff == "":
				t.Errorf("the libraries differ:\n%s", lineDiff(strings.Split(want, "\n"), strings.Split(got, "\n")))
			}
		})
	}
}

// nldebugChild runs script against lib in a child process with NLDEBUG=env
// and returns what it printed on standard error, a panic cut to its
// message.
func nldebugChild(t *testing.T, lib, env, script string) string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestNLDEBUGChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), "NLDEBUG="+env, "DIFFTEST_NLDEBUG="+lib+","+script)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	out := stderr.String()
	if i := strings.Index(out, "panic: "); i >= 0 {
		line, _, _ := strings.Cut(out[i:], "\n")
		return out[:i] + line + " [exit]"
	}
	if err != nil {
		t.Fatalf("%s child: %v\n%s", lib, err, out)
	}
	return out
}

// TestNLDEBUGChild is the child process of TestNLDEBUG.
func TestNLDEBUGChild(t *testing.T) {
	arg := os.Getenv("DIFFTEST_NLDEBUG")
	if arg == "" {
		t.Skip("run by TestNLDEBUG")
	}
	name, script, _ := strings.Cut(arg, ",")
	var l Lib = mdlayherLib{}
	if name == nlringName {
		l = nlringLib{}
	}
	req := Msg{Header: Hdr{Type: 0x1c, Flags: fRequest | fAck, Sequence: 7},
		Data: concat([]byte{3, 1, 0, 0}, attr(1, le32(0x41424344)), attr(2|nested, attr(3, []byte("eth0\x00"))), attr(4|netOrder, le16(80)))}
	switch script {
	case "exchange":
		data := reply(0x1c, fMulti, concat([]byte{1, 2, 0, 0}, attr(5, []byte("gen\x00")), attr(6, nil)))
		ack := reply(tError, 0, concat(le32(0), hdr(48, 0x1c, fRequest|fAck, 7, 1)))
		nack := reply(tError, fAckTLVs|fCapped, concat(errno(unix.EINVAL), hdr(16, 0x1c, fRequest|fAck, 7, 1), extAck("bad header", 0)))
		c := l.NltestDial(answer(ack)(l))
		_, _ = c.Execute(req)
		c = l.NltestDial(answer(data, data, reply(tDone, fMulti, le32(0)))(l))
		_, _ = c.Execute(Msg{Header: Hdr{Type: 0x1c, Flags: fRequest | fDump, Sequence: 7}})
		c = l.NltestDial(answer(nack)(l))
		_, _ = c.SendMessages([]Msg{req, req})
		_, _ = c.ReceiveIter()
		c = l.NltestDial(fixed(func([]Msg) ([]Msg, error) { return nil, unix.ENOBUFS })(l))
		_, _ = c.Send(req)
		_, _ = c.Receive()
	case "unpadded":
		// A received string attribute ends the message without padding.
		m := reply(0x10, 0, concat(le32(0), le16(7), le16(3), []byte("lo\x00")))
		c := l.NltestDial(answer(m)(l))
		_, _ = c.Execute(req)
	}
}
