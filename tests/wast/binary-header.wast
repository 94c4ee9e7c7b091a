;; Binary format: the preamble, section ids, section order and section sizes.
;; Messages are the reference interpreter's; a runner compares them as prefixes.

;; The smallest module, in one string or split.
(module binary "\00asm\01\00\00\00")
(module binary "\00asm" "\01\00\00\00")

;; Truncated preamble.
(assert_malformed (module binary "") "unexpected end")
(assert_malformed (module binary "\00") "unexpected end")
(assert_malformed (module binary "\00as") "unexpected end")
(assert_malformed (module binary "\00asm") "unexpected end")
(assert_malformed (module binary "\00asm\01\00") "unexpected end")
(assert_malformed (module binary "\00asm\01\00\00") "unexpected end")

;; Wrong magic (the whole word is read before it is checked).
(assert_malformed (module binary "\01") "unexpected end")
(assert_malformed (module binary "\01asm\01\00\00\00") "magic header not detected")
(assert_malformed (module binary "\00wasm\01\00\00") "magic header not detected")
(assert_malformed (module binary "\00Asm\01\00\00\00") "magic header not detected")
(assert_malformed (module binary "asm\00\01\00\00\00") "magic header not detected")
(assert_malformed (module binary "\00\00\00\00\01\00\00\00") "magic header not detected")

;; Wrong version.
(assert_malformed (module binary "\00asm\00\00\00\00") "unknown binary version")
(assert_malformed (module binary "\00asm\02\00\00\00") "unknown binary version")
(assert_malformed (module binary "\00asm\01\00\00\01") "unknown binary version")
(assert_malformed (module binary "\00asm\01\01\00\00") "unknown binary version")
(assert_malformed (module binary "\00asm\0d\00\00\00") "unknown binary version")

;; Section ids beyond 12 (the id is one byte, not a LEB).
(assert_malformed (module binary "\00asm\01\00\00\00" "\0d\00") "malformed section id")
(assert_malformed (module binary "\00asm\01\00\00\00" "\10\00") "malformed section id")
(assert_malformed (module binary "\00asm\01\00\00\00" "\7f\00") "malformed section id")
(assert_malformed (module binary "\00asm\01\00\00\00" "\80\00") "malformed section id")
(assert_malformed (module binary "\00asm\01\00\00\00" "\8c\00") "malformed section id")
(assert_malformed
  (module binary "\00asm\01\00\00\00" "\01\01\00" "\ff\00")
  "malformed section id"
)

;; A section header cut short.
(assert_malformed (module binary "\00asm\01\00\00\00" "\01") "unexpected end")
(assert_malformed (module binary "\00asm\01\00\00\00" "\01\80") "unexpected end")

;; Every section, empty, in order (data count, id 12, between element and code).
(module binary
  "\00asm\01\00\00\00"
  "\01\01\00" "\02\01\00" "\03\01\00" "\04\01\00" "\05\01\00" "\06\01\00"
  "\07\01\00" "\09\01\00" "\0c\01\00" "\0a\01\00" "\0b\01\00"
)

;; Sections out of order or repeated.
(assert_malformed
  (module binary "\00asm\01\00\00\00" "\01\01\00" "\01\01\00")
  "unexpected content after last section"
)
(assert_malformed
  (module binary "\00asm\01\00\00\00" "\03\01\00" "\01\01\00")
  "unexpected content after last section"
)
(assert_malformed
  (module binary "\00asm\01\00\00\00" "\0b\01\00" "\0a\01\00")
  "unexpected content after last section"
)
(assert_malformed
  (module binary "\00asm\01\00\00\00" "\0a\01\00" "\0c\01\00")
  "unexpected content after last section"
)
(assert_malformed
  (module binary "\00asm\01\00\00\00" "\0c\01\00" "\09\01\00")
  "unexpected content after last section"
)
(assert_malformed
  (module binary "\00asm\01\00\00\00" "\0c\01\00" "\0c\01\00")
  "unexpected content after last section"
)
(assert_malformed
  (module binary "\00asm\01\00\00\00" "\07\01\00" "\06\01\00")
  "unexpected content after last section"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\01\04\01\60\00\00"        ;; type section
    "\03\02\01\00"              ;; function section
    "\08\01\00"                 ;; start section
    "\08\01\00"                 ;; start section again
    "\0a\04\01\02\00\0b"        ;; code section
  )
  "unexpected content after last section"
)

;; Section sizes: the content must fill the section exactly.
(assert_malformed
  (module binary "\00asm\01\00\00\00" "\01\02\00\00")
  "section size mismatch"
)
(assert_malformed
  (module binary "\00asm\01\00\00\00" "\05\04\01\00\01")
  "section size mismatch"
)
(assert_malformed
  (module binary "\00asm\01\00\00\00" "\05\02\01\00\01" "\0b\01\00")
  "section size mismatch"
)
(assert_malformed
  (module binary "\00asm\01\00\00\00" "\08\02\00\00")
  "section size mismatch"
)
(assert_malformed
  (module binary "\00asm\01\00\00\00" "\0c\02\00\00")
  "section size mismatch"
)
(assert_malformed
  (module binary "\00asm\01\00\00\00" "\01\00")
  "unexpected end"
)
;; A section size larger than what is left of the module.
(assert_malformed
  (module binary "\00asm\01\00\00\00" "\01\09\00")
  "length out of bounds"
)
(assert_malformed
  (module binary "\00asm\01\00\00\00" "\0a\ff\ff\ff\ff\0f")
  "length out of bounds"
)
;; Two modules back to back: the second preamble reads as a custom section.
(assert_malformed
  (module binary "\00asm\01\00\00\00" "\00asm\01\00\00\00")
  "length out of bounds"
)

;; An item that runs past its section is read on into the next one, and the error is
;; whatever that reading meets (here the next section's id taken for an element kind).
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\04\04\01\70\00\01"                  ;; table section
    "\09\07\02"                           ;; element section: 2 segments, 1 given
    "\00\41\00\0b\01\00"
    "\0a\01\00"                           ;; code section
  )
  "malformed elements segment kind"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\01\04\02\60\00\00"                  ;; type section: 2 types, 1 given
  )
  "unexpected end"
)
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\01\04\02\60\00\00"                  ;; type section: 2 types, 1 given
    "\60\00\00"                           ;; read as the second type
  )
  "section size mismatch"
)
