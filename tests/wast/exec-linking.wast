;; Linking between modules: exports and imports of every kind (functions, memories, tables,
;; globals, mutable globals), shared state seen from both sides, functions of one instance called
;; through another instance's table (they keep their own globals and memory), re-exports, the
;; spectest host module, link errors ("unknown import", "incompatible import type"), and
;; instantiation: element segments are written in order, then data segments in order, then the
;; start function runs; a segment that is out of bounds traps the instantiation ("out of bounds
;; table access" / "out of bounds memory access") and what earlier segments wrote into imported
;; tables and memories stays written.

(module $A
  (memory (export "mem") 1 4)
  (table (export "tab") 4 10 funcref)
  (global (export "g-const") i32 (i32.const 42))
  (global $g-mut (export "g-mut") (mut i32) (i32.const 1))
  (global $g64 (export "g64") (mut i64) (i64.const -1))
  (global (export "gf32") f32 (f32.const -0.5))
  (global $gf64 (export "gf64") (mut f64) (f64.const 6.25))
  (global $own (mut i32) (i32.const 100))
  (type $v2i (func (result i32)))
  (func $own-global (export "own-global") (type $v2i) (global.get $own))
  (func $seven (export "seven") (type $v2i) (i32.const 7))
  (elem (i32.const 0) $own-global $seven)
  (func (export "load") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "load8") (param i32) (result i32) (i32.load8_u (local.get 0)))
  (func (export "store") (param i32 i32) (i32.store (local.get 0) (local.get 1)))
  (func (export "size") (result i32) (memory.size))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "call") (param i32) (result i32) (call_indirect (type $v2i) (local.get 0)))
  (func (export "tab-size") (result i32) (table.size 0))
  (func (export "tab-isnull") (param i32) (result i32) (ref.is_null (table.get 0 (local.get 0))))
  (func (export "get-mut") (result i32) (global.get $g-mut))
  (func (export "set-mut") (param i32) (global.set $g-mut (local.get 0)))
  (func (export "get64") (result i64) (global.get $g64))
  (func (export "getf64") (result f64) (global.get $gf64))
  (func (export "set-own") (param i32) (global.set $own (local.get 0)))
)
(register "A" $A)
(register "A-again" $A)

(module $B
  (import "A" "mem" (memory 1))
  (import "A" "tab" (table 4 funcref))
  (import "A" "g-const" (global $gc i32))
  (import "A" "g-mut" (global $gm (mut i32)))
  (import "A" "g64" (global $g64 (mut i64)))
  (import "A" "gf32" (global $gf32 f32))
  (import "A" "gf64" (global $gf64 (mut f64)))
  (import "A" "seven" (func $seven (result i32)))
  (import "A-again" "seven" (func $seven-again (result i32)))
  (import "A" "own-global" (func $a-own (result i32)))
  (type $v2i (func (result i32)))
  (global $own (mut i32) (i32.const 200))
  (func $b-own (type $v2i) (global.get $own))
  (func $b-mem (type $v2i) (i32.load (i32.const 0)))
  (func $b-seven-plus (type $v2i) (i32.add (call $seven) (i32.const 1)))
  (elem declare func $b-own $b-mem $b-seven-plus)
  (export "seven-reexport" (func $seven))
  (export "tab-reexport" (table 0))
  (export "mem-reexport" (memory 0))
  (export "gm-reexport" (global $gm))
  (func (export "call-seven") (result i32) (i32.add (call $seven) (call $seven-again)))
  (func (export "a-own") (result i32) (call $a-own))
  (func (export "gc") (result i32) (global.get $gc))
  (func (export "gf32") (result f32) (global.get $gf32))
  (func (export "get-gm") (result i32) (global.get $gm))
  (func (export "set-gm") (param i32) (global.set $gm (local.get 0)))
  (func (export "set-g64") (param i64) (global.set $g64 (local.get 0)))
  (func (export "set-gf64") (param f64) (global.set $gf64 (local.get 0)))
  (func (export "store") (param i32 i32) (i32.store (local.get 0) (local.get 1)))
  (func (export "load") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "size") (result i32) (memory.size))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "install") (param $i i32) (param $which i32)
    ;; puts one of B's functions into A's table
    (table.set 0 (local.get $i)
      (if (result funcref) (i32.eqz (local.get $which)) (then (ref.func $b-own))
        (else (if (result funcref) (i32.eq (local.get $which) (i32.const 1)) (then (ref.func $b-mem))
          (else (ref.func $b-seven-plus)))))))
  (func (export "call") (param i32) (result i32) (call_indirect (type $v2i) (local.get 0)))
  (func (export "tab-grow") (param i32) (result i32) (table.grow 0 (ref.null func) (local.get 0)))
  (func (export "set-own") (param i32) (global.set $own (local.get 0)))
)
(register "B" $B)

;; functions
(assert_return (invoke $B "call-seven") (i32.const 14))
(assert_return (invoke $B "seven-reexport") (i32.const 7))
(assert_return (invoke $B "a-own") (i32.const 100))
;; globals: constant, and mutable ones shared in both directions
(assert_return (invoke $B "gc") (i32.const 42))
(assert_return (invoke $B "gf32") (f32.const -0.5))
(assert_return (get $A "g-const") (i32.const 42))
(assert_return (get $A "g-mut") (i32.const 1))
(assert_return (invoke $B "get-gm") (i32.const 1))
(assert_return (invoke $B "set-gm" (i32.const 55)))
(assert_return (invoke $A "get-mut") (i32.const 55))
(assert_return (get $A "g-mut") (i32.const 55))
(assert_return (get $B "gm-reexport") (i32.const 55))
(assert_return (invoke $A "set-mut" (i32.const -9)))
(assert_return (invoke $B "get-gm") (i32.const -9))
(assert_return (get $B "gm-reexport") (i32.const -9))
(assert_return (invoke $B "set-g64" (i64.const 0x123456789abcdef0)))
(assert_return (invoke $A "get64") (i64.const 0x123456789abcdef0))
(assert_return (get $A "g64") (i64.const 0x123456789abcdef0))
(assert_return (invoke $B "set-gf64" (f64.const -nan:0x1234)))
(assert_return (invoke $A "getf64") (f64.const -nan:0x1234))
(assert_return (invoke $B "set-gf64" (f64.const -0)))
(assert_return (invoke $A "getf64") (f64.const -0))
;; memory: shared, growth seen from both sides
(assert_return (invoke $B "store" (i32.const 0) (i32.const 0x01020304)))
(assert_return (invoke $A "load" (i32.const 0)) (i32.const 0x01020304))
(assert_return (invoke $A "load8" (i32.const 0)) (i32.const 4))
(assert_return (invoke $A "store" (i32.const 65532) (i32.const 77)))
(assert_return (invoke $B "load" (i32.const 65532)) (i32.const 77))
(assert_return (invoke $A "load" (i32.const 0)) (i32.const 0x01020304))
(assert_trap (invoke $B "load" (i32.const 65536)) "out of bounds memory access")
(assert_return (invoke $A "grow" (i32.const 1)) (i32.const 1))
(assert_return (invoke $B "size") (i32.const 2))
(assert_return (invoke $B "store" (i32.const 65536) (i32.const 88)))
(assert_return (invoke $A "load" (i32.const 65536)) (i32.const 88))
(assert_return (invoke $B "grow" (i32.const 2)) (i32.const 2))
(assert_return (invoke $A "size") (i32.const 4))
(assert_return (invoke $A "grow" (i32.const 1)) (i32.const -1))
(assert_return (invoke $B "grow" (i32.const 1)) (i32.const -1))
(assert_return (invoke $A "load" (i32.const 262140)) (i32.const 0))
;; tables: B writes its functions into A's table; called through A they still use B's globals
(assert_return (invoke $A "call" (i32.const 0)) (i32.const 100))
(assert_return (invoke $B "call" (i32.const 0)) (i32.const 100))
(assert_return (invoke $B "call" (i32.const 1)) (i32.const 7))
(assert_trap (invoke $A "call" (i32.const 2)) "uninitialized element")
(assert_return (invoke $B "install" (i32.const 2) (i32.const 0)))
(assert_return (invoke $B "install" (i32.const 3) (i32.const 1)))
(assert_return (invoke $A "call" (i32.const 2)) (i32.const 200))
(assert_return (invoke $A "call" (i32.const 3)) (i32.const 0x01020304))
(assert_return (invoke $B "set-own" (i32.const 201)))
(assert_return (invoke $A "set-own" (i32.const 101)))
(assert_return (invoke $A "call" (i32.const 2)) (i32.const 201))
(assert_return (invoke $A "call" (i32.const 0)) (i32.const 101))
(assert_return (invoke $B "call" (i32.const 0)) (i32.const 101))
(assert_return (invoke $B "call" (i32.const 2)) (i32.const 201))
(assert_return (invoke $A "tab-isnull" (i32.const 3)) (i32.const 0))
(assert_trap (invoke $A "call" (i32.const 4)) "undefined element")
(assert_return (invoke $B "tab-grow" (i32.const 2)) (i32.const 4))
(assert_return (invoke $A "tab-size") (i32.const 6))
(assert_trap (invoke $A "call" (i32.const 5)) "uninitialized element")
(assert_return (invoke $B "install" (i32.const 5) (i32.const 2)))
(assert_return (invoke $A "call" (i32.const 5)) (i32.const 8))
(assert_return (invoke $B "tab-grow" (i32.const 5)) (i32.const -1))
(assert_return (invoke $B "tab-grow" (i32.const 4)) (i32.const 6))
(assert_return (invoke $A "tab-size") (i32.const 10))

;; a third module sees the same objects through B's re-exports
(module $C
  (import "B" "tab-reexport" (table 10 funcref))
  (import "B" "mem-reexport" (memory 4 4))
  (import "B" "gm-reexport" (global $gm (mut i32)))
  (import "B" "seven-reexport" (func $seven (result i32)))
  (type $v2i (func (result i32)))
  (func (export "call") (param i32) (result i32) (call_indirect (type $v2i) (local.get 0)))
  (func (export "load") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "gm") (result i32) (global.get $gm))
  (func (export "seven") (result i32) (call $seven))
)
(assert_return (invoke $C "call" (i32.const 2)) (i32.const 201))
(assert_return (invoke $C "call" (i32.const 5)) (i32.const 8))
(assert_return (invoke $C "load" (i32.const 65536)) (i32.const 88))
(assert_return (invoke $C "gm") (i32.const -9))
(assert_return (invoke $C "seven") (i32.const 7))

;; link errors
(assert_unlinkable
  (module (import "A" "nope" (func)))
  "unknown import")
(assert_unlinkable
  (module (import "nowhere" "seven" (func (result i32))))
  "unknown import")
(assert_unlinkable
  (module (import "A" "seven" (func (result i64))))
  "incompatible import type")
(assert_unlinkable
  (module (import "A" "seven" (func (param i32) (result i32))))
  "incompatible import type")
(assert_unlinkable
  (module (import "A" "seven" (global i32)))
  "incompatible import type")
(assert_unlinkable
  (module (import "A" "g-const" (global (mut i32))))
  "incompatible import type")
(assert_unlinkable
  (module (import "A" "g-mut" (global i32)))
  "incompatible import type")
(assert_unlinkable
  (module (import "A" "g-mut" (global (mut i64))))
  "incompatible import type")
(assert_unlinkable
  (module (import "A" "gf32" (global f64)))
  "incompatible import type")
(assert_unlinkable
  (module (import "A" "mem" (memory 5)))
  "incompatible import type")
(assert_unlinkable
  (module (import "A" "mem" (memory 1 3)))
  "incompatible import type")
(assert_unlinkable
  (module (import "A" "mem" (table 1 funcref)))
  "incompatible import type")
(assert_unlinkable
  (module (import "A" "tab" (table 11 funcref)))
  "incompatible import type")
(assert_unlinkable
  (module (import "A" "tab" (table 1 5 funcref)))
  "incompatible import type")
(assert_unlinkable
  (module (import "A" "tab" (table 1 externref)))
  "incompatible import type")
(assert_unlinkable
  (module (import "A" "tab" (memory 1)))
  "incompatible import type")
;; compatible limits: a smaller minimum and a larger maximum are fine
(module
  (import "A" "mem" (memory 2 8))
  (import "A" "tab" (table 0 funcref))
  (import "A" "g-mut" (global (mut i32)))
)

;; instantiation order: elements, then data, then start
(module $D
  (memory (export "mem") 1)
  (table (export "tab") 4 funcref)
  (global (export "log") (mut i32) (i32.const 0))
  (func (export "load8") (param i32) (result i32) (i32.load8_u (local.get 0)))
  (func (export "isnull") (param i32) (result i32) (ref.is_null (table.get 0 (local.get 0))))
)
(register "D" $D)

(module $E
  (import "D" "mem" (memory 1))
  (import "D" "tab" (table 4 funcref))
  (import "D" "log" (global $log (mut i32)))
  (func $f (result i32) (i32.const 1))
  (elem (i32.const 0) $f)
  (elem (i32.const 3) $f)
  (data (i32.const 10) "\01\02")
  (data (i32.const 11) "\03")        ;; the later segment overwrites byte 11
  (func $start
    ;; the start function sees the segments already written
    (global.set $log (i32.add (i32.load8_u (i32.const 10)) (i32.mul (i32.load8_u (i32.const 11)) (i32.const 10)))))
  (start $start)
)
(assert_return (get $D "log") (i32.const 31))
(assert_return (invoke $D "load8" (i32.const 10)) (i32.const 1))
(assert_return (invoke $D "load8" (i32.const 11)) (i32.const 3))
(assert_return (invoke $D "isnull" (i32.const 0)) (i32.const 0))
(assert_return (invoke $D "isnull" (i32.const 1)) (i32.const 1))
(assert_return (invoke $D "isnull" (i32.const 3)) (i32.const 0))

;; a data segment out of bounds: earlier data and all element segments stay, start does not run
(assert_trap
  (module
    (import "D" "mem" (memory 1))
    (import "D" "tab" (table 4 funcref))
    (import "D" "log" (global $log (mut i32)))
    (func $f)
    (elem (i32.const 1) $f)
    (data (i32.const 20) "\aa")
    (data (i32.const 65535) "\bb\cc")
    (data (i32.const 21) "\dd")
    (func $start (global.set $log (i32.const -1)))
    (start $start))
  "out of bounds memory access")
(assert_return (invoke $D "load8" (i32.const 20)) (i32.const 0xaa))
(assert_return (invoke $D "load8" (i32.const 21)) (i32.const 0))
(assert_return (invoke $D "load8" (i32.const 65535)) (i32.const 0))
(assert_return (invoke $D "isnull" (i32.const 1)) (i32.const 0))
(assert_return (get $D "log") (i32.const 31))

;; an element segment out of bounds: earlier elements stay, no data is written, start does not run
(assert_trap
  (module
    (import "D" "mem" (memory 1))
    (import "D" "tab" (table 4 funcref))
    (import "D" "log" (global $log (mut i32)))
    (func $f)
    (elem (i32.const 2) $f)
    (elem (i32.const 3) $f $f)
    (elem (i32.const 0) $f)
    (data (i32.const 30) "\ee")
    (func $start (global.set $log (i32.const -2)))
    (start $start))
  "out of bounds table access")
(assert_return (invoke $D "isnull" (i32.const 2)) (i32.const 0))
(assert_return (invoke $D "isnull" (i32.const 3)) (i32.const 0))
(assert_return (invoke $D "load8" (i32.const 30)) (i32.const 0))
(assert_return (get $D "log") (i32.const 31))

;; empty segments at the very end are in bounds; one past the end is not
(module
  (import "D" "mem" (memory 1))
  (import "D" "tab" (table 4 funcref))
  (data (i32.const 65536) "")
  (elem (i32.const 4) func)
)
(assert_trap
  (module (import "D" "mem" (memory 1)) (data (i32.const 65537) ""))
  "out of bounds memory access")
(assert_trap
  (module (import "D" "tab" (table 4 funcref)) (elem (i32.const 5) func))
  "out of bounds table access")
(assert_trap
  (module (memory 0) (data (i32.const 0) "x"))
  "out of bounds memory access")
(assert_trap
  (module (memory 1) (data (i32.const -1) "x"))
  "out of bounds memory access")
(assert_trap
  (module (table 0 funcref) (func $f) (elem (i32.const 0) $f))
  "out of bounds table access")

;; segment offsets from imported globals
(module $F
  (global (export "off") i32 (i32.const 40))
  (global (export "toff") i32 (i32.const 2))
)
(register "F" $F)
(module
  (import "F" "off" (global $off i32))
  (import "F" "toff" (global $toff i32))
  (import "D" "mem" (memory 1))
  (import "D" "tab" (table 4 funcref))
  (func $g)
  (data (global.get $off) "\41\42")
  (elem (global.get $toff) $g)
)
(assert_return (invoke $D "load8" (i32.const 40)) (i32.const 0x41))
(assert_return (invoke $D "load8" (i32.const 41)) (i32.const 0x42))

;; a trapping start function: segments stay written
(assert_trap
  (module
    (import "D" "mem" (memory 1))
    (import "D" "log" (global $log (mut i32)))
    (data (i32.const 50) "\77")
    (func $start (global.set $log (i32.const 5)) (unreachable))
    (start $start))
  "unreachable")
(assert_return (invoke $D "load8" (i32.const 50)) (i32.const 0x77))
(assert_return (get $D "log") (i32.const 5))

;; a start function that calls an import
(module $G
  (global (export "n") (mut i32) (i32.const 0))
  (func (export "bump") (global.set 0 (i32.add (global.get 0) (i32.const 1))))
)
(register "G" $G)
(module
  (import "G" "bump" (func $bump))
  (func $start (call $bump) (call $bump))
  (start $start)
)
(assert_return (get $G "n") (i32.const 2))
(module
  (import "G" "bump" (func $bump))
  (start $bump)
)
(assert_return (get $G "n") (i32.const 3))

;; the spectest host module
(module
  (import "spectest" "global_i32" (global $gi32 i32))
  (import "spectest" "global_i64" (global $gi64 i64))
  (import "spectest" "global_f32" (global $gf32 f32))
  (import "spectest" "global_f64" (global $gf64 f64))
  (import "spectest" "table" (table $t 10 funcref))
  (import "spectest" "memory" (memory 1 2))
  (import "spectest" "print_i32" (func $print_i32 (param i32)))
  (import "spectest" "print_i64" (func $print_i64 (param i64)))
  (import "spectest" "print_f32" (func $print_f32 (param f32)))
  (import "spectest" "print_f64" (func $print_f64 (param f64)))
  (import "spectest" "print_i32_f32" (func $print_i32_f32 (param i32 f32)))
  (import "spectest" "print_f64_f64" (func $print_f64_f64 (param f64 f64)))
  (import "spectest" "print" (func $print))
  (type $i2v (func (param i32)))
  (elem (table $t) (i32.const 9) func $print_i32)
  (func (export "gi32") (result i32) (global.get $gi32))
  (func (export "gi64") (result i64) (global.get $gi64))
  (func (export "gf32") (result f32) (global.get $gf32))
  (func (export "gf64") (result f64) (global.get $gf64))
  (func (export "prints")
    (call $print_i32 (i32.const 1)) (call $print_i64 (i64.const 2)) (call $print_f32 (f32.const 3))
    (call $print_f64 (f64.const 4)) (call $print_i32_f32 (i32.const 5) (f32.const 6))
    (call $print_f64_f64 (f64.const 7) (f64.const 8)) (call $print)
    (call_indirect $t (type $i2v) (i32.const 9) (i32.const 9)))
  (func (export "mem-size") (result i32) (memory.size))
  (func (export "mem-grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "tab-size") (result i32) (table.size $t))
)
(assert_return (invoke "gi32") (i32.const 666))
(assert_return (invoke "gi64") (i64.const 666))
(assert_return (invoke "gf32") (f32.const 666.6))
(assert_return (invoke "gf64") (f64.const 666.6))
(assert_return (invoke "prints"))
(assert_return (invoke "mem-size") (i32.const 1))
(assert_return (invoke "tab-size") (i32.const 10))
(assert_return (invoke "mem-grow" (i32.const 1)) (i32.const 1))
(assert_return (invoke "mem-grow" (i32.const 1)) (i32.const -1))
(assert_unlinkable
  (module (import "spectest" "memory" (memory 3)))
  "incompatible import type")
(assert_unlinkable
  (module (import "spectest" "print_i32" (func (param i64))))
  "incompatible import type")
(assert_unlinkable
  (module (import "spectest" "global_i32" (global (mut i32))))
  "incompatible import type")
(assert_unlinkable
  (module (import "spectest" "unknown" (func)))
  "unknown import")
