// Command stdin reads its standard input (a pipe) to the end, writes a summary to stdout
// and a line to stderr, and exits with status 3.
//
//wasitest:stdin the quick brown fox\njumps over\n\nthe lazy dog\nlast line without newline
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"
)

func main() {
	sc := bufio.NewScanner(os.Stdin)
	var lines []string
	words := 0
	for sc.Scan() {
		lines = append(lines, sc.Text())
		words += len(strings.Fields(sc.Text()))
	}
	if err := sc.Err(); err != nil {
		fmt.Println("scan error:", err)
	}
	fmt.Printf("%d lines, %d words\n", len(lines), words)
	for i := len(lines) - 1; i >= 0; i-- {
		fmt.Printf("%d: %q\n", i+1, lines[i])
	}
	n, err := os.Stdin.Read(make([]byte, 10))
	fmt.Println("read at the end:", n, err == io.EOF)
	fmt.Fprintln(os.Stderr, "a line for stderr")
	w := bufio.NewWriter(os.Stdout)
	for i := 0; i < 2000; i++ {
		fmt.Fprintf(w, "%d ", i*i)
	}
	w.WriteString("\n")
	w.Flush()
	os.Exit(3)
}
