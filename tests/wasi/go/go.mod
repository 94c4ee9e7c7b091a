module isthmus.test/wasi

go 1.24
