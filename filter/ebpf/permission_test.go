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

// TestPermissionError checks that an unprivileged New fails with
// ErrPermission, and without cilium/ebpf's advice about RLIMIT_MEMLOCK,
// which does not apply. As root it runs a copy of the test binary as
// nobody.
func TestPermissionError(t *testing.T) {
	if os.Geteuid() != 0 {
		code := permissionChild()
		if code == 2 {
			t.Skip("skipped: this user may load eBPF")
		}
		if code != 0 {
			t.Fatal("New without privileges did not fail with ErrPermission")
		}
		return
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "nlring-ebpf-perm")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	copied := filepath.Join(dir, "ebpf.test")
	if err := copyFile(copied, exe); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(copied)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), childEnv+"=1")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	switch {
	case err == nil:
		if strings.Contains(strings.ToUpper(string(out)), "MEMLOCK") {
			t.Errorf("the error mentions MEMLOCK: %s", out)
		}
		t.Logf("as nobody: %s", out)
	case errors.As(err, &exit) && exit.ExitCode() == 2:
		t.Skipf("skipped: nobody may load eBPF here (kernel.unprivileged_bpf_disabled=0?)")
	default:
		t.Errorf("as nobody: %v: %s", err, out)
	}
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
