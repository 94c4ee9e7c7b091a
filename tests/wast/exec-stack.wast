;; Deep call stacks.  Go's wasm code needs a deep stack (its own runner gives wasmtime 8 MiB), so
;; recursion thousands of frames deep must work: direct, mutual, through call_indirect, with
;; large frames (many locals) and with several results per frame.  Unbounded recursion ends in
;; "call stack exhausted", after which deep recursion still works.
;;
;; wabt's spectest-interp 1.0.32 has a fixed call stack of about 1600 frames (its -C/-V flags do
;; not change it), so it fails the assertions deeper than that; the depth-1000 cases check the
;; same functions under it.  See tests/wast/README.md.

(module
  (type $i2i (func (param i32) (result i32)))
  (table 1 funcref)
  (elem (i32.const 0) $ind)

  (func $depth (export "depth") (param $n i32) (result i32)
    (if (result i32) (i32.eqz (local.get $n)) (then (i32.const 0))
      (else (i32.add (i32.const 1) (call $depth (i32.sub (local.get $n) (i32.const 1)))))))

  (func $sum64 (export "sum64") (param $n i64) (result i64)
    (if (result i64) (i64.eqz (local.get $n)) (then (i64.const 0))
      (else (i64.add (local.get $n) (call $sum64 (i64.sub (local.get $n) (i64.const 1)))))))

  (func $even (export "even") (param $n i32) (result i32)
    (if (result i32) (i32.eqz (local.get $n)) (then (i32.const 1))
      (else (call $odd (i32.sub (local.get $n) (i32.const 1))))))
  (func $odd (param $n i32) (result i32)
    (if (result i32) (i32.eqz (local.get $n)) (then (i32.const 0))
      (else (call $even (i32.sub (local.get $n) (i32.const 1))))))

  (func $ind (export "indirect") (type $i2i)
    (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0))
      (else (i32.add (i32.const 2) (call_indirect (type $i2i) (i32.sub (local.get 0) (i32.const 1)) (i32.const 0))))))

  (func $big (export "big-frames") (param $n i32) (result f64)
    ;; 40 locals of every type per frame, all live across the call
    (local $a0 i64) (local $a1 i64) (local $a2 i64) (local $a3 i64) (local $a4 i64)
    (local $a5 i64) (local $a6 i64) (local $a7 i64) (local $a8 i64) (local $a9 i64)
    (local $b0 f64) (local $b1 f64) (local $b2 f64) (local $b3 f64) (local $b4 f64)
    (local $b5 f64) (local $b6 f64) (local $b7 f64) (local $b8 f64) (local $b9 f64)
    (local $c0 i32) (local $c1 i32) (local $c2 i32) (local $c3 i32) (local $c4 i32)
    (local $c5 i32) (local $c6 i32) (local $c7 i32) (local $c8 i32) (local $c9 i32)
    (local $d0 f32) (local $d1 f32) (local $d2 f32) (local $d3 f32) (local $d4 f32)
    (local $d5 f32) (local $d6 f32) (local $d7 f32) (local $d8 f32) (local $d9 f32)
    (if (i32.eqz (local.get $n)) (then (return (f64.const 0))))
    (local.set $a0 (i64.extend_i32_u (local.get $n)))
    (local.set $a9 (i64.const 1))
    (local.set $b0 (f64.const 0.5))
    (local.set $b9 (f64.const 0.25))
    (local.set $c0 (i32.const 1))
    (local.set $c9 (local.get $n))
    (local.set $d0 (f32.const 0.125))
    (local.set $d9 (f32.const 2))
    (f64.add
      (call $big (i32.sub (local.get $n) (i32.const 1)))
      ;; = 1 + 0.5 + 0.25 + 1 + 0.125 + 2 + (n - n) = 4.875 per frame
      (f64.add
        (f64.add (f64.convert_i64_u (local.get $a9)) (f64.add (local.get $b0) (local.get $b9)))
        (f64.add
          (f64.add (f64.convert_i32_u (local.get $c0)) (f64.promote_f32 (f32.add (local.get $d0) (local.get $d9))))
          (f64.convert_i64_s (i64.sub (local.get $a0) (i64.extend_i32_u (local.get $c9))))))))

  (func $pair (export "pair") (param $n i32) (result i32 i64) (local $s i64)
    ;; two results per frame: (n, sum 1..n)
    (if (result i32 i64) (i32.eqz (local.get $n))
      (then (i32.const 0) (i64.const 0))
      (else
        (call $pair (i32.sub (local.get $n) (i32.const 1)))
        (local.set $s)
        (drop)
        (local.get $n)
        (i64.add (local.get $s) (i64.extend_i32_u (local.get $n))))))

  (func $forever (export "forever") (param $n i32) (result i32)
    (i32.add (call $forever (i32.add (local.get $n) (i32.const 1))) (i32.const 1)))
  (func $forever-big (export "forever-big") (param $n i64) (result f64)
    (local f64 f64 f64 f64 f64 f64 f64 f64 f64 f64 f64 f64 f64 f64 f64 f64)
    (local i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64)
    (f64.add (call $forever-big (i64.add (local.get $n) (i64.const 1))) (local.get 1)))
)

;; moderate depths: spectest-interp runs these too
(assert_return (invoke "depth" (i32.const 1000)) (i32.const 1000))
(assert_return (invoke "sum64" (i64.const 1000)) (i64.const 500500))
(assert_return (invoke "even" (i32.const 1000)) (i32.const 1))
(assert_return (invoke "indirect" (i32.const 1000)) (i32.const 2000))
(assert_return (invoke "big-frames" (i32.const 1000)) (f64.const 4875))
(assert_return (invoke "pair" (i32.const 1000)) (i32.const 1000) (i64.const 500500))

;; deep: beyond spectest-interp's fixed limit, well within what Go needs
(assert_return (invoke "depth" (i32.const 10000)) (i32.const 10000))
(assert_return (invoke "depth" (i32.const 50000)) (i32.const 50000))
(assert_return (invoke "sum64" (i64.const 20000)) (i64.const 200010000))
(assert_return (invoke "even" (i32.const 20001)) (i32.const 0))
(assert_return (invoke "indirect" (i32.const 10000)) (i32.const 20000))
(assert_return (invoke "big-frames" (i32.const 10000)) (f64.const 48750))
(assert_return (invoke "pair" (i32.const 10000)) (i32.const 10000) (i64.const 50005000))

;; unbounded recursion, then deep recursion again
(assert_exhaustion (invoke "forever" (i32.const 0)) "call stack exhausted")
(assert_exhaustion (invoke "forever-big" (i64.const 0)) "call stack exhausted")
(assert_return (invoke "depth" (i32.const 1000)) (i32.const 1000))
(assert_return (invoke "depth" (i32.const 10000)) (i32.const 10000))
(assert_exhaustion (invoke "forever" (i32.const 0)) "call stack exhausted")
(assert_return (invoke "big-frames" (i32.const 10000)) (f64.const 48750))
