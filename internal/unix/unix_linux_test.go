//go:build linux

package unix_test

import (
	"testing"

	"github.com/nlring/netlink/internal/unix"
	sys "golang.org/x/sys/unix"
)

// TestValues checks every value against golang.org/x/sys/unix.
func TestValues(t *testing.T) {
	for _, v := range []struct {
		name      string
		got, want int64
	}{
		{"NETLINK_ROUTE", unix.NETLINK_ROUTE, sys.NETLINK_ROUTE},
		{"NETLINK_XFRM", unix.NETLINK_XFRM, sys.NETLINK_XFRM},
		{"NETLINK_NETFILTER", unix.NETLINK_NETFILTER, sys.NETLINK_NETFILTER},
		{"NETLINK_GENERIC", unix.NETLINK_GENERIC, sys.NETLINK_GENERIC},
		{"NLMSG_NOOP", unix.NLMSG_NOOP, sys.NLMSG_NOOP},
		{"NLMSG_ERROR", unix.NLMSG_ERROR, sys.NLMSG_ERROR},
		{"NLMSG_DONE", unix.NLMSG_DONE, sys.NLMSG_DONE},
		{"NLMSG_OVERRUN", unix.NLMSG_OVERRUN, sys.NLMSG_OVERRUN},
		{"NLMSG_MIN_TYPE", unix.NLMSG_MIN_TYPE, sys.NLMSG_MIN_TYPE},
		{"NLM_F_REQUEST", unix.NLM_F_REQUEST, sys.NLM_F_REQUEST},
		{"NLM_F_MULTI", unix.NLM_F_MULTI, sys.NLM_F_MULTI},
		{"NLM_F_ACK", unix.NLM_F_ACK, sys.NLM_F_ACK},
		{"NLM_F_ECHO", unix.NLM_F_ECHO, sys.NLM_F_ECHO},
		{"NLM_F_DUMP_INTR", unix.NLM_F_DUMP_INTR, sys.NLM_F_DUMP_INTR},
		{"NLM_F_DUMP_FILTERED", unix.NLM_F_DUMP_FILTERED, sys.NLM_F_DUMP_FILTERED},
		{"NLM_F_ROOT", unix.NLM_F_ROOT, sys.NLM_F_ROOT},
		{"NLM_F_MATCH", unix.NLM_F_MATCH, sys.NLM_F_MATCH},
		{"NLM_F_ATOMIC", unix.NLM_F_ATOMIC, sys.NLM_F_ATOMIC},
		{"NLM_F_DUMP", unix.NLM_F_DUMP, sys.NLM_F_DUMP},
		{"NLM_F_REPLACE", unix.NLM_F_REPLACE, sys.NLM_F_REPLACE},
		{"NLM_F_EXCL", unix.NLM_F_EXCL, sys.NLM_F_EXCL},
		{"NLM_F_CREATE", unix.NLM_F_CREATE, sys.NLM_F_CREATE},
		{"NLM_F_APPEND", unix.NLM_F_APPEND, sys.NLM_F_APPEND},
		{"NLM_F_CAPPED", unix.NLM_F_CAPPED, sys.NLM_F_CAPPED},
		{"NLM_F_ACK_TLVS", unix.NLM_F_ACK_TLVS, sys.NLM_F_ACK_TLVS},
		{"NLMSG_ALIGNTO", unix.NLMSG_ALIGNTO, sys.NLMSG_ALIGNTO},
		{"NLMSG_HDRLEN", unix.NLMSG_HDRLEN, sys.NLMSG_HDRLEN},
		{"NLA_ALIGNTO", unix.NLA_ALIGNTO, sys.NLA_ALIGNTO},
		{"NLA_HDRLEN", unix.NLA_HDRLEN, sys.NLA_HDRLEN},
		{"NLA_F_NESTED", unix.NLA_F_NESTED, sys.NLA_F_NESTED},
		{"NLA_F_NET_BYTEORDER", unix.NLA_F_NET_BYTEORDER, sys.NLA_F_NET_BYTEORDER},
		{"NLMSGERR_ATTR_MSG", unix.NLMSGERR_ATTR_MSG, sys.NLMSGERR_ATTR_MSG},
		{"NLMSGERR_ATTR_OFFS", unix.NLMSGERR_ATTR_OFFS, sys.NLMSGERR_ATTR_OFFS},
		{"RTM_BASE", unix.RTM_BASE, sys.RTM_BASE},
		{"RTM_NEWLINK", unix.RTM_NEWLINK, sys.RTM_NEWLINK},
		{"RTM_DELLINK", unix.RTM_DELLINK, sys.RTM_DELLINK},
		{"RTM_NEWADDR", unix.RTM_NEWADDR, sys.RTM_NEWADDR},
		{"RTM_DELADDR", unix.RTM_DELADDR, sys.RTM_DELADDR},
		{"RTM_NEWROUTE", unix.RTM_NEWROUTE, sys.RTM_NEWROUTE},
		{"RTM_DELROUTE", unix.RTM_DELROUTE, sys.RTM_DELROUTE},
		{"RTM_NEWNEIGH", unix.RTM_NEWNEIGH, sys.RTM_NEWNEIGH},
		{"RTM_DELNEIGH", unix.RTM_DELNEIGH, sys.RTM_DELNEIGH},
		{"RTA_OIF", unix.RTA_OIF, sys.RTA_OIF},
		{"RTA_TABLE", unix.RTA_TABLE, sys.RTA_TABLE},
		{"SizeofIfInfomsg", unix.SizeofIfInfomsg, sys.SizeofIfInfomsg},
		{"SizeofRtMsg", unix.SizeofRtMsg, sys.SizeofRtMsg},
		{"NFNL_SUBSYS_CTNETLINK", unix.NFNL_SUBSYS_CTNETLINK, sys.NFNL_SUBSYS_CTNETLINK},
		{"EMSGSIZE", int64(unix.EMSGSIZE), int64(sys.EMSGSIZE)},
		{"ENOBUFS", int64(unix.ENOBUFS), int64(sys.ENOBUFS)},
	} {
		if v.got != v.want {
			t.Errorf("%s = %#x, want %#x", v.name, v.got, v.want)
		}
	}
}
