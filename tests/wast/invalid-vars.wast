;; Validation of locals, globals, drop, select (untyped and typed), call and
;; call_indirect.

(module $M (global (export "gm") (mut i64) (i64.const 0)))
(register "m" $M)

(module
  (type $t (func (param i32 f64) (result i64)))
  (import "m" "gm" (global $gi (mut i64)))
  (global $g (mut i32) (i32.const 0))
  (global $c f32 (f32.const 1))
  (global $r (mut funcref) (ref.null func))
  (table $tf 1 funcref)
  (table $te 1 externref)
  (func $f (type $t) (i64.const 0))
  (func (export "vars") (param i32 i64) (result i32) (local f32 f64 externref funcref)
    (local.set 2 (f32.const 1))
    (local.set 3 (local.tee 3 (f64.const 2)))
    (local.set 4 (ref.null extern))
    (drop (local.get 5))
    (global.set $g (i32.const 1))
    (global.set $gi (global.get $gi))
    (drop (global.get $c))
    (global.set $r (ref.null func))
    (local.get 0)
  )
  (func (export "sel") (param i32) (result i32)
    (drop (select (i64.const 1) (i64.const 2) (local.get 0)))
    (drop (select (f64.const 1) (f64.const 2) (local.get 0)))
    (drop (select (result funcref) (ref.null func) (ref.null func) (local.get 0)))
    (drop (select (result externref) (ref.null extern) (ref.null extern) (local.get 0)))
    (drop (select (result f32) (f32.const 1) (f32.const 2) (local.get 0)))
    (select (local.get 0) (i32.const 2) (local.get 0))
  )
  (func (export "calls") (param i32) (result i64)
    (drop (call $f (i32.const 1) (f64.const 2)))
    (call_indirect $tf (type $t) (i32.const 1) (f64.const 2) (local.get 0))
  )
  (func (param i32) (drop (local.get 0)) (drop (i32.const 0)) (drop (ref.null extern)))
  ;; many locals
  (func (local i32 i32 i32 i32 i64 i64 i64 f32 f32 f64) (local.set 9 (f64.const 0)) (local.set 6 (i64.const 0)))
)

;; ---- locals

(assert_invalid (module (func (local.get 0) (drop))) "unknown local")
(assert_invalid (module (func (param i32) (local.get 1) (drop))) "unknown local")
(assert_invalid (module (func (param i32) (local i64) (local.get 2) (drop))) "unknown local 2")
(assert_invalid (module (func (local i32) (local.set 1 (i32.const 0)))) "unknown local")
(assert_invalid (module (func (local i32) (local.tee 1 (i32.const 0)) (drop))) "unknown local")
(assert_invalid (module (func (local i32) (local.set 0 (i64.const 0)))) "type mismatch")
(assert_invalid (module (func (param f32) (local.set 0 (f64.const 0)))) "type mismatch")
(assert_invalid (module (func (local i32) (local.set 0))) "type mismatch")
(assert_invalid (module (func (local i32) (local.tee 0 (f32.const 0)) (drop))) "type mismatch")
(assert_invalid (module (func (result i64) (local i32) (local.tee 0 (i32.const 0)))) "type mismatch")
(assert_invalid (module (func (result i64) (local i32) (local.get 0))) "type mismatch")
(assert_invalid (module (func (local externref) (local.set 0 (ref.null func)))) "type mismatch")
(assert_invalid (module (func (local funcref) (local.set 0 (i32.const 0)))) "type mismatch")

;; ---- globals

(assert_invalid (module (func (global.get 0) (drop))) "unknown global")
(assert_invalid (module (global i32 (i32.const 0)) (func (global.get 1) (drop))) "unknown global 1")
(assert_invalid (module (func (global.set 0 (i32.const 0)))) "unknown global")
(assert_invalid (module (global i32 (i32.const 0)) (func (global.set 0 (i32.const 1)))) "global is immutable")
(assert_invalid (module (import "m" "g" (global i32)) (func (global.set 0 (i32.const 1)))) "global is immutable")
(assert_invalid (module (global (mut i32) (i32.const 0)) (func (global.set 0 (i64.const 1)))) "type mismatch")
(assert_invalid (module (global (mut i32) (i32.const 0)) (func (global.set 0))) "type mismatch")
(assert_invalid (module (global f32 (f32.const 0)) (func (result i32) (global.get 0))) "type mismatch")
(assert_invalid (module (global (mut externref) (ref.null extern)) (func (global.set 0 (ref.null func)))) "type mismatch")

;; ---- drop

(assert_invalid (module (func (drop))) "type mismatch")
(assert_invalid (module (func (block (i32.const 0) (block (drop))))) "type mismatch")
(assert_invalid (module (func (nop) (drop) (i32.const 0) (drop))) "type mismatch")

;; ---- select

(assert_invalid (module (func (select (i32.const 1) (i32.const 2)) (drop))) "type mismatch")
(assert_invalid (module (func (select (i32.const 1) (i32.const 2) (i64.const 1)) (drop))) "type mismatch")
(assert_invalid (module (func (select (i32.const 1) (i64.const 2) (i32.const 1)) (drop))) "type mismatch")
(assert_invalid (module (func (select (f32.const 1) (f64.const 2) (i32.const 1)) (drop))) "type mismatch")
(assert_invalid (module (func (result i32) (select (i64.const 1) (i64.const 2) (i32.const 1)))) "type mismatch")
;; untyped select only takes numeric operands
(assert_invalid (module (func (select (ref.null func) (ref.null func) (i32.const 1)) (drop))) "type mismatch")
(assert_invalid (module (func (select (ref.null extern) (ref.null extern) (i32.const 1)) (drop))) "type mismatch")
(assert_invalid (module (func (param funcref) (select (local.get 0) (local.get 0) (i32.const 1)) (drop))) "type mismatch")
(assert_invalid (module (func (unreachable) (select (ref.null func) (i32.const 1)) (drop))) "type mismatch")
;; typed select: exactly one type, operands must match it
;; (a typed select with no type is in invalid-binary.wast: wast2json writes it as untyped)
(assert_invalid (module (func (select (result i32 i32) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 1)) (drop) (drop))) "invalid result arity")
(assert_invalid (module (func (select (result i32) (i64.const 0) (i64.const 0) (i32.const 1)) (drop))) "type mismatch")
(assert_invalid (module (func (select (result funcref) (ref.null extern) (ref.null func) (i32.const 1)) (drop))) "type mismatch")
(assert_invalid (module (func (select (result f64) (f64.const 0) (f64.const 0) (f64.const 1)) (drop))) "type mismatch")
(assert_invalid (module (func (result i64) (select (result i32) (i32.const 0) (i32.const 0) (i32.const 1)))) "type mismatch")

;; ---- call

(assert_invalid (module (func (call 1))) "unknown function")
(assert_invalid (module (import "m" "f" (func)) (func (call 2))) "unknown function 2")
(assert_invalid (module (func $f (param i32)) (func (call $f))) "type mismatch")
(assert_invalid (module (func $f (param i32)) (func (call $f (i64.const 0)))) "type mismatch")
(assert_invalid (module (func $f (param i32 i64)) (func (call $f (i64.const 0) (i32.const 0)))) "type mismatch")
(assert_invalid (module (func $f (param i32)) (func (call $f (i32.const 0) (i32.const 0)))) "type mismatch")
(assert_invalid (module (func $f (result i32) (i32.const 0)) (func (call $f))) "type mismatch")
(assert_invalid (module (func $f (result i32 i64) (i32.const 0) (i64.const 0)) (func (result i64 i32) (call $f))) "type mismatch")
(assert_invalid (module (import "m" "f" (func (param f32))) (func (call 0 (f64.const 0)))) "type mismatch")

;; ---- call_indirect

(assert_invalid (module (type (func)) (func (call_indirect (type 0) (i32.const 0)))) "unknown table")
(assert_invalid (module (table 1 funcref) (func (call_indirect (type 7) (i32.const 0)))) "unknown type")
(assert_invalid (module (type (func)) (table 1 funcref) (func (call_indirect 1 (type 0) (i32.const 0)))) "unknown table")
(assert_invalid (module (type (func)) (table 1 externref) (func (call_indirect (type 0) (i32.const 0)))) "type mismatch")
(assert_invalid (module (type (func)) (table 1 funcref) (func (call_indirect (type 0)))) "type mismatch")
(assert_invalid (module (type (func)) (table 1 funcref) (func (call_indirect (type 0) (i64.const 0)))) "type mismatch")
(assert_invalid
  (module (type (func (param i32))) (table 1 funcref) (func (call_indirect (type 0) (i32.const 0))))
  "type mismatch")
(assert_invalid
  (module (type (func (param i32))) (table 1 funcref) (func (call_indirect (type 0) (f32.const 0) (i32.const 0))))
  "type mismatch")
(assert_invalid
  (module (type (func (result i32))) (table 1 funcref) (func (result i64) (call_indirect (type 0) (i32.const 0))))
  "type mismatch")
(module
  (type (func (param i32) (result i32)))
  (table 1 funcref) (table 1 funcref)
  (func (result i32) (call_indirect 1 (type 0) (i32.const 5) (i32.const 0)))
)
