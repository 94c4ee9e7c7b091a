//go:build !wasip1

package isthmus

// On other platforms there is no host, except the one tests install.

// testHost stands in for isthmus.host_call in tests.
var testHost func(id int32, buf []byte, n int) (uintptr, uint32)

func hostAvailable() bool { return testHost != nil }

func doHostCall(id int32, buf []byte, n int) (uintptr, uint32) { return testHost(id, buf, n) }

// lastResult is the result payload of the last callExport: native addresses do not fit
// in the 32 bits that packResult has for them on wasm.
var lastResult []byte

func packResult(out []byte) uint64 {
	lastResult = out
	return uint64(len(out))
}
