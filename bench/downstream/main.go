//go:build ignore

// Command downstream runs unmodified ti-mo/conntrack v0.6.0 and
// google/nftables v0.3.0 on whatever github.com/mdlayher/netlink the build
// resolves: the real one, or nlring through a replace line. run.sh builds
// it in a scratch module outside the repository (the build constraint
// keeps it out of the bench module) and runs it in a network namespace of
// its own.
//
//	downstream setup-ct N      create N conntrack entries (UDP, 1 h timeout)
//	downstream setup-nft N     create table ip ds, chain ds/in and N rules
//	downstream ct-dump         time one conntrack Dump; prints "ns count"
//	downstream nft-rules       time one GetRules of ds/in; prints "ns count"
//
// With DS_CPUPROFILE=file (and DS_REPEAT=n to repeat the timed call n
// times) the timed calls are CPU-profiled into file.
package main

import (
	"fmt"
	"net/netip"
	"os"
	"runtime/pprof"
	"strconv"
	"time"

	"github.com/google/nftables"
	"github.com/google/nftables/expr"
	"github.com/ti-mo/conntrack"
	"golang.org/x/sys/unix"
)

var (
	table = &nftables.Table{Family: nftables.TableFamilyIPv4, Name: "ds"}
	chain = &nftables.Chain{Name: "in", Table: table, Type: nftables.ChainTypeFilter,
		Hooknum: nftables.ChainHookInput, Priority: nftables.ChainPriorityFilter}
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "downstream:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	f := os.Getenv("DS_CPUPROFILE")
	if f == "" {
		return command(args)
	}
	out, err := os.Create(f)
	if err != nil {
		return err
	}
	defer out.Close()
	if err := pprof.StartCPUProfile(out); err != nil {
		return err
	}
	defer pprof.StopCPUProfile()
	repeat, _ := strconv.Atoi(os.Getenv("DS_REPEAT"))
	for range max(repeat, 1) {
		if err := command(args); err != nil {
			return err
		}
	}
	return nil
}

func command(args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: downstream setup-ct N | setup-nft N | ct-dump | nft-rules")
	}
	n := 0
	if len(args) > 1 {
		var err error
		if n, err = strconv.Atoi(args[1]); err != nil {
			return err
		}
	}
	switch args[0] {
	case "setup-ct":
		return setupCT(n)
	case "setup-nft":
		return setupNFT(n)
	case "ct-dump":
		c, err := conntrack.Dial(nil)
		if err != nil {
			return err
		}
		defer c.Close()
		t0 := time.Now()
		flows, err := c.Dump(nil)
		d := time.Since(t0)
		if err != nil {
			return err
		}
		fmt.Println(d.Nanoseconds(), len(flows))
	case "nft-rules":
		c, err := nftables.New()
		if err != nil {
			return err
		}
		t0 := time.Now()
		rules, err := c.GetRules(table, chain)
		d := time.Since(t0)
		if err != nil {
			return err
		}
		fmt.Println(d.Nanoseconds(), len(rules))
	default:
		return fmt.Errorf("unknown command %q", args[0])
	}
	return nil
}

func setupCT(n int) error {
	c, err := conntrack.Dial(nil)
	if err != nil {
		return err
	}
	defer c.Close()
	dst := netip.MustParseAddr("198.18.0.1")
	for i := range n {
		src := netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)})
		f := conntrack.NewFlow(unix.IPPROTO_UDP, 0, src, dst, uint16(1024+i%50000), 53, 3600, 0)
		if err := c.Create(f); err != nil {
			return fmt.Errorf("entry %d: %w", i, err)
		}
	}
	return nil
}

func setupNFT(n int) error {
	c, err := nftables.New()
	if err != nil {
		return err
	}
	c.AddTable(table)
	c.AddChain(chain)
	for i := range n {
		port := uint16(1024 + i)
		c.AddRule(&nftables.Rule{Table: table, Chain: chain, Exprs: []expr.Any{
			&expr.Meta{Key: expr.MetaKeyL4PROTO, Register: 1},
			&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: []byte{unix.IPPROTO_TCP}},
			&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseTransportHeader, Offset: 2, Len: 2},
			&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: []byte{byte(port >> 8), byte(port)}},
			&expr.Verdict{Kind: expr.VerdictAccept},
		}})
		if (i+1)%100 == 0 { // one ACK per rule: the default receive buffer holds ~250
			if err := c.Flush(); err != nil {
				return fmt.Errorf("rules up to %d: %w", i, err)
			}
		}
	}
	return c.Flush()
}
