package ebpf

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// childEnv makes the test binary run permissionChild instead of the tests.
const childEnv = "NLRING_EBPF_PERMISSION_CHILD"

// permissionChild tries New without privileges and reports through its
// exit status: 0 for a clean ErrPermission, 1 for another error, 2 if New
// succeeded.
func permissionChild() int {
	f, err := New(Spec{PortID: 1})
	if err == nil {
		f.Close()
		fmt.Println("New succeeded")
		return 2
	}
	fmt.Println(err)
	if !errors.Is(err, ErrPermission) || !errors.Is(err, os.ErrPermission) {
		return 1
	}
	return 0
}

// TestPrivileges runs a copy of the test binary as nobody with various
// capabilities: without any, New must fail with ErrPermission and without
// cilium/ebpf's advice about RLIMIT_MEMLOCK, which does not apply here;
// with CAP_BPF it must succeed, as the package documentation says: the
// programs need no CAP_PERFMON. It needs root to switch users.
func TestPrivileges(t *testing.T) {
	if os.Geteuid() != 0 {
		switch permissionChild() {
		case 0:
		case 2:
			t.Skip("skipped: this user may load eBPF; the test needs root to drop privileges")
		default:
			t.Fatal("New without privileges did not fail with ErrPermission")
		}
		return
	}
	const (
		capPerfmon = 38 // CAP_PERFMON
		capBPF     = 39 // CAP_BPF
	)
	exe := copyTestBinary(t)
	tests := []struct {
		name     string
		caps     []uintptr
		wantExit int
	}{
		{"no capabilities", nil, 0},
		{"CAP_BPF", []uintptr{capBPF}, 2},
		{"CAP_BPF and CAP_PERFMON", []uintptr{capBPF, capPerfmon}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.Command(exe)
			cmd.Dir = filepath.Dir(exe)
			cmd.Env = append(os.Environ(), childEnv+"=1")
			cmd.SysProcAttr = &syscall.SysProcAttr{
				Credential:  &syscall.Credential{Uid: 65534, Gid: 65534},
				AmbientCaps: tt.caps,
			}
			out, err := cmd.CombinedOutput()
			exit := 0
			var exitErr *exec.ExitError
			if errors.As(err, &exitErr) {
				exit = exitErr.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if exit == 2 && tt.wantExit == 0 {
				t.Skipf("skipped: nobody may load eBPF here (kernel.unprivileged_bpf_disabled=0?)")
			}
			if exit != tt.wantExit {
				t.Errorf("child exited %d, want %d: %s", exit, tt.wantExit, out)
			}
			if strings.Contains(strings.ToUpper(string(out)), "MEMLOCK") {
				t.Errorf("the error mentions MEMLOCK: %s", out)
			}
			t.Logf("as nobody: %s", out)
		})
	}
}

// copyTestBinary copies the test binary where nobody can run it.
func copyTestBinary(t *testing.T) string {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "nlring-ebpf-priv")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	copied := filepath.Join(dir, "ebpf.test")
	if err := copyFile(copied, exe); err != nil {
		t.Fatal(err)
	}
	return copied
}

func copyFile(dst, src string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
