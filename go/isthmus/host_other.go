//go:build !wasip1

package isthmus

// On other platforms there is no host, except the one tests install.

// testHost stands in for isthmus.host_call in tests.
var testHost func(id int32, buf []byte, n int) (uintptr, uint32)

func hostAvailable() bool { return testHost != nil }

func doHostCall(id int32, buf []byte, n int) (uintptr, uint32) { return testHost(id, buf, n) }
