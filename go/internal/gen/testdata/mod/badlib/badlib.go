// Package badlib has export problems of non-main packages.
package badlib

type hidden struct{ X int }

// Get returns an unexported type.
//
//isthmus:export
func Get() hidden { return hidden{} }

// small is unexported: the generated main package cannot call it.
//
//isthmus:export
func small() int { return 0 }

var _ = small
