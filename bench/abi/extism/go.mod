module isthmus.dev/bench/abi/extism

go 1.24

require (
	github.com/extism/go-pdk v1.1.3
	isthmus.dev/bench/abi v0.0.0
)

replace isthmus.dev/bench/abi => ../
