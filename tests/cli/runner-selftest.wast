;; Self-test of `isthmus spectest`: every command type the runner knows, including
;; assertions that are meant to FAIL, so that tests/cli/run.sh can check the runner reports
;; failures. Each command is marked PASS, FAIL or SKIP; module/register commands that work
;; count as nothing. Convert with `wast2json --no-check` (one assertion expects a v128 from an
;; i32 function on purpose, to be skipped).
;;
;; Expected summary: 33 passed, 20 failed, 3 skipped
;; (run.sh also checks that failures are reported at exactly the lines marked FAIL, so a
;; failing command sits on one line: for a module assertion spanning lines wast2json reports
;; the line of the module, not that of the assertion.)

(module $A
  (import "spectest" "print_i32" (func $print_i32 (param i32)))
  (import "spectest" "global_i32" (global $gi i32))
  (import "spectest" "table" (table 10 funcref))
  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
  (func (export "id64") (param i64) (result i64) (local.get 0))
  (func (export "f32id") (param f32) (result f32) (local.get 0))
  (func (export "f64div") (param f64 f64) (result f64) (f64.div (local.get 0) (local.get 1)))
  (func (export "ext") (param externref) (result externref) (local.get 0))
  (func (export "nullfunc") (result funcref) (ref.null func))
  (func $self (export "self") (result funcref) (ref.func $self))
  (elem declare func $self)
  (func (export "two") (result i32 i64) (i32.const 1) (i64.const 2))
  (func $loop (export "loop") (call $loop))
  (func (export "trap") (unreachable))
  (func (export "print") (call $print_i32 (i32.const 42)))
  (func (export "spectest-global") (result i32) (global.get $gi))
  (global (export "g") i32 (i32.const 7))
  (memory (export "mem") 1)
)
(register "a" $A)

(assert_return (invoke "add" (i32.const 1) (i32.const 2)) (i32.const 3))          ;; PASS
(assert_return (invoke "add" (i32.const 1) (i32.const 2)) (i32.const 4))          ;; FAIL
(assert_return (invoke "add" (i32.const -1) (i32.const 0)) (i32.const -1))        ;; PASS
(assert_return (invoke "id64" (i64.const -1)) (i64.const -1))                      ;; PASS
(assert_return (invoke "id64" (i64.const 5)) (i64.const 6))                        ;; FAIL
(assert_return (invoke "f32id" (f32.const -0x1.8p+0)) (f32.const -1.5))           ;; PASS
(assert_return (invoke "f64div" (f64.const 0) (f64.const 0)) (f64.const nan:canonical))  ;; PASS
(assert_return (invoke "f32id" (f32.const nan:0x600001)) (f32.const nan:arithmetic))     ;; PASS
(assert_return (invoke "f32id" (f32.const nan:0x600001)) (f32.const nan:canonical))      ;; FAIL
(assert_return (invoke "f32id" (f32.const nan:0x200000)) (f32.const nan:arithmetic))     ;; FAIL
(assert_return (invoke "ext" (ref.extern 1)) (ref.extern 1))                       ;; PASS
(assert_return (invoke "ext" (ref.extern 1)) (ref.extern 2))                       ;; FAIL
(assert_return (invoke "ext" (ref.null extern)) (ref.null extern))                 ;; PASS
(assert_return (invoke "nullfunc") (ref.null func))                                ;; PASS
(assert_return (invoke "self") (ref.func))                                         ;; PASS
(assert_return (invoke "nullfunc") (ref.func))                                     ;; FAIL
(assert_return (invoke "two") (i32.const 1) (i64.const 2))                         ;; PASS
(assert_return (invoke "two") (i32.const 1) (i64.const 3))                         ;; FAIL
(assert_return (invoke "spectest-global") (i32.const 666))                         ;; PASS
(assert_return (get "g") (i32.const 7))                                            ;; PASS
(assert_return (get $A "g") (i32.const 8))                                         ;; FAIL
(assert_return (invoke "add" (i32.const 1) (i32.const 2)) (either (i32.const 4) (i32.const 3)))  ;; PASS
(assert_return (invoke "add" (i32.const 1) (i32.const 2)) (either (i32.const 5) (i32.const 6)))  ;; FAIL
(assert_return (invoke "add" (i32.const 1) (i32.const 2)) (v128.const i32x4 0 0 0 0))           ;; SKIP

(invoke "print")                                                                   ;; PASS
(invoke "trap")                                                                    ;; FAIL

(assert_trap (invoke "trap") "unreachable")                                        ;; PASS
(assert_trap (invoke "div" (i32.const 1) (i32.const 0)) "integer divide by zero") ;; PASS
(assert_trap (invoke "add" (i32.const 1) (i32.const 0)) "unreachable")            ;; FAIL
(assert_exhaustion (invoke "loop") "call stack exhausted")                         ;; PASS
(assert_exhaustion (invoke "trap") "call stack exhausted")                         ;; FAIL

(assert_invalid (module (func (result i32))) "type mismatch")                     ;; PASS
(assert_invalid (module (func)) "type mismatch")                                   ;; FAIL
(assert_malformed (module binary "\00asm") "unexpected end")                       ;; PASS
(assert_malformed (module binary "\00asm\01\00\00\00") "unexpected end")           ;; FAIL
(assert_malformed (module quote "(func") "unexpected token")                       ;; SKIP

(assert_unlinkable (module (import "a" "nope" (func))) "unknown import")          ;; PASS
(assert_unlinkable (module (import "nowhere" "x" (func))) "unknown import")       ;; PASS
(assert_unlinkable  ;; PASS
  (module (import "spectest" "print_i32" (func (param i64))))
  "incompatible import type")
(assert_unlinkable  ;; PASS
  (module (import "spectest" "memory" (memory 3)))
  "incompatible import type")
(assert_unlinkable  ;; PASS
  (module (import "a" "g" (global (mut i32))))
  "incompatible import type")
(assert_unlinkable (module (import "spectest" "print_i32" (func (param i32)))) "incompatible import type")  ;; FAIL

(assert_trap (module (func $s (unreachable)) (start $s)) "unreachable")           ;; PASS
(assert_trap (module (func $s) (start $s)) "unreachable")                         ;; FAIL
(assert_trap  ;; PASS
  (module (memory 1) (data (i32.const 65536) "x"))
  "out of bounds memory access")

;; A second named module that links against the first one and the spectest memory.
(module $B
  (import "a" "add" (func $add (param i32 i32) (result i32)))
  (import "spectest" "memory" (memory 1 2))
  (func (export "add10") (param i32) (result i32) (call $add (local.get 0) (i32.const 10)))
  (func (export "pages") (result i32) (memory.size)))
(register "b")
(assert_return (invoke "add10" (i32.const 5)) (i32.const 15))                      ;; PASS
(assert_return (invoke "pages") (i32.const 1))                                     ;; PASS
(assert_return (invoke $A "add" (i32.const 2) (i32.const 2)) (i32.const 4))        ;; PASS
(module (import "b" "add10" (func $f (param i32) (result i32)))
  (func (export "add20") (param i32) (result i32) (call $f (call $f (local.get 0)))))
(assert_return (invoke "add20" (i32.const 1)) (i32.const 21))                      ;; PASS
(assert_return (invoke $B "add10" (i32.const 0)) (i32.const 10))                   ;; PASS

;; A module command that fails (unknown import) counts as a failure, and so does an action
;; on the module it failed to make.
(module $C (import "nowhere" "f" (func)) (func (export "f")))                       ;; FAIL
(assert_return (invoke $C "f"))                                                     ;; FAIL
;; Module commands and registrations that fail count as failures.
(register "c" $C)                                                                   ;; FAIL
(module (func $s (unreachable)) (start $s))                                         ;; FAIL
(assert_return (invoke $B "add10" (i32.const 1)) (i32.const 11))                   ;; PASS

;; assert_trap and assert_uninstantiable on a text module are skipped.
(assert_invalid (module quote "(func (result i32))") "type mismatch")             ;; SKIP
