// Package conntest drives an nlring Conn the way the testutil helpers drive
// a raw socket, for the filter packages' tests. It is apart from testutil
// because it imports the root package, whose own tests import testutil.
//
// Only Linux has the code of this package; this file, free of build
// constraints, keeps the package present, and empty, on other platforms.
package conntest
