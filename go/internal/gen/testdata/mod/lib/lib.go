// Package lib is a library whose marked functions are exported by the main package
// that imports it.
package lib

import (
	"strings"

	"github.com/isthmus-dev/isthmus/go/isthmus"
)

// Person is someone.
type Person struct {
	// Name is how to call them.
	Name   string `json:"name"`
	Age    int    `json:"age,omitempty"`
	Secret string `json:"-"`
	Inner         // embedded, not flattened
	note   string
}

// Inner is embedded in Person.
type Inner struct {
	Level uint8 // a line comment as the field's doc
}

// Pair is generic.
type Pair[K comparable, V any] struct {
	Key K
	Val V
}

// Celsius is a temperature.
type Celsius float64

// Shout upper-cases s.
func Shout(s string) string { return strings.ToUpper(s) }

// Older returns p one year older.
//
//isthmus:export
func Older(p Person) Person {
	p.Age++
	return p
}

// notify tells the host about an event.
var notify = isthmus.Import[func(event string, data map[string]any) error]("notify")

// Notify forwards to the host.
//
//isthmus:export
func Notify(event string) error { return notify(event, nil) }
