;; Validation of structured control: blocks, loops, ifs with block types (empty, one
;; value, type index with parameters), branches, br_table, return, and the typing of
;; unreachable code (the polymorphic stack).

;; ---- valid uses

(module
  (type $i2i (func (param i32) (result i32)))
  (type $ii2ii (func (param i32 i32) (result i32 i32)))
  (type $v2ii (func (result i32 i64)))
  (func (export "blocks") (param i32) (result i32)
    (block (nop))
    (loop (nop))
    (block (result i32) (i32.const 1)) drop
    (loop (result f64) (f64.const 1)) drop
    (i32.const 3) (block (type $i2i)) drop
    (i32.const 2) (block (param i32) (result i32) (i32.add (local.get 0))) drop
    (i32.const 1) (i32.const 2)
    (block (type $ii2ii) (i32.add) (i32.const 0))
    drop drop
    (block (type $v2ii) (i32.const 1) (i64.const 2)) drop drop
    (local.get 0) (loop (param i32) (result i32) (br_if 0 (i32.const 0)))
  )
  (func (export "ifs") (param i32) (result i32)
    (if (local.get 0) (then (nop)))
    (if (local.get 0) (then (nop)) (else (nop)))
    (if (result i32) (local.get 0) (then (i32.const 1)) (else (i32.const 2)))
    (if (param i32) (result i32) (local.get 0) (then (i32.const 1) (i32.add)) (else (i32.const 3) (i32.sub)))
    (i64.const 0) (if (param i64) (result i64) (local.get 0) (then)) drop
    (if (result i32) (local.get 0) (then (unreachable)) (else (i32.const 0)))
    drop
  )
  (func (export "branches") (param i32) (result i32)
    (block $a (result i32)
      (block $b
        (br_if $b (local.get 0))
        (br_if $a (i32.const 7) (local.get 0)) drop
        (br_table $b $b $b (local.get 0))
      )
      (block $c (result i32)
        (br_table $a $c $a (i32.const 1) (local.get 0))
      )
    )
    (loop $l (param i32) (result i32)
      (br_table $l $l 0 (local.get 0))
    )
  )
  (func (export "ret") (param i32) (result i32 i64)
    (if (local.get 0) (then (return (i32.const 1) (i64.const 2))))
    (block (br 1 (i32.const 3) (i64.const 4)))
    (i32.const 5) (i64.const 6)
  )
  ;; unreachable code: the stack is polymorphic
  (func (result i32) (unreachable))
  (func (result i32) (unreachable) (i32.add))
  (func (result i32) (unreachable) (i64.const 0) (i32.wrap_i64))
  (func (result i32) (return (i32.const 0)) (i32.add))
  (func (result i32) (br 0 (i32.const 0)) (f32.add) (drop) (i32.const 1))
  (func (result f64) (block (result f64) (br 0 (f64.const 0)) (select)))
  (func (result i32) (unreachable) (select))
  (func (param i32) (result i32) (block (result i32) (unreachable) (br_table 0 0 (local.get 0))))
  (func (block (result i32) (unreachable) (br_if 0) (drop) (i32.const 0)) (drop))
  (func (result i32) (block (result f32) (unreachable) (br_table 0 1)) (drop) (i32.const 0))
  (func (loop (br 0)))
  (func (result i32) (loop (result i32) (br 0)))
  (func (result i32 i32) (unreachable) (i32.const 1))
  (func (param i32) (result i32) (local.get 0) (if (then (unreachable))) (i32.const 0))
  ;; br_table with a target of another arity-compatible type in dead code
  (func (result i32)
    (block (result i32) (block (result f32) (unreachable) (br_table 1 0 (i32.const 0))) (drop) (i32.const 0)))
  ;; deep nesting
  (func (result i32)
    (block (result i32) (block (result i32) (block (result i32) (block (result i32)
      (block (result i32) (block (result i32) (block (result i32) (block (result i32)
        (i32.const 0) (br 7))))))))))
)

;; ---- block types

(assert_invalid (module (func (result i32) (block (result i32)))) "type mismatch")
(assert_invalid (module (func (block (result i32) (i64.const 0)) (drop))) "type mismatch")
(assert_invalid (module (func (block (i32.const 0)))) "type mismatch")
(assert_invalid (module (func (block (result i32) (i32.const 0) (i32.const 0)) (drop))) "type mismatch")
(assert_invalid (module (func (loop (result i32) (nop)) (drop))) "type mismatch")
(assert_invalid (module (func (block (param i32) (drop)))) "type mismatch")
(assert_invalid (module (func (f32.const 0) (block (param i32) (drop)))) "type mismatch")
(assert_invalid (module (func (i32.const 0) (block (param i32) (result i32 i32) (drop) (i32.const 1)) (drop) (drop))) "type mismatch")
;; (unknown block type indices are in invalid-binary.wast: wast2json rewrites them)
(assert_invalid (module (func (result i32) (block (result i32) (i32.const 0)) (i32.const 0))) "type mismatch")
;; values outside a block are not visible inside it
(assert_invalid (module (func (result i32) (i32.const 0) (block (result i32) (i32.add (i32.const 1))))) "type mismatch")
(assert_invalid (module (func (i32.const 0) (loop (drop)))) "type mismatch")
;; the function's own result
(assert_invalid (module (func (result i32))) "type mismatch")
(assert_invalid (module (func (result i32) (i64.const 0))) "type mismatch")
(assert_invalid (module (func (i32.const 0))) "type mismatch")
(assert_invalid (module (func (result i32 i32) (i32.const 0))) "type mismatch")
(assert_invalid (module (func (result i32 i64) (i64.const 0) (i32.const 0))) "type mismatch")

;; ---- if

(assert_invalid (module (func (if (then)))) "type mismatch")
(assert_invalid (module (func (if (i64.const 0) (then)))) "type mismatch")
(assert_invalid (module (func (result i32) (if (result i32) (i32.const 0) (then (i32.const 0))))) "type mismatch")
(assert_invalid (module (func (result i32) (if (result i32) (i32.const 0) (then (i32.const 0)) (else)))) "type mismatch")
(assert_invalid (module (func (result i32) (if (result i32) (i32.const 0) (then) (else (i32.const 0))))) "type mismatch")
(assert_invalid (module (func (if (i32.const 0) (then (i32.const 0))))) "type mismatch")
(assert_invalid (module (func (if (i32.const 0) (then) (else (i32.const 0))))) "type mismatch")
(assert_invalid (module (func (result i32) (if (result i32) (i32.const 0) (then (i32.const 0)) (else (f32.const 0))))) "type mismatch")
(assert_invalid (module (func (i64.const 0) (if (param i32) (i32.const 1) (then (drop)) (else (drop))))) "type mismatch")
;; an if without else must leave its parameters unchanged as results
(assert_invalid (module (func (param i32) (result i32) (i32.const 0) (if (param i32) (result i64) (local.get 0) (then (drop) (i64.const 0))) (drop) (i32.const 0))) "type mismatch")
(assert_invalid (module (func (param i32) (result i32) (i32.const 0) (if (param i32) (result i32 i32) (local.get 0) (then (i32.const 1))))) "type mismatch")

;; ---- br, br_if

(assert_invalid (module (func (br 1))) "unknown label")
(assert_invalid (module (func (block (br 2)))) "unknown label")
(assert_invalid (module (func (br_if 1 (i32.const 0)))) "unknown label")
(assert_invalid (module (func (result i32) (br 0))) "type mismatch")
(assert_invalid (module (func (result i32) (br 0 (i64.const 0)))) "type mismatch")
(assert_invalid (module (func (block (result i32) (br 0)) (drop))) "type mismatch")
(assert_invalid (module (func (block (result i32) (br 0 (f32.const 0))) (drop))) "type mismatch")
(assert_invalid (module (func (block (br_if 0)))) "type mismatch")
(assert_invalid (module (func (block (br_if 0 (i64.const 0))))) "type mismatch")
(assert_invalid (module (func (block (result i32) (br_if 0 (i32.const 0))) (drop))) "type mismatch")
(assert_invalid (module (func (block (result i32) (br_if 0 (i64.const 0) (i32.const 0))) (drop))) "type mismatch")
(assert_invalid (module (func (block (br_if 0 (i32.const 0) (i32.const 0))))) "type mismatch")
;; a loop label carries the loop's parameters, not its results
(assert_invalid (module (func (i32.const 1) (loop (param i32) (result i64) (drop) (br 0 (i64.const 0))) (drop))) "type mismatch")
(assert_invalid (module (func (i32.const 0) (loop (param i32) (drop) (br 0)))) "type mismatch")
;; br_if leaves the label types on the stack
(assert_invalid (module (func (result i32) (block (result i32) (br_if 0 (i32.const 0) (i32.const 1)) (i32.const 2)))) "type mismatch")

;; ---- br_table

(assert_invalid (module (func (br_table 1 (i32.const 0)))) "unknown label")
(assert_invalid (module (func (block (br_table 0 2 (i32.const 0))))) "unknown label")
(assert_invalid (module (func (block (br_table 3 0 (i32.const 0))))) "unknown label")
(assert_invalid (module (func (block (br_table 0)))) "type mismatch")
(assert_invalid (module (func (block (br_table 0 (i64.const 0))))) "type mismatch")
(assert_invalid (module (func (block (result i32) (br_table 0 (i32.const 0))) (drop))) "type mismatch")
(assert_invalid
  (module (func (block (result i32) (block (br_table 0 1 (i32.const 1) (i32.const 0)))) (drop)))
  "type mismatch")
(assert_invalid
  (module (func (block (result f32) (block (result i32) (br_table 0 1 (i32.const 1) (i32.const 0))) (drop) (f32.const 0)) (drop)))
  "type mismatch")
(assert_invalid
  (module (func (block (result i32 i32) (block (result i32) (br_table 0 1 (i32.const 1) (i32.const 1) (i32.const 0))) (drop) (i32.const 0) (i32.const 0)) (drop) (drop)))
  "type mismatch")
;; in dead code, targets of different arity are still an error
(assert_invalid
  (module (func (block (result i32) (block (unreachable) (br_table 0 1 (i32.const 0)))) (drop)))
  "type mismatch")
(assert_invalid
  (module (func (block (result i32) (block (unreachable) (br_table 1 0 (i32.const 0)))) (drop)))
  "type mismatch")
;; known operand types must fit every target
(assert_invalid
  (module (func (result i32) (block (result f32) (block (result i32) (unreachable) (i32.const 1) (br_table 0 1 (i32.const 0))) (drop) (f32.const 0)) (drop) (i32.const 0)))
  "type mismatch")

;; ---- return

(assert_invalid (module (func (result i32) (return))) "type mismatch")
(assert_invalid (module (func (result i32) (return (i64.const 1)))) "type mismatch")
(assert_invalid (module (func (result i32 i32) (return (i32.const 1)))) "type mismatch")
(assert_invalid (module (func (result i32) (block (return (f32.const 0))))) "type mismatch")

;; ---- unreachable code is still typed

(assert_invalid (module (func (unreachable) (i32.const 0) (i64.add))) "type mismatch")
(assert_invalid (module (func (result i32) (unreachable) (i64.const 0))) "type mismatch")
(assert_invalid (module (func (unreachable) (i32.const 0))) "type mismatch")
(assert_invalid (module (func (br 0) (i32.const 0))) "type mismatch")
(assert_invalid (module (func (return) (i64.const 0) (i32.eqz) (drop))) "type mismatch")
(assert_invalid (module (func (result i32) (unreachable) (block (result i32) (i32.add)))) "type mismatch")
(assert_invalid (module (func (unreachable) (block (drop)))) "type mismatch")
(assert_invalid (module (func (block (result i32) (unreachable)) (i64.eqz) (drop))) "type mismatch")
(assert_invalid (module (func (result i32) (loop (result i32) (br 0) (i32.const 0) (f32.const 0)))) "type mismatch")
(assert_invalid (module (func (unreachable) (select (i32.const 0) (i64.const 0) (i32.const 0)) (drop))) "type mismatch")
(assert_invalid (module (func (unreachable) (if (f32.const 0) (then)))) "type mismatch")
