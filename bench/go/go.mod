module isthmus.dev/bench

go 1.24
