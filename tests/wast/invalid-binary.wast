;; Malformed function bodies in the binary format: opcodes, reserved bytes, immediates,
;; the final `end`, the data count rule; and which error wins when a module is both
;; malformed and invalid (malformed: the spec decodes everything before validating).
;; Messages are the spec interpreter's, matched as prefixes.

;; opcode 0x06 is not an instruction
(assert_malformed
  (module binary
    "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00"
    "\03\02\01\00"
    "\0a\05\01\03\00\06\0b")
  "illegal opcode")

;; opcode 0xff
(assert_malformed
  (module binary
    "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00"
    "\03\02\01\00"
    "\0a\05\01\03\00\ff\0b")
  "illegal opcode")

;; opcode 0x27 (between table.set and i32.load)
(assert_malformed
  (module binary
    "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00"
    "\03\02\01\00"
    "\0a\05\01\03\00\27\0b")
  "illegal opcode")

;; opcode 0xc5 (after the sign-extension ops)
(assert_malformed
  (module binary
    "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00"
    "\03\02\01\00"
    "\0a\05\01\03\00\c5\0b")
  "illegal opcode")

;; SIMD prefix 0xfd is not supported yet
(assert_malformed
  (module binary
    "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00"
    "\03\02\01\00"
    "\0a\17\01\15\00\fd\0c\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\1a\0b")
  "illegal opcode")

;; 0xfc sub-opcode 0x12 is unknown
(assert_malformed
  (module binary
    "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00"
    "\03\02\01\00"
    "\0a\06\01\04\00\fc\12\0b")
  "illegal opcode")

;; 0xfc sub-opcode 0x80 0x01 (128) is unknown
(assert_malformed
  (module binary
    "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00"
    "\03\02\01\00"
    "\0a\07\01\05\00\fc\80\01\0b")
  "illegal opcode")

;; an illegal opcode in dead code
(assert_malformed
  (module binary
    "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00"
    "\03\02\01\00"
    "\0a\06\01\04\00\00\0a\0b")
  "illegal opcode")

;; 0xfc sub-opcode in a redundant LEB128 encoding (0x80 0x00 = i32.trunc_sat_f32_s)
(module binary
  "\00asm" "\01\00\00\00"
  "\01\04\01\60\00\00"
  "\03\02\01\00"
  "\0a\0d\01\0b\00\43\00\00\00\00\fc\80\00\1a\0b")

;; memory.size with reserved byte 1
(assert_malformed
  (module binary
    "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00"
    "\03\02\01\00"
    "\05\03\01\00\01"
    "\0a\07\01\05\00\3f\01\1a\0b")
  "zero byte expected")

;; memory.grow with reserved byte as a long LEB128 zero
(assert_malformed
  (module binary
    "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00"
    "\03\02\01\00"
    "\05\03\01\00\01"
    "\0a\0a\01\08\00\41\00\40\80\00\1a\0b")
  "zero byte expected")

;; memory.fill with reserved byte 1
(assert_malformed
  (module binary
    "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00"
    "\03\02\01\00"
    "\05\03\01\00\01"
    "\0a\0d\01\0b\00\41\00\41\00\41\00\fc\0b\01\0b")
  "zero byte expected")

;; memory.copy with second reserved byte 1
(assert_malformed
  (module binary
    "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00"
    "\03\02\01\00"
    "\05\03\01\00\01"
    "\0a\0e\01\0c\00\41\00\41\00\41\00\fc\0a\00\01\0b")
  "zero byte expected")

;; memory.init with reserved byte 1
(assert_malformed
  (module binary
    "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00"
    "\03\02\01\00"
    "\05\03\01\00\01"
    "\0c\01\01"
    "\0a\0e\01\0c\00\41\00\41\00\41\00\fc\08\00\01\0b"
    "\0b\03\01\01\00")
  "zero byte expected")

;; missing end between two functions
(assert_malformed
  (module binary
    "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00"
    "\03\03\02\00\00"
    "\0a\0c\02\04\00\41\01\1a\05\00\41\01\1a\0b")
  "END opcode expected")

;; missing end at the end of the module
(assert_malformed
  (module binary
    "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00"
    "\03\02\01\00"
    "\0a\06\01\04\00\41\01\1a")
  "unexpected end of section or function")

;; missing end, the next section starts with 0x0b
(assert_malformed
  (module binary
    "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00"
    "\03\02\01\00"
    "\0a\06\01\04\00\41\01\1a"
    "\0b\03\01\01\00")
  "section size mismatch")

;; bytes after the final end of a body
(assert_malformed
  (module binary
    "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00"
    "\03\02\01\00"
    "\0a\05\01\03\00\0b\01")
  "section size mismatch")

;; bytes after the final end of a body (another end)
(assert_malformed
  (module binary
    "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00"
    "\03\02\01\00"
    "\0a\05\01\03\00\0b\0b")
  "section size mismatch")

;; else inside a block
(assert_malformed
  (module binary
    "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00"
    "\03\02\01\00"
    "\0a\08\01\06\00\02\40\05\0b\0b")
  "END opcode expected")

;; else at function level
(assert_malformed
  (module binary
    "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00"
    "\03\02\01\00"
    "\0a\05\01\03\00\05\0b")
  "END opcode expected")

;; two else in one if
(assert_malformed
  (module binary
    "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00"
    "\03\02\01\00"
    "\0a\0b\01\09\00\41\00\04\40\05\05\0b\0b")
  "END opcode expected")

;; memory.init without a data count section
(assert_malformed
  (module binary
    "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00"
    "\03\02\01\00"
    "\05\03\01\00\01"
    "\0a\0e\01\0c\00\41\00\41\00\41\00\fc\08\00\00\0b"
    "\0b\03\01\01\00")
  "data count section required")

;; data.drop without a data count section
(assert_malformed
  (module binary
    "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00"
    "\03\02\01\00"
    "\05\03\01\00\01"
    "\0a\07\01\05\00\fc\09\00\0b"
    "\0b\03\01\01\00")
  "data count section required")

;; data.drop with a data count section
(module binary
  "\00asm" "\01\00\00\00"
  "\01\04\01\60\00\00"
  "\03\02\01\00"
  "\05\03\01\00\01"
  "\0c\01\01"
  "\0a\07\01\05\00\fc\09\00\0b"
  "\0b\03\01\01\00")

;; data.drop of a segment beyond the data count
(assert_invalid
  (module binary
    "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00"
    "\03\02\01\00"
    "\05\03\01\00\01"
    "\0c\01\01"
    "\0a\07\01\05\00\fc\09\01\0b"
    "\0b\03\01\01\00")
  "unknown data segment")

;; ref.null with a non-reference type
(assert_malformed
  (module binary
    "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00"
    "\03\02\01\00"
    "\0a\07\01\05\00\d0\7f\1a\0b")
  "malformed reference type")

;; typed select with an unknown type
(assert_malformed
  (module binary
    "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00"
    "\03\02\01\00"
    "\0a\0e\01\0c\00\41\00\41\00\41\00\1c\01\7a\1a\0b")
  "malformed value type")

;; block type 0x60 (a type constructor, not a value type)
(assert_malformed
  (module binary
    "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00"
    "\03\02\01\00"
    "\0a\07\01\05\00\02\60\0b\0b")
  "malformed value type")

;; local.get index in six LEB128 bytes
(assert_malformed
  (module binary
    "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00"
    "\03\02\01\00"
    "\0a\0e\01\0c\01\01\7f\20\80\80\80\80\80\00\1a\0b")
  "integer representation too long")

;; local.get index with bits beyond 32
(assert_malformed
  (module binary
    "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00"
    "\03\02\01\00"
    "\0a\0d\01\0b\01\01\7f\20\80\80\80\80\70\1a\0b")
  "integer too large")

;; i32.const with bits beyond 32
(assert_malformed
  (module binary
    "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00"
    "\03\02\01\00"
    "\0a\0b\01\09\00\41\80\80\80\80\70\1a\0b")
  "integer too large")

;; i64.const in eleven LEB128 bytes
(assert_malformed
  (module binary
    "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00"
    "\03\02\01\00"
    "\0a\11\01\0f\00\42\80\80\80\80\80\80\80\80\80\80\00\1a\0b")
  "integer representation too long")

;; block type index beyond 33 bits
(assert_malformed
  (module binary
    "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00"
    "\03\02\01\00"
    "\0a\0b\01\09\00\02\80\80\80\80\20\0b\0b")
  "integer too large")

;; br_table with more targets than bytes left in the module
(assert_malformed
  (module binary
    "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00"
    "\03\02\01\00"
    "\0a\08\01\06\00\41\00\0e\05\00")
  "length out of bounds")

;; typed select with more types than bytes left in the module
(assert_malformed
  (module binary
    "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00"
    "\03\02\01\00"
    "\0a\06\01\04\00\1c\7f\7f")
  "length out of bounds")

;; f64.const cut short by the end of the body
(assert_malformed
  (module binary
    "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00"
    "\03\02\01\00"
    "\0a\07\01\05\00\44\00\00\00")
  "unexpected end")

;; block type index in a redundant two-byte encoding
(module binary
  "\00asm" "\01\00\00\00"
  "\01\04\01\60\00\00"
  "\03\02\01\00"
  "\0a\08\01\06\00\02\80\00\0b\0b")

;; local index in a redundant five-byte encoding
(module binary
  "\00asm" "\01\00\00\00"
  "\01\04\01\60\00\00"
  "\03\02\01\00"
  "\0a\0d\01\0b\01\01\7f\20\80\80\80\80\00\1a\0b")

;; memarg with a large offset
(module binary
  "\00asm" "\01\00\00\00"
  "\01\04\01\60\00\00"
  "\03\02\01\00"
  "\05\03\01\00\01"
  "\0a\0e\01\0c\00\41\00\28\02\ff\ff\ff\ff\0f\1a\0b")

;; block type index 1 with one type
(assert_invalid
  (module binary
    "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00"
    "\03\02\01\00"
    "\0a\07\01\05\00\02\01\0b\0b")
  "unknown type")

;; negative block type index (-3 as a two-byte s33)
(assert_invalid
  (module binary
    "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00"
    "\03\02\01\00"
    "\0a\08\01\06\00\02\fd\7f\0b\0b")
  "unknown type")

;; loop type index 3 with one type
(assert_invalid
  (module binary
    "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00"
    "\03\02\01\00"
    "\0a\07\01\05\00\03\03\0b\0b")
  "unknown type")

;; if type index 1 with one type
(assert_invalid
  (module binary
    "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00"
    "\03\02\01\00"
    "\0a\09\01\07\00\41\00\04\01\0b\0b")
  "unknown type")

;; memory.init with a data count of 0
(assert_invalid
  (module binary
    "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00"
    "\03\02\01\00"
    "\05\03\01\00\01"
    "\0c\01\00"
    "\0a\0e\01\0c\00\41\00\41\00\41\00\fc\08\00\00\0b")
  "unknown data segment")

;; data.drop with a data count of 0
(assert_invalid
  (module binary
    "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00"
    "\03\02\01\00"
    "\0c\01\00"
    "\0a\07\01\05\00\fc\09\00\0b")
  "unknown data segment")

;; typed select with no type
(assert_invalid
  (module binary
    "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00"
    "\03\02\01\00"
    "\0a\08\01\06\00\41\01\1c\00\0b")
  "invalid result arity")

;; i32.load with alignment exponent 32
(assert_invalid
  (module binary
    "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00"
    "\03\02\01\00"
    "\05\03\01\00\01"
    "\0a\0a\01\08\00\41\00\28\20\00\1a\0b")
  "alignment must not be larger than natural")

;; i64.load8_u with alignment exponent 1
(assert_invalid
  (module binary
    "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00"
    "\03\02\01\00"
    "\05\03\01\00\01"
    "\0a\0a\01\08\00\41\00\31\01\00\1a\0b")
  "alignment must not be larger than natural")

;; typed select with two types
(assert_invalid
  (module binary
    "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00"
    "\03\02\01\00"
    "\0a\14\01\12\00\41\00\41\00\41\00\41\00\41\00\1c\02\7f\7f\1a\1a\0b")
  "invalid result arity")

;; a type error in function 0 and an illegal opcode in function 1
(assert_malformed
  (module binary
    "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00"
    "\03\03\02\00\00"
    "\0a\0a\02\04\00\42\00\0b\03\00\06\0b")
  "illegal opcode")

;; a type error, then an else inside a block in the same body
(assert_malformed
  (module binary
    "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00"
    "\03\02\01\00"
    "\0a\0a\01\08\00\42\00\02\40\05\0b\0b")
  "END opcode expected")

;; an invalid global, then a bad reserved byte in a body
(assert_malformed
  (module binary
    "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00"
    "\03\02\01\00"
    "\05\03\01\00\01"
    "\06\06\01\7f\00\42\00\0b"
    "\0a\07\01\05\00\3f\01\1a\0b")
  "zero byte expected")

;; a type error in function 0, function 1 is fine
(assert_invalid
  (module binary
    "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00"
    "\03\03\02\00\00"
    "\0a\09\02\04\00\42\00\0b\02\00\0b")
  "type mismatch")
