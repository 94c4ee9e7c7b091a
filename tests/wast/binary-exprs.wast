;; Binary format: constant expressions (global initializers, segment offsets, element
;; expressions). The decoder reads them instruction by instruction up to their `end`.

;; Every kind of constant instruction, and non-minimal immediates.
(module binary
  "\00asm\01\00\00\00"
  "\01\08" "\02\60\00\00\60\00\01\70"
  "\02\18" "\01\08spectest\0aglobal_i32\03\7f\00"
  "\03\04" "\03\00\01\01"
  "\04\05" "\01\70\00\e8\07"
  "\05\03" "\01\00\01"
  "\06\38" "\08\7f\00\41\80\80\80\80\00\0b\7e\00\42\7f\0b\7d\00\43\00\00\80\3f\0b\7c\00\44\00\00\00\00\00\00\f0\3f\0b\70\00\d0\70\0b\6f\00\d0\6f\0b\70\00\d2\01\0b\7f\00\23\80\00\0b"
  "\09\12" "\02\00\23\00\0b\01\00\04\41\00\0b\02\d2\00\0b\d0\70\0b"
  "\0a\0e" "\03\02\00\0b\04\00\d2\01\0b\04\00\d2\00\0b"
  "\0b\0e" "\02\00\23\00\0b\02hi\02\00\41\04\0b\00"
)

;; Functions named by ref.func in a global initializer, an export, an element segment (index
;; or expression form, active, passive or declarative) may be named by ref.func in a body.
(module binary
  "\00asm\01\00\00\00"
  "\01\08" "\02\60\00\00\60\00\01\70"
  "\03\07" "\06\00\00\00\00\00\01"
  "\06\06" "\01\70\00\d2\00\0b"
  "\07\07" "\01\03one\00\01"
  "\09\0f" "\03\01\00\01\02\07\70\01\d2\03\0b\03\00\01\04"
  "\0a\21" "\06\02\00\0b\02\00\0b\02\00\0b\02\00\0b\02\00\0b\10\00\d2\00\1a\d2\01\1a\d2\02\1a\d2\03\1a\d2\04\0b"
)

;; Opcodes that are no instruction.
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\06\05" "\01\7f\00\06\0b"
  )
  "illegal opcode"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\06\05" "\01\7f\00\0a\0b"
  )
  "illegal opcode"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\06\05" "\01\7f\00\12\0b"
  )
  "illegal opcode"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\06\05" "\01\7f\00\27\0b"
  )
  "illegal opcode"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\06\05" "\01\7f\00\c5\0b"
  )
  "illegal opcode"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\06\05" "\01\7f\00\d3\0b"
  )
  "illegal opcode"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\06\06" "\01\7f\00\fd\00\0b"
  )
  "illegal opcode"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\06\06" "\01\7f\00\fc\12\0b"
  )
  "illegal opcode"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\06\07" "\01\7f\00\fc\80\01\0b"
  )
  "illegal opcode"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\06\05" "\01\7f\00\ff\0b"
  )
  "illegal opcode"
)

;; `else` outside an `if`, or twice; a missing `end`.
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\06\07" "\01\7f\00\41\00\05\0b"
  )
  "END opcode expected"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\06\0a" "\01\7f\00\02\40\05\0b\41\00\0b"
  )
  "END opcode expected"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\06\0b" "\01\7f\00\04\40\05\05\0b\41\00\0b"
  )
  "END opcode expected"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\06\05" "\01\7f\00\41\00"
  )
  "unexpected end"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\06\06" "\01\7f\00\02\40\0b"
  )
  "unexpected end"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\06\05" "\01\7f\00\41\00"
    "\0a\01" "\00"
  )
  "illegal opcode"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\05\03" "\01\00\01"
    "\0b\04" "\01\00\41\00"
  )
  "unexpected end"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\04\04" "\01\70\00\01"
    "\09\04" "\01\00\41\00"
  )
  "unexpected end"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\04\04" "\01\70\00\01"
    "\09\08" "\01\04\41\00\0b\01\d0\70"
  )
  "unexpected end"
)

;; Malformed immediates.
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\06\06" "\01\70\00\d0\7f\0b"
  )
  "malformed reference type"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\06\06" "\01\70\00\d0\00\0b"
  )
  "malformed reference type"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\05\03" "\01\00\01"
    "\06\06" "\01\7f\00\3f\01\0b"
  )
  "zero byte expected"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\06\0b" "\01\7f\00\23\80\80\80\80\80\00\0b"
  )
  "integer representation too long"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\06\0a" "\01\70\00\d2\80\80\80\80\10\0b"
  )
  "integer too large"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\05\03" "\01\00\01"
    "\0b\0b" "\01\00\41\80\80\80\80\80\00\0b\00"
  )
  "integer representation too long"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\04\04" "\01\70\00\01"
    "\09\0a" "\01\00\41\ff\ff\ff\ff\4f\0b\00"
  )
  "integer too large"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\06\07" "\01\7d\00\43\00\00\80"
  )
  "unexpected end"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\06\0b" "\01\7c\00\44\00\00\00\00\00\00\f0"
  )
  "unexpected end"
)

;; Well-formed but not constant: refused by validation, not by decoding.
(assert_invalid
  (module binary
    "\00asm\01\00\00\00"
    "\06\09" "\01\7f\00\41\01\41\02\6a\0b"
  )
  "constant expression required"
)
(assert_invalid
  (module binary
    "\00asm\01\00\00\00"
    "\06\09" "\01\7f\00\02\7f\41\00\0b\0b"
  )
  "constant expression required"
)
