// Command bad has every kind of export problem.
package main

import (
	"example.com/gentest/badlib"
	"github.com/isthmus-dev/isthmus/go/isthmus"
)

var _ = badlib.Get

type I interface{ M() }

type T struct{}

type Dup struct {
	A int `json:"a"`
	B int `json:"a"`
}

//isthmus:export
func Chan(c chan int) {}

//isthmus:export
func Func() func() { return nil }

//isthmus:export
func ErrParam(err error) {}

//isthmus:export
func ErrFirst() (error, int) { return nil, 0 }

//isthmus:export
func Odd(p uintptr, c complex128, m map[float64]int, i I) {}

//isthmus:export
func DupFields(d Dup) {}

//isthmus:export
func (T) Method() {}

//isthmus:export
func Generic[X any](x X) {}

//isthmus:export 9lives
func Cat() {}

//isthmus:export Same
func One() {}

//isthmus:export Same
func Two() {}

//isthmus:exprot
func Typo() {}

//isthmus:export
type Misplaced int

var (
	_ = isthmus.Import[func(chan int)]("chanfn")
	_ = isthmus.Import[func(int)]("twice")
	_ = isthmus.Import[func(string)]("twice")
)

func main() {}
