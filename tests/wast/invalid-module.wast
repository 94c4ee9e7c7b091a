;; Module-level validation: limits, memories, imports, exports, start, constant
;; expressions, element and data segments. Messages are the spec interpreter's (matched
;; as prefixes).

;; Imports of the valid modules below come from this one (the assert_invalid modules are
;; never instantiated, so they import whatever they like).
(module $M
  (global (export "g") i32 (i32.const 7))
  (global (export "gi") i32 (i32.const 1))
  (global (export "gf") f64 (f64.const 2))
  (global (export "gr") externref (ref.null extern))
  (global (export "gfr") funcref (ref.null func))
  (memory (export "mem") 1)
  (table (export "t") 0 funcref)
  (func (export "f") (param i32))
  (func (export "s"))
)
(register "m" $M)

;; ---- limits

(module (memory 0))
(module (memory 1 1))
(module (memory 0 65536))
(module (memory 65536))
(module (table 0 funcref))
(module (table 10 20 externref))

(assert_invalid (module (memory 2 1)) "size minimum must not be greater than maximum")
(assert_invalid (module (memory 65537)) "memory size must be at most 65536 pages (4GiB)")
(assert_invalid (module (memory 0 65537)) "memory size must be at most 65536 pages (4GiB)")
(assert_invalid (module (memory 0xffffffff)) "memory size must be at most 65536 pages (4GiB)")
(assert_invalid (module (memory 1 0)) "size minimum must not be greater than maximum")
(assert_invalid (module (table 2 1 funcref)) "size minimum must not be greater than maximum")
(assert_invalid (module (table 10 0 externref)) "size minimum must not be greater than maximum")
(assert_invalid (module (import "m" "mem" (memory 65537))) "memory size must be at most 65536 pages (4GiB)")
(assert_invalid (module (import "m" "mem" (memory 3 2))) "size minimum must not be greater than maximum")
(assert_invalid (module (import "m" "tab" (table 3 2 funcref))) "size minimum must not be greater than maximum")

;; ---- at most one memory

(module (import "m" "mem" (memory 1)))
(assert_invalid (module (memory 0) (memory 0)) "multiple memories")
(assert_invalid (module (import "m" "mem" (memory 1)) (memory 0)) "multiple memories")
(assert_invalid (module (import "m" "a" (memory 1)) (import "m" "b" (memory 1))) "multiple memories")

;; several tables are fine in 2.0
(module (import "m" "t" (table 0 funcref)) (table 1 funcref) (table 2 externref))

;; ---- exports

(module
  (func $f) (global $g i32 (i32.const 0)) (table $t 1 funcref) (memory $m 1)
  (export "f" (func $f)) (export "g" (global $g)) (export "t" (table $t)) (export "m" (memory $m))
  (export "" (func $f)) (export "f2" (func $f))
)
(assert_invalid (module (func) (export "a" (func 0)) (export "a" (func 0))) "duplicate export name")
(assert_invalid
  (module (func) (global i32 (i32.const 0)) (export "a" (func 0)) (export "a" (global 0)))
  "duplicate export name")
(assert_invalid
  (module (table 0 funcref) (memory 0) (export "x" (table 0)) (export "y" (memory 0)) (export "x" (memory 0)))
  "duplicate export name")
(assert_invalid (module (export "a" (func 0))) "unknown function")
(assert_invalid (module (func) (export "a" (func 1))) "unknown function")
(assert_invalid (module (export "a" (global 0))) "unknown global")
(assert_invalid (module (export "a" (table 0))) "unknown table")
(assert_invalid (module (export "a" (memory 0))) "unknown memory")
(assert_invalid (module (memory 1) (export "a" (memory 1))) "unknown memory")

;; ---- imports

(module (type (func (param i32))) (import "m" "f" (func (type 0))))
(assert_invalid (module (import "m" "f" (func (type 1)))) "unknown type")
(assert_invalid (module (type (func)) (import "m" "f" (func (type 1)))) "unknown type")
(assert_invalid (module (type (func)) (func (type 1))) "unknown type")

;; ---- start function

(module (func $s) (start $s))
(module (import "m" "s" (func $s)) (start $s))
(assert_invalid (module (func (param i32)) (start 0)) "start function")
(assert_invalid (module (func (result i32) (i32.const 0)) (start 0)) "start function")
(assert_invalid (module (import "m" "s" (func (param i64))) (start 0)) "start function")
(assert_invalid (module (func) (start 1)) "unknown function")

;; ---- constant expressions: globals

(module
  (import "m" "gi" (global $gi i32))
  (import "m" "gf" (global $gf f64))
  (import "m" "gr" (global $gr externref))
  (func $f)
  (global i32 (i32.const -1))
  (global i64 (i64.const 0x7fff_ffff_ffff_ffff))
  (global f32 (f32.const nan))
  (global f64 (f64.const -0.0))
  (global (mut i32) (global.get $gi))
  (global f64 (global.get $gf))
  (global externref (global.get $gr))
  (global externref (ref.null extern))
  (global funcref (ref.null func))
  (global funcref (ref.func $f))
)

(assert_invalid (module (global i32 (i64.const 0))) "type mismatch")
(assert_invalid (module (global f32 (f64.const 0))) "type mismatch")
(assert_invalid (module (global i32 (ref.null func))) "type mismatch")
(assert_invalid (module (global externref (ref.null func))) "type mismatch")
(assert_invalid (module (func) (global externref (ref.func 0))) "type mismatch")
(assert_invalid (module (global i32)) "type mismatch")
(assert_invalid (module (global i32 (i32.const 0) (i32.const 0))) "type mismatch")
(assert_invalid (module (global i32 (i32.const 1) (i32.const 2) (i32.add))) "constant expression required")
(assert_invalid (module (global i32 (nop) (i32.const 1))) "constant expression required")
(assert_invalid (module (global i32 (i32.const 1) (drop) (i32.const 1))) "constant expression required")
(assert_invalid (module (global i64 (i64.extend_i32_s (i32.const 1)))) "constant expression required")
(assert_invalid (module (global i32 (block (result i32) (i32.const 0)))) "constant expression required")
(assert_invalid (module (global funcref (ref.func 1))) "unknown function")
;; only imported globals may be read, and only immutable ones
(assert_invalid (module (global i32 (i32.const 0)) (global i32 (global.get 0))) "unknown global")
(assert_invalid (module (global i32 (global.get 1)) (global i32 (i32.const 0))) "unknown global")
(assert_invalid (module (global i32 (global.get 0))) "unknown global")
(assert_invalid
  (module (import "m" "g" (global (mut i32))) (global i32 (global.get 0)))
  "constant expression required")
(assert_invalid
  (module (import "m" "g" (global i64)) (global i32 (global.get 0)))
  "type mismatch")

;; ---- element segments

(module
  (import "m" "g" (global $g i32))
  (import "m" "gfr" (global $gf funcref))
  (table $t 10 funcref)
  (table $e 10 externref)
  (func $f) (func $h)
  (elem (table $t) (i32.const 0) func $f $h)
  (elem (table $t) (global.get $g) funcref (ref.func $f) (ref.null func))
  (elem (table $e) (i32.const 1) externref (ref.null extern))
  (elem func $f)
  (elem funcref (ref.null func) (ref.func $h))
  (elem externref (ref.null extern))
  (elem declare func $h)
)

(assert_invalid (module (func) (elem (i32.const 0) func 0)) "unknown table")
(assert_invalid (module (table 1 funcref) (func) (elem (table 1) (i32.const 0) func 0)) "unknown table")
(assert_invalid (module (table 1 funcref) (elem (i32.const 0) func 0)) "unknown function")
(assert_invalid (module (table 1 funcref) (elem funcref (ref.func 3))) "unknown function")
(assert_invalid (module (table 1 externref) (func) (elem (i32.const 0) func 0)) "type mismatch")
(assert_invalid
  (module (table 1 funcref) (elem (table 0) (i32.const 0) externref (ref.null extern)))
  "type mismatch")
(assert_invalid (module (table 1 funcref) (func) (elem (i64.const 0) func 0)) "type mismatch")
(assert_invalid (module (table 1 funcref) (func) (elem (offset (i32.const 0) (i32.const 0)) func 0)) "type mismatch")
(assert_invalid (module (table 1 funcref) (func) (elem (offset (nop)) func 0)) "constant expression required")
(assert_invalid
  (module (table 1 funcref) (func) (elem (offset (i32.const 0) (i32.const 0) (i32.add)) func 0))
  "constant expression required")
(assert_invalid (module (elem funcref (ref.null extern))) "type mismatch")
(assert_invalid (module (elem externref (ref.null func))) "type mismatch")
(assert_invalid (module (func) (elem externref (ref.func 0))) "type mismatch")
(assert_invalid (module (elem funcref (i32.const 0))) "type mismatch")
(assert_invalid (module (global funcref (ref.null func)) (elem funcref (global.get 0))) "unknown global")
(assert_invalid
  (module (import "m" "g" (global (mut funcref))) (elem funcref (global.get 0)))
  "constant expression required")
(assert_invalid
  (module (table 1 funcref) (global i32 (i32.const 0)) (func) (elem (global.get 0) func 0))
  "unknown global")
(assert_invalid
  (module (import "m" "g" (global (mut i32))) (table 1 funcref) (func) (elem (global.get 0) func 0))
  "constant expression required")

;; ---- data segments

(module
  (import "m" "g" (global $g i32))
  (memory 1)
  (data (i32.const 0) "abc")
  (data (global.get $g) "")
  (data "passive")
)
(module (import "m" "mem" (memory 1)) (data (i32.const 8) "x"))

(assert_invalid (module (data (i32.const 0) "")) "unknown memory")
(assert_invalid
  (module binary
    "\00asm" "\01\00\00\00"
    "\05\03\01\00\00"        ;; memory section: one memory
    "\0b\07\01"                ;; data section: one segment
    "\02\01\41\00\0b\00"    ;; active, memory 1, (i32.const 0), no bytes
  )
  "unknown memory 1")
(assert_invalid (module (memory 1) (data (i64.const 0) "")) "type mismatch")
(assert_invalid (module (memory 1) (data (offset (i32.const 0) (i32.const 0)) "")) "type mismatch")
(assert_invalid (module (memory 1) (data (offset) "")) "type mismatch")
(assert_invalid (module (memory 1) (data (ref.null func) "")) "type mismatch")
(assert_invalid (module (memory 1) (data (offset (i32.const 1) (i32.const 1) (i32.mul)) "")) "constant expression required")
(assert_invalid (module (memory 1) (data (offset (memory.size)) "")) "constant expression required")
(assert_invalid (module (memory 1) (global i32 (i32.const 0)) (data (global.get 0) "")) "unknown global")
(assert_invalid
  (module (import "m" "g" (global (mut i32))) (memory 1) (data (global.get 0) ""))
  "constant expression required")
