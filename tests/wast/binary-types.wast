;; Binary format: the type, import, function, table, memory, global, export and start
;; sections, and the value, reference, limit and global types they use.

;; Every value type but v128, multiple results, imports of every kind (from the spectest
;; module), definitions of every kind, exports of every kind, a start function.
(module binary
  "\00asm\01\00\00\00"
  "\01\13" "\03\60\06\7f\7e\7d\7c\70\6f\02\7f\7e\60\01\7f\00\60\00\00"
  "\02\54" "\04\08spectest\09print_i32\00\01\08spectest\05table\01\70\00\0a\08spectest\06memory\02\01\01\02\08spectest\0aglobal_i32\03\7f\00"
  "\03\03" "\02\00\02"
  "\04\08" "\02\6f\01\00\05\70\00\01"
  "\06\10" "\03\7e\01\42\07\0b\6f\00\d0\6f\0b\7f\00\23\00\0b"
  "\07\14" "\05\01f\00\01\01t\01\01\01m\02\00\01g\03\01\00\03\03"
  "\08\01" "\02"
  "\0a\0b" "\02\06\00\41\01\42\02\0b\02\00\0b"
)

;; Counts of zero, and a function type that is never used.
(module binary
  "\00asm\01\00\00\00"
  "\01\04" "\01\60\00\00"
  "\02\01" "\00"
  "\03\01" "\00"
  "\04\01" "\00"
  "\05\01" "\00"
  "\06\01" "\00"
  "\07\01" "\00"
  "\09\01" "\00"
  "\0a\01" "\00"
  "\0b\01" "\00"
)

;; Function types.
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\01\04" "\01\61\00\00"
  )
  "malformed function type"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\01\04" "\01\40\00\00"
  )
  "malformed function type"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\01\04" "\01\7f\00\00"
  )
  "malformed function type"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\01\05" "\01\e0\7f\00\00"
  )
  "integer representation too long"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\01\04" "\01\60\02\7f"
  )
  "unexpected end"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\01\05" "\01\60\05\7f\7f"
  )
  "length out of bounds"
)

;; Value types: the byte ranges of number, vector and reference types.
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\01\05" "\01\60\01\7a\00"
  )
  "malformed vector type"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\01\05" "\01\60\01\71\00"
  )
  "malformed vector type"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\01\05" "\01\60\01\6e\00"
  )
  "malformed reference type"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\01\05" "\01\60\01\40\00"
  )
  "malformed reference type"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\01\05" "\01\60\01\00\00"
  )
  "malformed reference type"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\01\05" "\01\60\01\60\00"
  )
  "malformed reference type"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\01\05" "\01\60\01\ff\00"
  )
  "integer representation too long"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\01\05" "\01\60\01\80\00"
  )
  "integer representation too long"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\01\05" "\01\60\00\01\41"
  )
  "malformed reference type"
)

;; Import kinds.
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\02\0e" "\01\08spectest\01x\04\00"
  )
  "malformed import kind"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\02\0e" "\01\08spectest\01x\05\00"
  )
  "malformed import kind"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\02\0e" "\01\08spectest\01x\7f\00"
  )
  "malformed import kind"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\02\0e" "\01\08spectest\01x\80\00"
  )
  "malformed import kind"
)

;; Import names must be UTF-8: a lone continuation byte, an overlong encoding, a surrogate,
;; a code point above U+10FFFF, a truncated sequence, a byte that is never UTF-8.
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\01\04" "\01\60\00\00"
    "\02\07" "\01\01\80\01x\00\00"
  )
  "malformed UTF-8 encoding"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\01\04" "\01\60\00\00"
    "\02\0e" "\01\08spectest\01\80\00\00"
  )
  "malformed UTF-8 encoding"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\01\04" "\01\60\00\00"
    "\02\08" "\01\02\c0\80\01x\00\00"
  )
  "malformed UTF-8 encoding"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\01\04" "\01\60\00\00"
    "\02\0f" "\01\08spectest\02\c0\80\00\00"
  )
  "malformed UTF-8 encoding"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\01\04" "\01\60\00\00"
    "\02\09" "\01\03\e0\80\80\01x\00\00"
  )
  "malformed UTF-8 encoding"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\01\04" "\01\60\00\00"
    "\02\10" "\01\08spectest\03\e0\80\80\00\00"
  )
  "malformed UTF-8 encoding"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\01\04" "\01\60\00\00"
    "\02\09" "\01\03\ed\a0\80\01x\00\00"
  )
  "malformed UTF-8 encoding"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\01\04" "\01\60\00\00"
    "\02\10" "\01\08spectest\03\ed\a0\80\00\00"
  )
  "malformed UTF-8 encoding"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\01\04" "\01\60\00\00"
    "\02\0a" "\01\04\f4\90\80\80\01x\00\00"
  )
  "malformed UTF-8 encoding"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\01\04" "\01\60\00\00"
    "\02\11" "\01\08spectest\04\f4\90\80\80\00\00"
  )
  "malformed UTF-8 encoding"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\01\04" "\01\60\00\00"
    "\02\08" "\01\02\e2\82\01x\00\00"
  )
  "malformed UTF-8 encoding"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\01\04" "\01\60\00\00"
    "\02\0f" "\01\08spectest\02\e2\82\00\00"
  )
  "malformed UTF-8 encoding"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\01\04" "\01\60\00\00"
    "\02\07" "\01\01\fe\01x\00\00"
  )
  "malformed UTF-8 encoding"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\01\04" "\01\60\00\00"
    "\02\0e" "\01\08spectest\01\fe\00\00"
  )
  "malformed UTF-8 encoding"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\01\04" "\01\60\00\00"
    "\02\08" "\01\02a\ff\01x\00\00"
  )
  "malformed UTF-8 encoding"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\01\04" "\01\60\00\00"
    "\02\0f" "\01\08spectest\02a\ff\00\00"
  )
  "malformed UTF-8 encoding"
)

;; Valid UTF-8 names: the empty name, NUL, the largest code point, a byte order mark.
(module binary
  "\00asm\01\00\00\00"
  "\01\05" "\01\60\01\7f\00"
  "\03\05" "\04\00\00\00\00"
  "\07\15" "\04\00\00\00\01\00\00\01\04\f4\8f\bf\bf\00\02\03\ef\bb\bf\00\03"
  "\0a\0d" "\04\02\00\0b\02\00\0b\02\00\0b\02\00\0b"
)

;; Names longer than what is left.
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\02\06" "\01\08spec"
  )
  "length out of bounds"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\02\07\01\05spec"
  )
  "unexpected end"
)

;; Imported types.
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\02\18" "\01\08spectest\0aglobal_i32\03\7f\02"
  )
  "malformed mutability"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\02\18" "\01\08spectest\0aglobal_i32\03\40\00"
  )
  "malformed reference type"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\02\14" "\01\08spectest\05table\01\7f\00\0a"
  )
  "malformed reference type"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\02\14" "\01\08spectest\05table\01\70\02\0a"
  )
  "integer too large"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\02\14" "\01\08spectest\06memory\02\02\01"
  )
  "integer too large"
)

;; Tables.
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\04\04" "\01\7f\00\00"
  )
  "malformed reference type"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\04\04" "\01\40\00\00"
  )
  "malformed reference type"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\04\05" "\01\f0\01\00\00"
  )
  "integer representation too long"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\04\04" "\01\70\02\00"
  )
  "integer too large"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\04\02" "\01\70"
  )
  "unexpected end"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\04\04" "\02\70\00\00"
  )
  "unexpected end"
)

;; Memories.
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\05\03" "\01\02\00"
  )
  "integer too large"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\05\04" "\01\04\00\00"
  )
  "integer too large"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\05\03" "\01\01\00"
  )
  "unexpected end"
)

;; Globals.
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\06\06" "\01\7f\02\41\00\0b"
  )
  "malformed mutability"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\06\06" "\01\7f\80\41\00\0b"
  )
  "malformed mutability"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\06\06" "\01\7f\ff\41\00\0b"
  )
  "malformed mutability"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\06\06" "\01\6e\00\41\00\0b"
  )
  "malformed reference type"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\06\05" "\01\7f\00\41\00"
  )
  "unexpected end"
)

;; Exports.
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\01\04" "\01\60\00\00"
    "\03\02" "\01\00"
    "\07\05" "\01\01f\04\00"
    "\0a\04" "\01\02\00\0b"
  )
  "malformed export kind"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\01\04" "\01\60\00\00"
    "\03\02" "\01\00"
    "\07\05" "\01\01f\80\00"
    "\0a\04" "\01\02\00\0b"
  )
  "malformed export kind"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\01\04" "\01\60\00\00"
    "\03\02" "\01\00"
    "\07\06" "\01\02\c1\bf\00\00"
    "\0a\04" "\01\02\00\0b"
  )
  "malformed UTF-8 encoding"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\01\04" "\01\60\00\00"
    "\03\02" "\01\00"
    "\07\05" "\02\01f\00\00"
  )
  "unexpected end"
)

;; Start.
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\01\04" "\01\60\00\00"
    "\03\02" "\01\00"
    "\08\06" "\80\80\80\80\80\00"
    "\0a\04" "\01\02\00\0b"
  )
  "integer representation too long"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\01\04" "\01\60\00\00"
    "\03\02" "\01\00"
    "\08\02" "\00\00"
    "\0a\04" "\01\02\00\0b"
  )
  "section size mismatch"
)
