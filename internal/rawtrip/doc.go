// Package rawtrip is the round-trip floor that benchmarks measure nlring
// against: one request and one reply on a blocking netlink socket, with
// the msghdrs, iovecs and kernel address built once, so that a trip is
// two system calls and allocates nothing. x/sys's Sendto and Recvfrom
// would allocate a sockaddr and an error per call and flatter every ratio
// against the floor.
//
// Only Linux has the code of this package; this file, free of build
// constraints, keeps the package present, and empty, on other platforms.
package rawtrip
