;; Binary format: element segments (flags 0 to 7), data segments (flags 0 to 2) and the
;; data count section.

;; All eight element segment encodings.
(module binary
  "\00asm\01\00\00\00"
  "\01\04" "\01\60\00\00"
  "\03\03" "\02\00\00"
  "\04\07" "\02\70\00\0a\6f\00\0a"
  "\09\3d" "\08\00\41\00\0b\02\00\01\01\00\01\01\02\00\41\02\0b\00\01\00\03\00\02\00\01\04\41\03\0b\02\d2\00\0b\d0\70\0b\05\70\01\d2\01\0b\06\01\41\00\0b\6f\02\d0\6f\0b\d0\6f\0b\07\70\01\d2\00\0b"
  "\0a\07" "\02\02\00\0b\02\00\0b"
)

;; Table and memory indices in non-minimal encodings; empty segments.
(module binary
  "\00asm\01\00\00\00"
  "\01\04" "\01\60\00\00"
  "\03\03" "\02\00\00"
  "\04\07" "\02\70\00\0a\6f\00\0a"
  "\05\03" "\01\00\01"
  "\09\17" "\03\02\80\00\41\00\0b\00\00\06\81\80\80\80\00\41\00\0b\6f\00\01\00\00"
  "\0a\07" "\02\02\00\0b\02\00\0b"
  "\0b\10" "\03\02\80\80\00\41\00\0b\00\01\00\00\41\00\0b\00"
)

;; Element segment flags beyond 7, and the LEB128 rules for them.
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\01\04" "\01\60\00\00"
    "\03\03" "\02\00\00"
    "\04\07" "\02\70\00\0a\6f\00\0a"
    "\09\06" "\01\08\41\00\0b\00"
    "\0a\07" "\02\02\00\0b\02\00\0b"
  )
  "malformed elements segment kind"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\01\04" "\01\60\00\00"
    "\03\03" "\02\00\00"
    "\04\07" "\02\70\00\0a\6f\00\0a"
    "\09\06" "\01\7f\41\00\0b\00"
    "\0a\07" "\02\02\00\0b\02\00\0b"
  )
  "malformed elements segment kind"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\01\04" "\01\60\00\00"
    "\03\03" "\02\00\00"
    "\04\07" "\02\70\00\0a\6f\00\0a"
    "\09\0a" "\01\ff\ff\ff\ff\0f\41\00\0b\00"
    "\0a\07" "\02\02\00\0b\02\00\0b"
  )
  "malformed elements segment kind"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\01\04" "\01\60\00\00"
    "\03\03" "\02\00\00"
    "\04\07" "\02\70\00\0a\6f\00\0a"
    "\09\0b" "\01\80\80\80\80\80\00\41\00\0b\00"
    "\0a\07" "\02\02\00\0b\02\00\0b"
  )
  "integer representation too long"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\01\04" "\01\60\00\00"
    "\03\03" "\02\00\00"
    "\04\07" "\02\70\00\0a\6f\00\0a"
    "\09\0a" "\01\80\80\80\80\10\41\00\0b\00"
    "\0a\07" "\02\02\00\0b\02\00\0b"
  )
  "integer too large"
)

;; The element kind byte of flags 1 to 3 must be 0x00 (funcref).
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\01\04" "\01\60\00\00"
    "\03\03" "\02\00\00"
    "\04\07" "\02\70\00\0a\6f\00\0a"
    "\09\04" "\01\01\01\00"
    "\0a\07" "\02\02\00\0b\02\00\0b"
  )
  "malformed element kind"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\01\04" "\01\60\00\00"
    "\03\03" "\02\00\00"
    "\04\07" "\02\70\00\0a\6f\00\0a"
    "\09\08" "\01\02\00\41\00\0b\01\00"
    "\0a\07" "\02\02\00\0b\02\00\0b"
  )
  "malformed element kind"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\01\04" "\01\60\00\00"
    "\03\03" "\02\00\00"
    "\04\07" "\02\70\00\0a\6f\00\0a"
    "\09\04" "\01\03\01\00"
    "\0a\07" "\02\02\00\0b\02\00\0b"
  )
  "malformed element kind"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\01\04" "\01\60\00\00"
    "\03\03" "\02\00\00"
    "\04\07" "\02\70\00\0a\6f\00\0a"
    "\09\04" "\01\01\70\00"
    "\0a\07" "\02\02\00\0b\02\00\0b"
  )
  "malformed element kind"
)

;; The reference type of flags 5 to 7.
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\01\04" "\01\60\00\00"
    "\03\03" "\02\00\00"
    "\04\07" "\02\70\00\0a\6f\00\0a"
    "\09\07" "\01\05\7f\01\d2\00\0b"
    "\0a\07" "\02\02\00\0b\02\00\0b"
  )
  "malformed reference type"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\01\04" "\01\60\00\00"
    "\03\03" "\02\00\00"
    "\04\07" "\02\70\00\0a\6f\00\0a"
    "\09\07" "\01\07\00\01\d2\00\0b"
    "\0a\07" "\02\02\00\0b\02\00\0b"
  )
  "malformed reference type"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\01\04" "\01\60\00\00"
    "\03\03" "\02\00\00"
    "\04\07" "\02\70\00\0a\6f\00\0a"
    "\09\08" "\01\06\00\41\00\0b\7e\00"
    "\0a\07" "\02\02\00\0b\02\00\0b"
  )
  "malformed reference type"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\01\04" "\01\60\00\00"
    "\03\03" "\02\00\00"
    "\04\07" "\02\70\00\0a\6f\00\0a"
    "\09\07" "\01\05\70\01\d0\6e\0b"
    "\0a\07" "\02\02\00\0b\02\00\0b"
  )
  "malformed reference type"
)

;; Segments cut short, or with more items than bytes.
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\01\04" "\01\60\00\00"
    "\03\03" "\02\00\00"
    "\04\07" "\02\70\00\0a\6f\00\0a"
    "\09\07" "\02\00\41\00\0b\01\00"
  )
  "unexpected end"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\01\04" "\01\60\00\00"
    "\03\03" "\02\00\00"
    "\04\07" "\02\70\00\0a\6f\00\0a"
    "\09\0a" "\02\00\41\00\0b\01\00\00\41\00"
  )
  "unexpected end"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\01\04" "\01\60\00\00"
    "\03\03" "\02\00\00"
    "\04\07" "\02\70\00\0a\6f\00\0a"
    "\09\05" "\01\01\00\7f\00"
    "\0a\07" "\02\02\00\0b\02\00\0b"
  )
  "length out of bounds"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\01\04" "\01\60\00\00"
    "\03\03" "\02\00\00"
    "\04\07" "\02\70\00\0a\6f\00\0a"
    "\09\07" "\01\05\70\02\d2\00\0b"
  )
  "unexpected end"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\01\04" "\01\60\00\00"
    "\03\03" "\02\00\00"
    "\04\07" "\02\70\00\0a\6f\00\0a"
    "\09\06" "\01\01\00\01\00"
    "\0a\07" "\02\02\00\0b\02\00\0b"
  )
  "section size mismatch"
)

;; Data segment flags beyond 2.
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\05\03" "\01\00\01"
    "\0b\03" "\01\03\00"
  )
  "malformed data segment kind"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\05\03" "\01\00\01"
    "\0b\03" "\01\04\00"
  )
  "malformed data segment kind"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\05\03" "\01\00\01"
    "\0b\04" "\01\80\01\00"
  )
  "malformed data segment kind"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\05\03" "\01\00\01"
    "\0b\08" "\01\80\80\80\80\80\00\00"
  )
  "integer representation too long"
)

;; Data bytes: declared longer than the section, longer than the module, shorter.
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\05\03" "\01\00\01"
    "\0b\07\01\00\41\00\0b\03ab"
  )
  "unexpected end"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\05\03" "\01\00\01"
    "\0b\06" "\01\01\05abc"
  )
  "length out of bounds"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\05\03" "\01\00\01"
    "\0b\06" "\01\01\02abc"
  )
  "section size mismatch"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\05\03" "\01\00\01"
    "\0b\04" "\02\01\01a"
  )
  "unexpected end"
)

;; The data count section: it must match the data section, which may be absent only when
;; the count is 0.
(module binary
  "\00asm\01\00\00\00"
  "\05\03" "\01\00\01"
  "\0c\01" "\02"
  "\0b\09" "\02\01\00\00\41\00\0b\01x"
)
(module binary
  "\00asm\01\00\00\00"
  "\05\03" "\01\00\01"
  "\0c\01" "\00"
)
(module binary
  "\00asm\01\00\00\00"
  "\05\03" "\01\00\01"
  "\0c\01" "\00"
  "\0b\01" "\00"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\05\03" "\01\00\01"
    "\0c\01" "\01"
  )
  "data count and data section have inconsistent lengths"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\05\03" "\01\00\01"
    "\0c\01" "\00"
    "\0b\03" "\01\01\00"
  )
  "data count and data section have inconsistent lengths"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\05\03" "\01\00\01"
    "\0c\01" "\03"
    "\0b\05" "\02\01\00\01\00"
  )
  "data count and data section have inconsistent lengths"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\05\03" "\01\00\01"
    "\0c\05" "\80\80\80\80\10"
  )
  "integer too large"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\05\03" "\01\00\01"
    "\0c\00" ""
  )
  "unexpected end"
)
