//go:build wasip1

// A Go command module (plain build, exports _start) for the Python tests: prints its
// arguments and an environment variable, echoes stdin, and exits with the code it is given.
package main

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
)

func main() {
	fmt.Println("args:", os.Args[1:])
	fmt.Println("env:", os.Getenv("WHO"))
	if len(os.Args) > 1 && os.Args[1] == "echo" {
		sc := bufio.NewScanner(os.Stdin)
		for sc.Scan() {
			fmt.Println("got:", sc.Text())
		}
	}
	if len(os.Args) > 2 {
		code, _ := strconv.Atoi(os.Args[2])
		os.Exit(code)
	}
}
