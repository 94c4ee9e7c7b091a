module isthmus.dev/bench/abi

go 1.24
