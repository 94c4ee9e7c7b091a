;; The oldest scenario people tried with Python and WebAssembly: a `sum` of two integers.
;; (The Go version of this example arrives with the WASI issue; this one needs no imports.)
(module
  (func (export "sum") (param $x i32) (param $y i32) (result i32)
    local.get $x
    local.get $y
    i32.add))
