// Command greeter is the isthmus example: ordinary Go functions marked with
// //isthmus:export, called from Python with Python values (see demo.py and docs/go.md).
//
//	isthmus build --export strings.Fields=Words --out greeter.wasm
//	python demo.py greeter.wasm
package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/isthmus-dev/isthmus/go/isthmus"
)

// Greet returns a greeting for name.
//
//isthmus:export
func Greet(name string) string { return "Hello, " + name + "!" }

// GreetAll greets each name, in order.
//
//isthmus:export
func GreetAll(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = Greet(n)
	}
	return out
}

var hellos = map[string]string{"en": "Hello", "fr": "Bonjour", "de": "Hallo", "ja": "こんにちは"}

// GreetIn greets name in a language given by its ISO 639-1 code, or fails for a
// language it does not know.
//
//isthmus:export
func GreetIn(lang, name string) (string, error) {
	hello, ok := hellos[lang]
	if !ok {
		return "", fmt.Errorf("no greeting for language %q", lang)
	}
	return hello + ", " + name + "!", nil
}

// Address is where someone lives.
type Address struct {
	City    string `json:"city"`
	Country string `json:"country"`
}

// Person is someone to introduce.
type Person struct {
	Name    string    `json:"name"`
	Born    time.Time `json:"born"`
	Langs   []string  `json:"langs"`
	Home    Address   `json:"home"`  // a nested struct
	Email   *string   `json:"email"` // nil when unknown (None in Python)
	private int       // unexported fields do not cross
}

// Card is what Introduce says about a person.
type Card struct {
	Text         string        `json:"text"`
	Age          int           `json:"age"`
	NextBirthday time.Time     `json:"next_birthday"`
	Until        time.Duration `json:"until"`
}

// Introduce writes a card for p as of now: age, next birthday and how long until it.
//
//isthmus:export
func Introduce(p Person, now time.Time) Card {
	next := time.Date(now.Year(), p.Born.Month(), p.Born.Day(), 0, 0, 0, 0, now.Location())
	if !next.After(now) {
		next = next.AddDate(1, 0, 0)
	}
	age := next.Year() - p.Born.Year() - 1
	text := fmt.Sprintf("%s (%d) from %s, %s, speaks %s", p.Name, age, p.Home.City, p.Home.Country,
		strings.Join(p.Langs, "/"))
	if p.Email != nil {
		text += " <" + *p.Email + ">"
	}
	return Card{Text: text, Age: age, NextBirthday: next, Until: next.Sub(now)}
}

// Speakers counts the speakers of each language.
//
//isthmus:export
func Speakers(people []Person) map[string]int {
	out := map[string]int{}
	for _, p := range people {
		for _, l := range p.Langs {
			out[l]++
		}
	}
	return out
}

// Remind returns n reminder times, every apart, starting at start.
//
//isthmus:export
func Remind(start time.Time, every time.Duration, n int) []time.Time {
	out := make([]time.Time, n)
	for i := range out {
		out[i] = start.Add(time.Duration(i) * every)
	}
	return out
}

// Pick returns names[i] in capitals. It panics (index out of range) when i is not a
// valid index: the panic reaches Python as isthmus.GoPanic and the instance stays usable.
//
//isthmus:export
func Pick(names []string, i int) string { return strings.ToUpper(names[i]) }

// Initials returns the initials of a name: "Grace Brewster Hopper" → "G.B.H.".
//
//isthmus:export
func Initials(name string) string {
	var b strings.Builder
	for _, w := range strings.Fields(name) {
		r := []rune(w)
		b.WriteString(strings.ToUpper(string(r[0])) + ".")
	}
	return b.String()
}

// nickname asks the host (Python) what a person likes to be called.
var nickname = isthmus.Import[func(name string) (string, error)]("nickname")

// GreetFriend greets name by the nickname the host knows for them.
//
//isthmus:export
func GreetFriend(name string) (string, error) {
	nick, err := nickname(name)
	if err != nil {
		return "", fmt.Errorf("greet %s: %w", name, err)
	}
	return Greet(nick), nil
}

func main() {}
