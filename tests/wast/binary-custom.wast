;; Binary format: custom sections, which may appear anywhere and never make a module fail
;; except through their own framing (size, name); the name section is one of them.

;; Custom sections before, between and after all other sections, twice each.
(module binary
  "\00asm\01\00\00\00"
  "\00\0e" "\06custompayload"
  "\00\0e" "\06custompayload"
  "\01\04" "\01\60\00\00"
  "\00\0e" "\06custompayload"
  "\00\0e" "\06custompayload"
  "\02\01" "\00"
  "\00\0e" "\06custompayload"
  "\00\0e" "\06custompayload"
  "\03\02" "\01\00"
  "\00\0e" "\06custompayload"
  "\00\0e" "\06custompayload"
  "\04\04" "\01\70\00\01"
  "\00\0e" "\06custompayload"
  "\00\0e" "\06custompayload"
  "\05\03" "\01\00\01"
  "\00\0e" "\06custompayload"
  "\00\0e" "\06custompayload"
  "\06\06" "\01\7f\00\41\00\0b"
  "\00\0e" "\06custompayload"
  "\00\0e" "\06custompayload"
  "\07\05" "\01\01f\00\00"
  "\00\0e" "\06custompayload"
  "\00\0e" "\06custompayload"
  "\08\01" "\00"
  "\00\0e" "\06custompayload"
  "\00\0e" "\06custompayload"
  "\09\07" "\01\00\41\00\0b\01\00"
  "\00\0e" "\06custompayload"
  "\00\0e" "\06custompayload"
  "\0c\01" "\01"
  "\00\0e" "\06custompayload"
  "\00\0e" "\06custompayload"
  "\0a\04" "\01\02\00\0b"
  "\00\0e" "\06custompayload"
  "\00\0e" "\06custompayload"
  "\0b\03" "\01\01\00"
  "\00\0e" "\06custompayload"
  "\00\0e" "\06custompayload"
)

;; Names and payloads: empty, NUL bytes, multi-byte UTF-8, a byte order mark, a module
;; inside a custom section.
(module binary
  "\00asm\01\00\00\00"
  "\00\01" "\00"
  "\00\04" "\00\00\00\00"
  "\00\02" "\01\00"
  "\00\0b" "\03\00a\00payload"
  "\00\08" "\07\e2\8c\a3\f0\9f\98\80"
  "\00\08" "\07\ef\bb\bfname"
  "\00\15" "\06module\00asm\01\00\00\00\01\04\01\60\00\00"
)

;; Custom sections that cannot be framed.
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\00"
  )
  "unexpected end"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\00\00"
  )
  "unexpected end"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\00\00\05\01\00\07\00\00"
  )
  "unexpected end"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\00\03\05abcdef"
  )
  "unexpected end"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\00\01\80"
  )
  "unexpected end"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\00\0a\04name"
  )
  "length out of bounds"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\00\05\09name"
  )
  "length out of bounds"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\00\06\80\80\80\80\80\00"
  )
  "integer representation too long"
)

;; A custom section whose size swallows the next section's id byte.
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\00\08\06custom" "\00\0e\06custom"
  )
  "malformed section id"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\01\04" "\01\60\00\00"
    "\00\03\01a\03"
    "\02\01\00"
    "\0a\04" "\01\02\00\0b"
  )
  "function and code section have inconsistent lengths"
)

;; Custom section names must be UTF-8.
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\00\09" "\01\80payload"
  )
  "malformed UTF-8 encoding"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\00\09" "\01\bfpayload"
  )
  "malformed UTF-8 encoding"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\00\0a" "\02\c0\80payload"
  )
  "malformed UTF-8 encoding"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\00\0a" "\02\c1\bfpayload"
  )
  "malformed UTF-8 encoding"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\00\09" "\01\c2payload"
  )
  "malformed UTF-8 encoding"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\00\0b" "\03\e0\9f\bfpayload"
  )
  "malformed UTF-8 encoding"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\00\0b" "\03\ed\bf\bfpayload"
  )
  "malformed UTF-8 encoding"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\00\0c" "\04\f0\8f\bf\bfpayload"
  )
  "malformed UTF-8 encoding"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\00\0c" "\04\f4\90\80\80payload"
  )
  "malformed UTF-8 encoding"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\00\0c" "\04\f5\80\80\80payload"
  )
  "malformed UTF-8 encoding"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\00\0d" "\05\f8\88\80\80\80payload"
  )
  "malformed UTF-8 encoding"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\00\09" "\01\ffpayload"
  )
  "malformed UTF-8 encoding"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\00\0b" "\03a\e2\82payload"
  )
  "malformed UTF-8 encoding"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\00\0b" "\03\e2\82apayload"
  )
  "malformed UTF-8 encoding"
)

;; The name section: module name, function names, local names, an unknown subsection.
(module binary
  "\00asm\01\00\00\00"
  "\01\04" "\01\60\00\00"
  "\03\03" "\02\00\00"
  "\0a\07" "\02\02\00\0b\02\00\0b"
  "\00\27" "\04name\00\04\03mod\01\10\02\00\05first\01\06second\02\03\01\00\00\0c\03\01\02\03"
)

;; The name section may come first, and twice; malformed name sections are ignored.
(module binary
  "\00asm\01\00\00\00"
  "\00\27" "\04name\00\04\03mod\01\10\02\00\05first\01\06second\02\03\01\00\00\0c\03\01\02\03"
  "\01\04" "\01\60\00\00"
  "\03\03" "\02\00\00"
  "\0a\07" "\02\02\00\0b\02\00\0b"
  "\00\27" "\04name\00\04\03mod\01\10\02\00\05first\01\06second\02\03\01\00\00\0c\03\01\02\03"
)
(module binary
  "\00asm\01\00\00\00"
  "\01\04" "\01\60\00\00"
  "\03\03" "\02\00\00"
  "\0a\07" "\02\02\00\0b\02\00\0b"
  "\00\0c" "\04name\01\05\02\00\03ab"
)
(module binary
  "\00asm\01\00\00\00"
  "\01\04" "\01\60\00\00"
  "\03\03" "\02\00\00"
  "\0a\07" "\02\02\00\0b\02\00\0b"
  "\00\0b" "\04name\01\04\01\00\01\ff"
)
(module binary
  "\00asm\01\00\00\00"
  "\01\04" "\01\60\00\00"
  "\03\03" "\02\00\00"
  "\0a\07" "\02\02\00\0b\02\00\0b"
  "\00\11" "\04name\01\0a\01\07\07nowhere"
)
(module binary
  "\00asm\01\00\00\00"
  "\01\04" "\01\60\00\00"
  "\03\03" "\02\00\00"
  "\0a\07" "\02\02\00\0b\02\00\0b"
  "\00\0f" "\04name\01\01\00\00\05\04late"
)
(module binary
  "\00asm\01\00\00\00"
  "\01\04" "\01\60\00\00"
  "\03\03" "\02\00\00"
  "\0a\07" "\02\02\00\0b\02\00\0b"
  "\00\07" "\04name\00\7f"
)
