package bench

import (
	"fmt"
	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
	"iter"
)

// The mdlayher/netlink v1.11.2 clients: Execute, the API most programs use;
// Send plus ReceiveIter, its streaming API; and ReceiveIter with a fixed
// 32 KiB MessageBufferSize, which skips the MSG_PEEK that otherwise keeps
// dump datagrams at ~4 KiB.
func init() {
	for _, c := range []struct {
		name, doc string
		iter      bool
		bufSize   int
	}{
		{ReferenceClient, "Execute (SendMessages+Receive for batches)", false, 0},
		{"mdlayher-iter", "Send+ReceiveIter", true, 0},
		{"mdlayher-iter32k", "Send+ReceiveIter, MessageBufferSize 32 KiB", true, 32 << 10},
	} {
		Register(ClientSpec{
			Name: c.name, Rank: RankReference,
			Doc: "mdlayher/netlink v1.11.2 " + c.doc,
			New: func(env *Env) (Client, error) {
				m, err := newMdlayher(netlink.Config{NetNS: env.NS.FD(), MessageBufferSize: c.bufSize}, c.iter)
				if c.name != ReferenceClient {
					return m, err
				}
				return addProc[netlink.Message](m, err, c.name, env)
			},
		})
	}
}

var mdlayherCodec = messageCodec[netlink.Message]{
	New: func(typ, flags uint16, body []byte) netlink.Message {
		return netlink.Message{
			Header: netlink.Header{Type: netlink.HeaderType(typ), Flags: netlink.HeaderFlags(flags)},
			Data:   body,
		}
	},
	Type: func(m netlink.Message) uint16 { return uint16(m.Header.Type) },
	Walk: func(msgs iter.Seq2[netlink.Message, error], hdrLen int) (n, attrs int, err error) {
		for m, err := range msgs {
			if err != nil {
				return n, attrs, err
			}
			n++
			if hdrLen == 0 || m.Header.Type < unix.NLMSG_MIN_TYPE {
				continue
			}
			if len(m.Data) < hdrLen {
				return n, attrs, fmt.Errorf("message of %d bytes has no %d-byte family header", len(m.Data), hdrLen)
			}
			ad, err := netlink.NewAttributeDecoder(m.Data[hdrLen:])
			if err != nil {
				return n, attrs, err
			}
			for ad.Next() {
				attrs++
			}
			if err := ad.Err(); err != nil {
				return n, attrs, err
			}
		}
		return n, attrs, nil
	},
}

func newMdlayher(cfg netlink.Config, iter bool) (Client, error) {
	route, err := netlink.Dial(unix.NETLINK_ROUTE, &cfg)
	if err != nil {
		return nil, err
	}
	ct, err := netlink.Dial(unix.NETLINK_NETFILTER, &cfg)
	if err != nil {
		route.Close()
		return nil, err
	}
	return &msgClient[netlink.Message]{
		iter:  iter,
		codec: mdlayherCodec,
		route: route,
		ct:    ct,
		subscribe: func() (messageConn[netlink.Message], error) {
			sub := cfg
			sub.Groups = unix.RTMGRP_IPV4_ROUTE
			return netlink.Dial(unix.NETLINK_ROUTE, &sub)
		},
	}, nil
}
