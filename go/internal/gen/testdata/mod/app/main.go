// Command app exercises the generator: every shape of type, renamed locals and imports.
package main

import (
	"errors"
	"time"

	"example.com/gentest/lib"
	"github.com/isthmus-dev/isthmus/go/isthmus"
)

// Package-level names that generated code must not shadow or collide with.
var (
	e    = 1
	wire = "not the package"
	util = "not the package either"
)

type d struct{}

func lib2() {}

func use() { _, _, _, _, _ = e, wire, d{}, lib2, util }

type MyByte byte

type Raw []byte

type Timeout time.Duration

// List is a recursive slice.
type List []List

// Node is a recursive struct.
type Node struct {
	Value    lib.Celsius
	Children []*Node
	Next     *Node `json:"next"`
}

// Shapes has one field of many shapes.
type Shapes struct {
	Bytes  []byte
	Raw    Raw
	Mine   []MyByte
	Arr    [3]int32
	Hash   [4]byte
	MyArr  [2]MyByte
	ByInt  map[int]string
	ByU8   map[uint8][]string
	Nested [][]map[string]*float64
	Pairs  []lib.Pair[string, lib.Celsius]
	Anon   struct{ A, B int }
	Lists  List
	Any    any
	When   time.Time
	Wait   time.Duration
	Limit  *Timeout
	Temp   lib.Celsius
}

// Everything takes and returns Shapes.
//
//isthmus:export
func Everything(s Shapes) Shapes { return s }

// Tree returns a tree.
//
//isthmus:export
func Tree(n *Node) *Node { return n }

// Lists returns a recursive list.
//
//isthmus:export
func Lists(l List) List { return l }

// Many has several results, unnamed parameters and an error.
//
//isthmus:export
func Many(int, string, ...lib.Celsius) (n int, s string, err error) { return 0, "", errors.New("x") }

// Nothing returns nothing.
//
//isthmus:export
func Nothing() {}

// OnlyError returns only an error.
//
//isthmus:export
func OnlyError(b bool) error { return nil }

// hidden is unexported, exported under another name.
//
//isthmus:export Visible
func hidden(p *lib.Person, when time.Time, anon struct{ X int }) (*lib.Person, time.Duration) {
	return p, 0
}

// Keys uses maps with integer keys and named byte slices.
//
//isthmus:export
func Keys(m map[int64][]Raw) map[uint16]*MyByte { return nil }

// log sends a line to the host.
var log = isthmus.Import[func(line string)]("log")

func main() { use(); _ = log }
