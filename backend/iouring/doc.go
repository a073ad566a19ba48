// Only Linux has the code of this package. This file, free of build
// constraints, keeps the package present, and empty, on other platforms.

package iouring
