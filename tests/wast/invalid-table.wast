;; Validation of table instructions, element segment instructions and reference
;; instructions (ref.null, ref.is_null, ref.func and its declaration rule).

(module
  (table $f 10 funcref)
  (table $e 10 externref)
  (elem $ef funcref (ref.null func))
  (elem $ee externref (ref.null extern))
  (elem declare func $g)
  (func $g)
  (func (export "tables") (param i32) (result i32)
    (table.set $f (local.get 0) (table.get $f (i32.const 0)))
    (table.set $e (i32.const 0) (ref.null extern))
    (drop (table.grow $f (ref.null func) (i32.const 1)))
    (drop (table.grow $e (ref.null extern) (i32.const 1)))
    (table.fill $e (i32.const 0) (ref.null extern) (i32.const 2))
    (table.fill $f (i32.const 0) (ref.func $g) (i32.const 2))
    (table.copy $f $f (i32.const 0) (i32.const 1) (i32.const 2))
    (table.copy $e $e (i32.const 0) (i32.const 1) (i32.const 2))
    (table.init $f $ef (i32.const 0) (i32.const 0) (i32.const 1))
    (table.init $e $ee (i32.const 0) (i32.const 0) (i32.const 1))
    (elem.drop $ef)
    (elem.drop $ee)
    (drop (table.size $e))
    (drop (ref.is_null (ref.func $g)))
    (drop (ref.is_null (ref.null extern)))
    (drop (ref.is_null (table.get $e (i32.const 0))))
    (table.size $f)
  )
)
;; a function is declared by an element segment, an export or a global initializer
(module (func $a) (elem declare func $a) (func (result funcref) (ref.func $a)))
(module (func $a) (export "a" (func $a)) (func (result funcref) (ref.func $a)))
(module (func $a) (global funcref (ref.func $a)) (func (result funcref) (ref.func $a)))
(module (table 1 funcref) (func $a) (elem (i32.const 0) $a) (func (result funcref) (ref.func $a)))
(module (func $a) (elem funcref (ref.func $a)) (func (result funcref) (ref.func $a)))
(module (func (result i32) (unreachable) (ref.is_null)))

;; ---- table indices

(assert_invalid (module (func (drop (table.get 0 (i32.const 0))))) "unknown table")
(assert_invalid (module (table 1 funcref) (func (drop (table.get 1 (i32.const 0))))) "unknown table")
(assert_invalid (module (func (table.set 0 (i32.const 0) (ref.null func)))) "unknown table")
(assert_invalid (module (func (drop (table.size 0)))) "unknown table")
(assert_invalid (module (func (drop (table.grow 0 (ref.null func) (i32.const 0))))) "unknown table")
(assert_invalid (module (func (table.fill 0 (i32.const 0) (ref.null func) (i32.const 0)))) "unknown table")
(assert_invalid (module (table 1 funcref) (func (table.copy 0 1 (i32.const 0) (i32.const 0) (i32.const 0)))) "unknown table")
(assert_invalid (module (table 1 funcref) (func (table.copy 1 0 (i32.const 0) (i32.const 0) (i32.const 0)))) "unknown table")
(assert_invalid (module (elem funcref) (func (table.init 0 0 (i32.const 0) (i32.const 0) (i32.const 0)))) "unknown table")

;; ---- element segment indices

(assert_invalid (module (table 1 funcref) (func (table.init 0 0 (i32.const 0) (i32.const 0) (i32.const 0)))) "unknown elem segment 0")
(assert_invalid (module (table 1 funcref) (elem funcref) (func (table.init 0 4 (i32.const 0) (i32.const 0) (i32.const 0)))) "unknown elem segment 4")
(assert_invalid (module (func (elem.drop 0))) "unknown elem segment")
(assert_invalid (module (elem funcref) (func (elem.drop 1))) "unknown elem segment 1")

;; ---- element types

(assert_invalid (module (table 1 externref) (elem funcref) (func (table.init 0 0 (i32.const 0) (i32.const 0) (i32.const 0)))) "type mismatch")
(assert_invalid (module (table 1 funcref) (elem externref) (func (table.init 0 0 (i32.const 0) (i32.const 0) (i32.const 0)))) "type mismatch")
(assert_invalid (module (table $a 1 funcref) (table $b 1 externref) (func (table.copy $a $b (i32.const 0) (i32.const 0) (i32.const 0)))) "type mismatch")
(assert_invalid (module (table $a 1 funcref) (table $b 1 externref) (func (table.copy $b $a (i32.const 0) (i32.const 0) (i32.const 0)))) "type mismatch")
(assert_invalid (module (table 1 externref) (func (table.set 0 (i32.const 0) (ref.null func)))) "type mismatch")
(assert_invalid (module (table 1 funcref) (func (table.set 0 (i32.const 0) (i32.const 0)))) "type mismatch")
(assert_invalid (module (table 1 funcref) (func (table.set 0 (i64.const 0) (ref.null func)))) "type mismatch")
(assert_invalid (module (table 1 funcref) (func (result externref) (table.get 0 (i32.const 0)))) "type mismatch")
(assert_invalid (module (table 1 funcref) (func (drop (table.get 0 (f32.const 0))))) "type mismatch")
(assert_invalid (module (table 1 externref) (func (drop (table.grow 0 (ref.null func) (i32.const 0))))) "type mismatch")
(assert_invalid (module (table 1 externref) (func (drop (table.grow 0 (ref.null extern) (i64.const 0))))) "type mismatch")
(assert_invalid (module (table 1 externref) (func (result i64) (table.grow 0 (ref.null extern) (i32.const 0)))) "type mismatch")
(assert_invalid (module (table 1 externref) (func (result i64) (table.size 0))) "type mismatch")
(assert_invalid (module (table 1 funcref) (func (table.fill 0 (i32.const 0) (ref.null extern) (i32.const 0)))) "type mismatch")
(assert_invalid (module (table 1 funcref) (func (table.fill 0 (i32.const 0) (ref.null func)))) "type mismatch")
(assert_invalid (module (table 1 funcref) (func (table.copy (i32.const 0) (i32.const 0)))) "type mismatch")
(assert_invalid (module (table 1 funcref) (elem funcref) (func (table.init 0 (i32.const 0) (f32.const 0) (i32.const 0)))) "type mismatch")

;; ---- references

(assert_invalid (module (func (result externref) (ref.null func))) "type mismatch")
(assert_invalid (module (func (result i32) (ref.null extern))) "type mismatch")
(assert_invalid (module (func (result i32) (ref.is_null (i32.const 0)))) "type mismatch")
(assert_invalid (module (func (result i32) (ref.is_null (f64.const 0)))) "type mismatch")
(assert_invalid (module (func (result i32) (ref.is_null))) "type mismatch")
(assert_invalid (module (func (result funcref) (ref.is_null (ref.null func)))) "type mismatch")
(assert_invalid (module (func (result funcref) (ref.func 1))) "unknown function")
(assert_invalid (module (elem declare func 0) (func (result externref) (ref.func 0))) "type mismatch")
(assert_invalid (module (func $a) (func (result funcref) (ref.func $a))) "undeclared function reference")
(assert_invalid (module (func $a) (func $b) (elem declare func $b) (func (result funcref) (ref.func $a))) "undeclared function reference")
