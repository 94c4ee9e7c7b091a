;; Binary format: LEB128 integers. Unsigned and signed LEBs may use more bytes than needed,
;; up to ceil(N/7) bytes for an N-bit integer; the unused bits of the last byte must be zero
;; (unsigned) or copies of the sign bit (signed).

;; Non-minimal encodings everywhere a u32 appears.
(module binary
  "\00asm\01\00\00\00"
  "\01\8b\80\80\80\00"                    ;; type section, size 11 in 5 bytes
  "\81\80\80\80\00"                       ;; 1 type
  "\60\80\00\81\00\7f"                    ;; () -> (i32), counts in 2 bytes
  "\03\87\80\00"                          ;; function section, size 7 in 3 bytes
  "\81\80\80\80\00\80\00"                 ;; 1 function, type 0 in 2 bytes
  "\05\0a\01"                             ;; memory section
  "\01\82\80\00\83\80\80\80\00"           ;; min 2, max 3
  "\07\0b\01"                             ;; export section
  "\82\80\80\80\00f1"                     ;; name "f1", length in 5 bytes
  "\00\80\00"                             ;; function 0, index in 2 bytes
  "\0a\12\01"                             ;; code section
  "\8c\80\80\80\00"                       ;; body size 12 in 5 bytes
  "\81\80\00\82\80\80\80\00\7f"           ;; 1 group: 2 x i32
  "\41\00\0b"                             ;; i32.const 0 end
)

;; The largest values.
(module binary
  "\00asm\01\00\00\00"
  "\04\09\01\70\01\00\ff\ff\ff\ff\0f"     ;; table: min 0, max 0xffffffff
  "\05\08\01\01\80\80\04\80\80\04"        ;; memory: min 65536, max 65536
)
(module binary
  "\00asm\01\00\00\00"
  "\06\18\02"                             ;; global section, 2 globals
  "\7f\00\41\ff\ff\ff\ff\07\0b"           ;; i32.const 0x7fffffff
  "\7e\00\42\80\80\80\80\80\80\80\80\80\7f\0b"  ;; i64.const -0x8000000000000000
)

;; Signed LEBs with redundant sign bytes.
(module binary
  "\00asm\01\00\00\00"
  "\06\1e\03"
  "\7f\00\41\ff\7f\0b"                    ;; i32.const -1 in 2 bytes
  "\7f\00\41\80\80\80\80\00\0b"           ;; i32.const 0 in 5 bytes
  "\7e\00\42\ff\ff\ff\ff\ff\ff\ff\ff\ff\7f\0b"  ;; i64.const -1 in 10 bytes
)

;; One byte too many.
(assert_malformed
  (module binary "\00asm\01\00\00\00" "\05\08\01\00\82\80\80\80\80\00")
  "integer representation too long"
)
(assert_malformed
  (module binary "\00asm\01\00\00\00" "\01\81\80\80\80\80\00\00")
  "integer representation too long"
)
(assert_malformed
  (module binary "\00asm\01\00\00\00" "\01\06\81\80\80\80\80\00")
  "integer representation too long"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\06\0b\01\7f\00\41\80\80\80\80\80\00\0b")   ;; i32.const in 6 bytes
  "integer representation too long"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\06\10\01\7e\00\42\80\80\80\80\80\80\80\80\80\80\00\0b")  ;; i64.const in 11 bytes
  "integer representation too long"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\01\04\01\60\00\00" "\03\02\01\00"
    "\08\06\80\80\80\80\80\00"           ;; start function index in 6 bytes
    "\0a\04\01\02\00\0b")
  "integer representation too long"
)

;; Unused bits set in the last byte.
(assert_malformed
  (module binary "\00asm\01\00\00\00" "\05\07\01\00\82\80\80\80\10")
  "integer too large"
)
(assert_malformed
  (module binary "\00asm\01\00\00\00" "\05\07\01\00\82\80\80\80\70")
  "integer too large"
)
(assert_malformed
  (module binary "\00asm\01\00\00\00" "\05\08\01\01\00\ff\ff\ff\ff\1f")
  "integer too large"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\06\0a\01\7f\00\41\80\80\80\80\08\0b")     ;; i32.const: positive, bit 3 set
  "integer too large"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\06\0a\01\7f\00\41\ff\ff\ff\ff\77\0b")     ;; i32.const: negative, bit 3 clear
  "integer too large"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\06\0f\01\7e\00\42\80\80\80\80\80\80\80\80\80\01\0b")  ;; i64.const: bit 1 of byte 10
  "integer too large"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\06\0f\01\7e\00\42\ff\ff\ff\ff\ff\ff\ff\ff\ff\7e\0b")  ;; i64.const: negative, bit 0 clear
  "integer too large"
)
(assert_malformed
  (module binary "\00asm\01\00\00\00" "\00\85\80\80\80\70\01a\00\00\00")
  "integer too large"
)

;; The limits flag is a 1-bit LEB: 2 and above are too large, a continuation is too long.
(assert_malformed
  (module binary "\00asm\01\00\00\00" "\05\03\01\02\00")
  "integer too large"
)
(assert_malformed
  (module binary "\00asm\01\00\00\00" "\05\04\01\03\00\00")
  "integer too large"
)
(assert_malformed
  (module binary "\00asm\01\00\00\00" "\05\04\01\80\00\00")
  "integer representation too long"
)
(assert_malformed
  (module binary "\00asm\01\00\00\00" "\05\04\01\81\00\00")
  "integer representation too long"
)
(assert_malformed
  (module binary "\00asm\01\00\00\00" "\04\04\01\70\04\00")
  "integer too large"
)
(assert_malformed
  (module binary "\00asm\01\00\00\00" "\04\05\01\70\81\00\00")
  "integer representation too long"
)

;; Lengths and counts may not exceed the bytes left.
(assert_malformed
  (module binary "\00asm\01\00\00\00" "\01\01\05")
  "length out of bounds"
)
(assert_malformed
  (module binary "\00asm\01\00\00\00" "\01\05\ff\ff\ff\ff\0f")
  "length out of bounds"
)
(assert_malformed
  (module binary "\00asm\01\00\00\00" "\07\05\01\07f\00\00")
  "length out of bounds"
)
(assert_malformed
  (module binary "\00asm\01\00\00\00" "\00\05\80\80\80\80\01")
  "length out of bounds"
)
