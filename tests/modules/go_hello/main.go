// A Go command module: _start runs main and ends with proc_exit.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Println("hello from Go")
	os.Exit(7)
}
