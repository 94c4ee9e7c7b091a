package main

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/isthmus-dev/isthmus/go/isthmus"
)

// The exported functions are ordinary Go: they are tested natively, without a host.

func TestGreetIn(t *testing.T) {
	if got, err := GreetIn("fr", "Ada"); err != nil || got != "Bonjour, Ada!" {
		t.Fatalf(`GreetIn("fr", "Ada") = %q, %v`, got, err)
	}
	if _, err := GreetIn("xx", "Ada"); err == nil || !strings.Contains(err.Error(), `"xx"`) {
		t.Fatalf(`GreetIn("xx", "Ada") error = %v`, err)
	}
}

func TestIntroduce(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	p := Person{Name: "Ada", Born: time.Date(1815, 12, 10, 0, 0, 0, 0, time.UTC), Home: Address{"London", "UK"}}
	c := Introduce(p, now)
	if c.Age != 210 || c.Until != 13*24*time.Hour+12*time.Hour || !c.NextBirthday.Equal(now.Add(c.Until)) {
		t.Fatalf("Introduce = %+v", c)
	}
	// On the birthday itself the next one is a year away.
	c = Introduce(p, time.Date(2026, 12, 10, 0, 0, 0, 0, time.UTC))
	if c.Age != 211 || c.NextBirthday.Year() != 2027 {
		t.Fatalf("Introduce on the birthday = %+v", c)
	}
}

func TestInitials(t *testing.T) {
	for in, want := range map[string]string{"Grace Brewster Hopper": "G.B.H.", " émile  zola ": "É.Z.", "": ""} {
		if got := Initials(in); got != want {
			t.Errorf("Initials(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPickPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("Pick out of range did not panic")
		}
	}()
	Pick([]string{"a"}, 1)
}

// Natively there is no host: the imported function fails with a *isthmus.HostError.
func TestGreetFriendWithoutHost(t *testing.T) {
	_, err := GreetFriend("Grace Hopper")
	var he *isthmus.HostError
	if !errors.As(err, &he) || he.Type != "isthmus.Unavailable" || he.Function != "nickname" {
		t.Fatalf("GreetFriend natively: %v", err)
	}
}
