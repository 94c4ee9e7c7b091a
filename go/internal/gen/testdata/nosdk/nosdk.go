// Package nosdk is a library in a module that does not require the isthmus SDK:
// isthmus build supplies it (-modfile) and generates the main package.
package nosdk

// Double doubles x.
//
//isthmus:export
func Double(x int32) int32 { return 2 * x }
