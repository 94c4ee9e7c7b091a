// Command example is the isthmus SDK's example module: exported functions over strings,
// structs, slices, maps, errors, panics and host callbacks. tests/go/run.sh builds it
// with isthmus build and checks the result.
package main

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"example.com/isthmus-example/text"
	"github.com/isthmus-dev/isthmus/go/isthmus"
)

var _ = text.Title // the library's marked functions are exported because main imports it

// Add returns a + b.
//
//isthmus:export
func Add(a, b int32) int32 { return a + b }

// answer is exported under another name, and need not be capitalized in package main.
//
//isthmus:export Answer
func answer() int32 { return 42 }

// Greet returns a greeting.
//
//isthmus:export
func Greet(name string) string { return "Hello, " + name + "!" }

// Person is someone.
type Person struct {
	Name  string    `json:"name"`
	Age   int       `json:"age"`
	Email *string   `json:"email,omitempty"` // nil when unknown
	Tags  []string  `json:"tags"`
	Born  time.Time `json:"born"`
	note  string
}

// Describe says who p is.
//
//isthmus:export
func Describe(p Person) string {
	email := "no email"
	if p.Email != nil {
		email = *p.Email
	}
	return fmt.Sprintf("%s (%d, %s, born %s) [%s]", p.Name, p.Age, email, p.Born.Format("2006-01-02"),
		strings.Join(p.Tags, ","))
}

// Oldest returns the oldest person, or an error when there is nobody.
//
//isthmus:export
func Oldest(people []Person) (*Person, error) {
	if len(people) == 0 {
		return nil, errors.New("nobody is the oldest of no one")
	}
	best := &people[0]
	for i := range people {
		if people[i].Age > best.Age {
			best = &people[i]
		}
	}
	return best, nil
}

// WordCount counts the words of a text.
//
//isthmus:export
func WordCount(s string) map[string]int {
	m := map[string]int{}
	for _, w := range strings.Fields(s) {
		m[strings.ToLower(w)]++
	}
	return m
}

// SortedKeys returns the keys of m in order, and how many there are.
//
//isthmus:export
func SortedKeys(m map[string]int) (keys []string, n int) {
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys, len(keys)
}

// Sum adds its arguments.
//
//isthmus:export
func Sum(xs ...float64) float64 {
	total := 0.0
	for _, x := range xs {
		total += x
	}
	return total
}

// Divide divides a by b.
//
//isthmus:export
func Divide(a, b int64) (int64, error) {
	if b == 0 {
		return 0, fmt.Errorf("divide %d by zero: %w", a, errors.ErrUnsupported)
	}
	return a / b, nil
}

// Boom panics with msg.
//
//isthmus:export
func Boom(msg string) { panic(msg) }

// At indexes xs (and panics with a runtime error when i is out of range).
//
//isthmus:export
func At(xs []int, i int) int { return xs[i] }

// Echo returns its argument.
//
//isthmus:export
func Echo(v any) any { return v }

// Reverse reverses bytes.
//
//isthmus:export
func Reverse(b []byte) []byte {
	out := make([]byte, len(b))
	for i, c := range b {
		out[len(b)-1-i] = c
	}
	return out
}

// Node is a tree.
type Node struct {
	Value    int     `json:"value"`
	Children []*Node `json:"children"`
}

// Tree builds a tree of the given depth in which each node has two children.
//
//isthmus:export
func Tree(depth int) *Node {
	n := &Node{Value: depth}
	if depth > 0 {
		n.Children = []*Node{Tree(depth - 1), Tree(depth - 1)}
	}
	return n
}

// Later adds d to t.
//
//isthmus:export
func Later(t time.Time, d time.Duration) time.Time { return t.Add(d) }

// Matrix returns the n×n identity.
//
//isthmus:export
func Matrix(n int) [][]float32 {
	m := make([][]float32, n)
	for i := range m {
		m[i] = make([]float32, n)
		m[i][i] = 1
	}
	return m
}

// Digest returns a fixed-size checksum of b.
//
//isthmus:export
func Digest(b []byte) [4]byte {
	var d [4]byte
	for i, c := range b {
		d[i%4] ^= c
	}
	return d
}

// lookup asks the host for the value of a key.
var lookup = isthmus.Import[func(key string) (string, error)]("lookup")

// progress tells the host how far a count got.
var progress = isthmus.Import[func(done, total int)]("progress")

// Lookup asks the host for key and decorates the answer.
//
//isthmus:export
func Lookup(key string) (string, error) {
	v, err := lookup(key)
	if err != nil {
		return "", fmt.Errorf("lookup %q: %w", key, err)
	}
	return "<" + v + ">", nil
}

// CountTo calls the host's progress function n times.
//
//isthmus:export
func CountTo(n int) int {
	for i := 0; i < n; i++ {
		progress(i+1, n)
	}
	return n
}

func main() {}
