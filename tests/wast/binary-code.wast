;; Binary format: the function and code sections, local declarations and the bounds of
;; function bodies.

;; Local declarations: several groups, counts of zero, every value type but v128.
(module binary
  "\00asm\01\00\00\00"
  "\01\0a" "\02\60\00\00\60\02\7f\7f\01\7f"
  "\03\03" "\02\00\01"
  "\0a\1a" "\02\10\07\00\7f\02\7e\00\7d\01\7c\03\70\01\6f\02\7f\0b\07\00\20\00\20\01\6a\0b"
)

;; 1000 locals in one group; a count in 5 bytes.
(module binary
  "\00asm\01\00\00\00"
  "\01\0a" "\02\60\00\00\60\02\7f\7f\01\7f"
  "\03\03" "\02\00\00"
  "\0a\10" "\02\05\01\e8\07\7f\0b\08\01\85\80\80\80\00\7e\0b"
)

;; Function and code sections both absent, or both empty.
(module binary
  "\00asm\01\00\00\00"
  "\01\0a" "\02\60\00\00\60\02\7f\7f\01\7f"
)
(module binary
  "\00asm\01\00\00\00"
  "\01\0a" "\02\60\00\00\60\02\7f\7f\01\7f"
  "\03\01" "\00"
  "\0a\01" "\00"
)
(module binary
  "\00asm\01\00\00\00"
  "\01\0a" "\02\60\00\00\60\02\7f\7f\01\7f"
  "\03\01" "\00"
)
(module binary
  "\00asm\01\00\00\00"
  "\01\0a" "\02\60\00\00\60\02\7f\7f\01\7f"
  "\0a\01" "\00"
)

;; The function and code sections must have as many entries.
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\01\0a" "\02\60\00\00\60\02\7f\7f\01\7f"
    "\03\02" "\01\00"
  )
  "function and code section have inconsistent lengths"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\01\0a" "\02\60\00\00\60\02\7f\7f\01\7f"
    "\03\03" "\02\00\00"
    "\0a\04" "\01\02\00\0b"
  )
  "function and code section have inconsistent lengths"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\01\0a" "\02\60\00\00\60\02\7f\7f\01\7f"
    "\03\02" "\01\00"
    "\0a\07" "\02\02\00\0b\02\00\0b"
  )
  "function and code section have inconsistent lengths"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\01\0a" "\02\60\00\00\60\02\7f\7f\01\7f"
    "\0a\04" "\01\02\00\0b"
  )
  "function and code section have inconsistent lengths"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\01\0a" "\02\60\00\00\60\02\7f\7f\01\7f"
    "\03\01" "\00"
    "\0a\04" "\01\02\00\0b"
  )
  "function and code section have inconsistent lengths"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\01\0a" "\02\60\00\00\60\02\7f\7f\01\7f"
    "\03\02" "\01\00"
    "\0a\01" "\00"
  )
  "function and code section have inconsistent lengths"
)

;; Too many locals: the counts of a body add up to 2^32 or more.
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\01\0a" "\02\60\00\00\60\02\7f\7f\01\7f"
    "\03\02" "\01\00"
    "\0a\0c" "\01\0a\02\ff\ff\ff\ff\0f\7f\01\7e\0b"
  )
  "too many locals"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\01\0a" "\02\60\00\00\60\02\7f\7f\01\7f"
    "\03\02" "\01\00"
    "\0a\10" "\01\0e\02\80\80\80\80\08\7f\80\80\80\80\08\7f\0b"
  )
  "too many locals"
)

;; Malformed local declarations.
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\01\0a" "\02\60\00\00\60\02\7f\7f\01\7f"
    "\03\02" "\01\00"
    "\0a\0a" "\01\08\01\80\80\80\80\10\7f\0b"
  )
  "integer too large"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\01\0a" "\02\60\00\00\60\02\7f\7f\01\7f"
    "\03\02" "\01\00"
    "\0a\0b" "\01\09\01\80\80\80\80\80\00\7f\0b"
  )
  "integer representation too long"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\01\0a" "\02\60\00\00\60\02\7f\7f\01\7f"
    "\03\02" "\01\00"
    "\0a\06" "\01\04\01\01\40\0b"
  )
  "malformed reference type"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\01\0a" "\02\60\00\00\60\02\7f\7f\01\7f"
    "\03\02" "\01\00"
    "\0a\06" "\01\04\01\01\72\0b"
  )
  "malformed vector type"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\01\0a" "\02\60\00\00\60\02\7f\7f\01\7f"
    "\03\02" "\01\00"
    "\0a\06" "\01\04\7f\01\7f\0b"
  )
  "length out of bounds"
)

;; Body sizes.
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\01\0a" "\02\60\00\00\60\02\7f\7f\01\7f"
    "\03\02" "\01\00"
    "\0a\04" "\01\05\00\0b"
  )
  "length out of bounds"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\01\0a" "\02\60\00\00\60\02\7f\7f\01\7f"
    "\03\02" "\01\00"
    "\0a\05\01\03\00\0b"
  )
  "unexpected end"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\01\0a" "\02\60\00\00\60\02\7f\7f\01\7f"
    "\03\02" "\01\00"
    "\0a\07\01\02\00\0b\01\01\01"
  )
  "section size mismatch"
)

;; A body's local declarations may not run past its end (the reference decoder reads on,
;; then finds the body longer than declared).
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\01\0a" "\02\60\00\00\60\02\7f\7f\01\7f"
    "\03\02" "\01\00"
    "\0a\06" "\01\01\01\01\7f\0b"
  )
  "section size mismatch"
)

;; A body must end with the `end` of its instruction sequence. The reference decoder reads
;; a body's instructions without regard to its size, so a missing `end` is reported as what
;; that reading meets: the end of the module, the next body's size byte (not an
;; instruction that can continue), or a section id 0x0B taken for `end`.
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\01\0a" "\02\60\00\00\60\02\7f\7f\01\7f"
    "\03\02" "\01\00"
    "\0a\06" "\01\04\00\41\01\1a"
  )
  "unexpected end of section or function"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\01\0a" "\02\60\00\00\60\02\7f\7f\01\7f"
    "\03\03" "\02\00\00"
    "\0a\0c" "\02\04\00\41\01\1a\05\00\41\01\1a\0b"
  )
  "END opcode expected"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\01\0a" "\02\60\00\00\60\02\7f\7f\01\7f"
    "\03\02" "\01\00"
    "\0a\06" "\01\04\00\41\01\1a"
    "\0b\01" "\00"
  )
  "section size mismatch"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\01\0a" "\02\60\00\00\60\02\7f\7f\01\7f"
    "\03\02" "\01\00"
    "\0a\05" "\01\03\00\0b\01"
  )
  "section size mismatch"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\01\0a" "\02\60\00\00\60\02\7f\7f\01\7f"
    "\03\02" "\01\00"
    "\0a\05" "\01\03\00\05\0b"
  )
  "END opcode expected"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\01\0a" "\02\60\00\00\60\02\7f\7f\01\7f"
    "\03\02" "\01\00"
    "\0a\06" "\01\04\00\02\40\0b"
  )
  "unexpected end"
)

;; An immediate that runs past the body: read on into the next section, where the LEB128
;; turns out too long (the code section itself looks consistent).
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\01\0a" "\02\60\00\00\60\02\7f\7f\01\7f"
    "\03\02" "\01\00"
    "\05\03" "\01\00\01"
    "\0a\08" "\01\06\00\41\00\28\02\82"
    "\80\80\80\80\00\1a\0b"
  )
  "integer representation too long"
)

;; Malformed instructions inside bodies (these are found when bodies are decoded, by the
;; validator's pass over them).
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\01\0a" "\02\60\00\00\60\02\7f\7f\01\7f"
    "\03\02" "\01\00"
    "\0a\05" "\01\03\00\06\0b"
  )
  "illegal opcode"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\01\0a" "\02\60\00\00\60\02\7f\7f\01\7f"
    "\03\02" "\01\00"
    "\0a\06" "\01\04\00\fc\12\0b"
  )
  "illegal opcode"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\01\0a" "\02\60\00\00\60\02\7f\7f\01\7f"
    "\03\02" "\01\00"
    "\05\03" "\01\00\01"
    "\0a\07" "\01\05\00\3f\01\1a\0b"
  )
  "zero byte expected"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\01\0a" "\02\60\00\00\60\02\7f\7f\01\7f"
    "\03\02" "\01\00"
    "\05\03" "\01\00\01"
    "\0a\0a" "\01\08\00\41\00\40\80\00\1a\0b"
  )
  "zero byte expected"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\01\0a" "\02\60\00\00\60\02\7f\7f\01\7f"
    "\03\02" "\01\00"
    "\0a\0b" "\01\09\00\41\80\80\80\80\70\1a\0b"
  )
  "integer too large"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\01\0a" "\02\60\00\00\60\02\7f\7f\01\7f"
    "\03\02" "\01\00"
    "\05\03" "\01\00\01"
    "\0a\0e" "\01\0c\00\41\00\41\00\41\00\fc\08\00\00\0b"
    "\0b\03" "\01\01\00"
  )
  "data count section required"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\01\0a" "\02\60\00\00\60\02\7f\7f\01\7f"
    "\03\02" "\01\00"
    "\05\03" "\01\00\01"
    "\0a\07" "\01\05\00\fc\09\00\0b"
    "\0b\03" "\01\01\00"
  )
  "data count section required"
)
