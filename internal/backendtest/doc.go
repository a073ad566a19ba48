// Package backendtest is the conformance suite of nlring's backends: what
// backend.Socket promises, checked on a real socket of each backend in a
// fresh network namespace. Each backend's TestConformance runs it with Run.
//
// Only Linux has the code of this package; elsewhere it is empty.
package backendtest
