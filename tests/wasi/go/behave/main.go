// Command behave sleeps, reads the clock, writes files in its working directory, lists a
// directory, reads its arguments and environment, and exits with the code given as its
// first argument. tests/wasi/run.sh builds it for wasip1 and for the host and requires the
// same output, exit status and resulting files from both.
//
//wasitest:args 7 alpha "two words" ""
//wasitest:env GREETING=hello there
//wasitest:env EMPTY=
//wasitest:env T_B=2
//wasitest:env T_A=1
package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

func main() {
	// Arguments and environment.
	fmt.Printf("args: %q\n", os.Args[1:])
	for _, k := range []string{"GREETING", "EMPTY", "MISSING"} {
		v, ok := os.LookupEnv(k)
		fmt.Printf("env %s=%q set=%v\n", k, v, ok)
	}
	var ts []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "T_") {
			ts = append(ts, kv)
		}
	}
	sort.Strings(ts)
	fmt.Println("T_ variables:", ts)

	// The clock and sleeping.
	start := time.Now()
	fmt.Println("year is plausible:", start.Year() >= 2024 && start.Year() < 2100)
	fmt.Println("unix seconds agree:", start.Unix() == start.UnixNano()/1e9)
	time.Sleep(50 * time.Millisecond)
	slept := time.Since(start)
	fmt.Println("slept at least 50ms:", slept >= 50*time.Millisecond, "and under 5s:", slept < 5*time.Second)
	mono := time.Now()
	fmt.Println("monotonic clock moves forward:", mono.After(start) && mono.Sub(start) >= slept)

	// Goroutines that sleep different times finish in order of their sleeps.
	done := make(chan int, 3)
	for i := 1; i <= 3; i++ {
		go func(i int) {
			time.Sleep(time.Duration(4-i) * 20 * time.Millisecond)
			done <- i
		}(i)
	}
	order := []int{<-done, <-done, <-done}
	fmt.Println("wake-up order:", order)
	select {
	case <-time.After(30 * time.Millisecond):
		fmt.Println("time.After fired")
	case <-make(chan struct{}):
		fmt.Println("impossible")
	}

	// Files.
	check(os.MkdirAll(filepath.Join("out", "sub", "deeper"), 0o755))
	check(os.WriteFile(filepath.Join("out", "a.txt"), []byte("hello\n"), 0o644))
	f, err := os.OpenFile(filepath.Join("out", "a.txt"), os.O_APPEND|os.O_WRONLY, 0)
	check(err)
	fmt.Fprintf(f, "appended at step %d\n", 2)
	check(f.Close())
	data, err := os.ReadFile(filepath.Join("out", "a.txt"))
	check(err)
	fmt.Printf("a.txt: %q\n", data)
	for i := 0; i < 25; i++ {
		name := filepath.Join("out", "sub", fmt.Sprintf("n%02d.dat", i))
		check(os.WriteFile(name, []byte(strings.Repeat("x", i*100)), 0o644))
	}
	check(os.Rename(filepath.Join("out", "sub", "n00.dat"), filepath.Join("out", "renamed.dat")))
	check(os.Remove(filepath.Join("out", "sub", "n01.dat")))

	// Listing a directory, and walking the tree.
	entries, err := os.ReadDir("out")
	check(err)
	for _, e := range entries {
		info, err := e.Info()
		check(err)
		size := info.Size()
		if e.IsDir() {
			size = 0
		}
		fmt.Printf("  %-12s dir=%v size=%d\n", e.Name(), e.IsDir(), size)
	}
	var total int64
	count := 0
	check(filepath.WalkDir("out", func(path string, d fs.DirEntry, err error) error {
		check(err)
		if !d.IsDir() {
			info, err := d.Info()
			check(err)
			total += info.Size()
			count++
		}
		return nil
	}))
	fmt.Printf("walk: %d files, %d bytes\n", count, total)

	_, err = os.Stat("missing.txt")
	fmt.Println("stat missing.txt is ErrNotExist:", os.IsNotExist(err))

	code, _ := strconv.Atoi(os.Args[1])
	fmt.Println("exiting with", code)
	os.Exit(code)
}

func check(err error) {
	if err != nil {
		fmt.Println("unexpected error:", err)
		os.Exit(100)
	}
}
