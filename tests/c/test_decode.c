/* test_decode.c — tests of the binary decoder (bin_decode) on modules built from bytes.
 *
 *   test_decode                 built-in cases: malformed modules and their messages,
 *                               well-formed modules and what they decode to, and a small
 *                               mutation fuzz of the well-formed ones
 *   test_decode FILE.wasm...    decodes each file, prints its shape and the decode time,
 *                               then fuzzes it (truncations and byte flips)
 *   test_decode FILE.json...    runs the decoder part of a wast2json script: every module must
 *                               decode; every binary assert_malformed must fail with a message
 *                               that starts with the expected text, unless the decoder accepts
 *                               it and the error belongs to body decoding (listed, not failed)
 *
 * Exit status 0 when everything passed. */
#include <stdio.h>
#include <time.h>

#include "module.h"

static int failures, passes;

#define CHECK(cond, ...)                                                  \
  do {                                                                    \
    if (cond) {                                                           \
      passes++;                                                           \
    } else {                                                              \
      failures++;                                                         \
      fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__, __LINE__, #cond); \
      fprintf(stderr, __VA_ARGS__);                                       \
      fputc('\n', stderr);                                                \
    }                                                                     \
  } while (0)

/* Byte strings: adjacent literals, with the length taken from sizeof. Hex escapes end at the
 * closing quote, so write "\x01" "a" rather than "\x01a". */
#define B(s) (const uint8_t *)(s), sizeof(s) - 1
#define HDR "\x00" "asm" "\x01\x00\x00\x00"

static isthmus_module *decode(const uint8_t *b, size_t n, isthmus_error **err) {
  return bin_decode(NULL, b, n, err);
}

/* ---------------------------------------------------------------- malformed modules */

typedef struct bad_case {
  const char *what;
  const uint8_t *bytes;
  size_t len;
  const char *msg; /* exact message */
  long off;        /* expected error offset, or -1 for "don't care" */
} bad_case;

#define BAD(what, bytes, msg, off) {what, B(bytes), msg, off}

static const bad_case bad_cases[] = {
    BAD("empty", "", "unexpected end", 0),
    BAD("short magic", "\x00" "as", "unexpected end", 0),
    BAD("wrong magic", "asm\x00", "magic header not detected", 0),
    BAD("wrong magic, full header", "\x00" "ASM\x01\x00\x00\x00", "magic header not detected", 0),
    BAD("short version", "\x00" "asm\x01\x00\x00", "unexpected end", 4),
    BAD("version 2", "\x00" "asm\x02\x00\x00\x00", "unknown binary version", 4),
    BAD("version 0x0d", "\x00" "asm\x0d\x00\x00\x00", "unknown binary version", 4),
    BAD("section id 13", HDR "\x0d\x00", "malformed section id", 8),
    BAD("section id 0x80", HDR "\x80\x00\x01\x00", "malformed section id", 8),
    BAD("no section size", HDR "\x01", "unexpected end", 9),
    BAD("section size overlong", HDR "\x00\x81\x80\x80\x80\x80\x00", "integer representation too long", 13),
    BAD("section size too large bits", HDR "\x00\x81\x80\x80\x80\x10", "integer too large", 13),
    BAD("section size past the end", HDR "\x01\x05\x00", "length out of bounds", 9),
    BAD("two type sections", HDR "\x01\x01\x00" "\x01\x01\x00", "unexpected content after last section", 11),
    BAD("function before type", HDR "\x03\x01\x00" "\x01\x01\x00", "unexpected content after last section", 11),
    BAD("two start sections",
        HDR "\x01\x04\x01\x60\x00\x00" "\x03\x02\x01\x00" "\x08\x01\x00" "\x08\x01\x00"
            "\x0a\x04\x01\x02\x00\x0b",
        "unexpected content after last section", 21),
    BAD("data count after code", HDR "\x0a\x01\x00" "\x0c\x01\x00", "unexpected content after last section", 11),
    BAD("data count after data", HDR "\x0b\x01\x00" "\x0c\x01\x00", "unexpected content after last section", 11),
    BAD("element after data count", HDR "\x0c\x01\x00" "\x09\x01\x00", "unexpected content after last section", 11),
    BAD("type section larger than its content", HDR "\x01\x05\x01\x60\x00\x00\x00", "section size mismatch", 10),
    BAD("type section smaller than its content", HDR "\x01\x03\x01\x60\x00\x00", "section size mismatch", 10),
    BAD("2 types declared, 1 given", HDR "\x01\x04\x02\x60\x00\x00", "unexpected end of section or function", 14),
    BAD("type count past the end", HDR "\x01\x02\x7f\x60", "length out of bounds", 10),
    BAD("function type tag", HDR "\x01\x04\x01\x61\x00\x00", "malformed function type", 11),
    BAD("function type tag as LEB", HDR "\x01\x05\x01\xe0\x7f\x00\x00", "integer representation too long", 11),
    BAD("value type in the vector range", HDR "\x01\x05\x01\x60\x01\x7a\x00", "malformed vector type", 13),
    BAD("value type below the reference types", HDR "\x01\x05\x01\x60\x01\x40\x00", "malformed reference type", 13),
    BAD("value type with a continuation bit", HDR "\x01\x06\x01\x60\x01\xff\x00\x00", "integer representation too long", 13),
    BAD("result type", HDR "\x01\x05\x01\x60\x00\x01\x6e", "malformed reference type", 14),
    BAD("import kind 4", HDR "\x02\x04\x01\x00\x00\x04", "malformed import kind", 13),
    BAD("import kind 0x80", HDR "\x02\x05\x01\x00\x00\x80\x00", "malformed import kind", 13),
    BAD("import module name not UTF-8", HDR "\x02\x06\x01\x01\x80\x00\x00\x00", "malformed UTF-8 encoding", 11),
    BAD("import field name surrogate", HDR "\x02\x08\x01\x00\x03\xed\xa0\x80\x00\x00", "malformed UTF-8 encoding", 12),
    BAD("import name past the end", HDR "\x02\x04\x01\x00\x09\x00", "length out of bounds", 12),
    BAD("import name longer than the module", HDR "\x02\x04\x01\x03\x61\x62", "unexpected end of section or function", 14),
    BAD("imported global mutability", HDR "\x02\x06\x01\x00\x00\x03\x7f\x02", "malformed mutability", 15),
    BAD("imported table type", HDR "\x02\x07\x01\x00\x00\x01\x7f\x00\x00", "malformed reference type", 14),
    BAD("table limits flag 2", HDR "\x04\x04\x01\x70\x02\x00", "integer too large", 12),
    BAD("table limits flag 0x81", HDR "\x04\x05\x01\x70\x81\x00\x00", "integer representation too long", 12),
    BAD("table element type", HDR "\x04\x04\x01\x7f\x00\x00", "malformed reference type", 11),
    BAD("memory limits flag 2", HDR "\x05\x03\x01\x02\x00", "integer too large", 11),
    BAD("memory limits flag 3 (shared)", HDR "\x05\x04\x01\x03\x00\x00", "integer too large", 11),
    BAD("memory limits flag 0x80 0x00", HDR "\x05\x04\x01\x80\x00\x00", "integer representation too long", 11),
    BAD("memory minimum overlong", HDR "\x05\x08\x01\x00\x82\x80\x80\x80\x80\x00", "integer representation too long", 16),
    BAD("memory minimum too large", HDR "\x05\x07\x01\x00\x82\x80\x80\x80\x70", "integer too large", 16),
    BAD("memory maximum too large", HDR "\x05\x08\x01\x01\x00\x80\x80\x80\x80\x10", "integer too large", 17),
    BAD("1 memory declared, 0 given", HDR "\x05\x01\x01", "unexpected end of section or function", 11),
    BAD("global mutability 2", HDR "\x06\x06\x01\x7f\x02\x41\x00\x0b", "malformed mutability", 12),
    BAD("global mutability 0xff", HDR "\x06\x06\x01\x7f\xff\x41\x00\x0b", "malformed mutability", 12),
    BAD("global init illegal opcode", HDR "\x06\x05\x01\x7f\x00\x06\x0b", "illegal opcode 06", 13),
    BAD("global init illegal 0xFC opcode", HDR "\x06\x06\x01\x7f\x00\xfc\x20\x0b", "illegal opcode fc 20", 13),
    BAD("global init SIMD prefix", HDR "\x06\x06\x01\x7b\x00\xfd\x0c\x0b", "illegal opcode fd", 13),
    BAD("global init else at top", HDR "\x06\x07\x01\x7f\x00\x41\x00\x05\x0b", "END opcode expected", 15),
    BAD("global init else in block", HDR "\x06\x08\x01\x7f\x00\x02\x40\x05\x0b\x0b", "END opcode expected", 15),
    BAD("global init second else", HDR "\x06\x09\x01\x7f\x00\x04\x40\x05\x05\x0b\x0b", "END opcode expected", 16),
    BAD("global init without end", HDR "\x06\x05\x01\x7f\x00\x41\x00", "unexpected end of section or function", 15),
    BAD("global init i32.const overlong", HDR "\x06\x0b\x01\x7f\x00\x41\x80\x80\x80\x80\x80\x00\x0b", "integer representation too long", 18),
    BAD("global init i32.const unused bits", HDR "\x06\x0a\x01\x7f\x00\x41\x80\x80\x80\x80\x70\x0b", "integer too large", 18),
    BAD("global init i64.const unused bits", HDR "\x06\x0f\x01\x7e\x00\x42\x80\x80\x80\x80\x80\x80\x80\x80\x80\x02\x0b", "integer too large", 23),
    BAD("global init memory.size reserved byte", HDR "\x06\x06\x01\x7f\x00\x3f\x01\x0b", "zero byte expected", 14),
    BAD("global init ref.null type", HDR "\x06\x06\x01\x70\x00\xd0\x7f\x0b", "malformed reference type", 14),
    BAD("export kind 4", HDR "\x07\x05\x01\x01\x61\x04\x00", "malformed export kind", 13),
    BAD("export name not UTF-8", HDR "\x07\x05\x01\x01\xff\x00\x00", "malformed UTF-8 encoding", 11),
    BAD("start index too large", HDR "\x08\x05\x80\x80\x80\x80\x10", "integer too large", 14),
    BAD("element flags 8", HDR "\x09\x03\x01\x08\x00", "malformed elements segment kind", 11),
    BAD("element kind 1", HDR "\x09\x04\x01\x01\x01\x00", "malformed element kind", 12),
    BAD("element reference type", HDR "\x09\x04\x01\x05\x7f\x00", "malformed reference type", 12),
    BAD("element expression illegal opcode", HDR "\x09\x06\x01\x05\x70\x01\xd3\x0b", "illegal opcode d3", 14),
    BAD("2 segments declared, 1 given, then a section",
        HDR "\x09\x07\x02\x00\x41\x00\x0b\x01\x00" "\x0a\x01\x00",
        "malformed elements segment kind", 17),
    BAD("2 segments declared, 1 given", HDR "\x09\x07\x02\x00\x41\x00\x0b\x01\x00", "unexpected end of section or function", 17),
    BAD("data flags 3", HDR "\x0b\x03\x01\x03\x00", "malformed data segment kind", 11),
    BAD("data bytes past the end", HDR "\x0b\x07\x01\x00\x41\x00\x0b\x09\x61", "length out of bounds", 15),
    BAD("data bytes longer than the module", HDR "\x0b\x07\x01\x00\x41\x00\x0b\x02\x61", "unexpected end of section or function", 17),
    BAD("data shorter than declared", HDR "\x0b\x07\x01\x01\x02\x61\x62\x63", "section size mismatch", 10),
    BAD("data count 2, one segment", HDR "\x05\x03\x01\x00\x01" "\x0c\x01\x02" "\x0b\x03\x01\x01\x00",
        "data count and data section have inconsistent lengths", 21),
    BAD("data count 1, no data section", HDR "\x0c\x01\x01", "data count and data section have inconsistent lengths", 11),
    BAD("functions without code", HDR "\x01\x04\x01\x60\x00\x00" "\x03\x03\x02\x00\x00",
        "function and code section have inconsistent lengths", 14),
    BAD("code without functions", HDR "\x0a\x04\x01\x02\x00\x0b", "function and code section have inconsistent lengths", 8),
    BAD("more bodies than functions", HDR "\x01\x04\x01\x60\x00\x00" "\x03\x02\x01\x00" "\x0a\x07\x02\x02\x00\x0b\x02\x00\x0b",
        "function and code section have inconsistent lengths", 18),
    BAD("locals sum of 2^32", HDR "\x01\x04\x01\x60\x00\x00" "\x03\x02\x01\x00"
        "\x0a\x0c\x01\x0a\x02\xff\xff\xff\xff\x0f\x7f\x02\x7e\x0b", "too many locals", 22),
    BAD("locals over the limit", HDR "\x01\x04\x01\x60\x00\x00" "\x03\x02\x01\x00"
        "\x0a\x08\x01\x06\x01\xd1\x86\x03\x7f\x0b", "too many locals", 22),
    BAD("params and locals over the limit", HDR "\x01\x05\x01\x60\x01\x7f\x00" "\x03\x02\x01\x00"
        "\x0a\x08\x01\x06\x01\xd0\x86\x03\x7f\x0b", "too many locals", 23),
    BAD("local type", HDR "\x01\x04\x01\x60\x00\x00" "\x03\x02\x01\x00" "\x0a\x06\x01\x04\x01\x01\x40\x0b",
        "malformed reference type", 24),
    BAD("local count too large", HDR "\x01\x04\x01\x60\x00\x00" "\x03\x02\x01\x00"
        "\x0a\x0a\x01\x08\x01\x80\x80\x80\x80\x10\x7f\x0b", "integer too large", 27),
    BAD("locals beyond the body", HDR "\x01\x04\x01\x60\x00\x00" "\x03\x02\x01\x00" "\x0a\x06\x01\x01\x01\x01\x7f\x0b",
        "section size mismatch", 22),
    BAD("body longer than the module", HDR "\x01\x04\x01\x60\x00\x00" "\x03\x02\x01\x00" "\x0a\x05\x01\x03\x00\x0b",
        "unexpected end of section or function", 24),
    /* Bodies are only delimited, but one that does not end in `end` is decoded the way the
     * reference does, reading on past its size. */
    BAD("body without end at the end of the module",
        HDR "\x01\x04\x01\x60\x00\x00" "\x03\x02\x01\x00" "\x0a\x05\x01\x03\x00\x41\x01",
        "unexpected end of section or function", 25),
    BAD("body without end, another body follows",
        HDR "\x01\x04\x01\x60\x00\x00" "\x03\x03\x02\x00\x00" "\x0a\x0a\x02\x02\x00\x01\x05\x00\x01\x01\x01\x0b",
        "END opcode expected", 25),
    BAD("body without end, a data section follows",
        HDR "\x01\x04\x01\x60\x00\x00" "\x03\x02\x01\x00" "\x0a\x04\x01\x02\x00\x01" "\x0b\x01\x00",
        "section size mismatch", 22),
    BAD("body whose immediate runs on into the next section",
        HDR "\x01\x04\x01\x60\x00\x00" "\x03\x02\x01\x00" "\x05\x03\x01\x00\x01"
            "\x0a\x08\x01\x06\x00\x41\x00\x28\x02\x82\x80\x80\x80\x80\x00\x1a\x0b",
        "integer representation too long", 36),
    BAD("body with an illegal opcode, then a malformed section",
        HDR "\x01\x04\x01\x60\x00\x00" "\x03\x02\x01\x00" "\x0a\x05\x01\x03\x00\xff\x0b" "\x0d\x00",
        "illegal opcode ff", 23),
    BAD("custom section without name", HDR "\x00", "unexpected end", 9),
    BAD("custom section of size 0", HDR "\x00\x00", "unexpected end", 10),
    BAD("custom name longer than the section", HDR "\x00\x02\x05" "abcde", "unexpected end", 16),
    BAD("custom section past the end", HDR "\x00\x08\x01" "a", "length out of bounds", 9),
    BAD("custom name not UTF-8", HDR "\x00\x02\x01\x80", "malformed UTF-8 encoding", 10),
    BAD("custom name overlong UTF-8", HDR "\x00\x03\x02\xc0\x80", "malformed UTF-8 encoding", 10),
    BAD("custom name past the section and module", HDR "\x00\x02\x09\x61", "length out of bounds", 10),
    BAD("concatenated modules", HDR HDR, "length out of bounds", 9),
};

static void test_bad(void) {
  for (size_t i = 0; i < CMN_ARRAY_LEN(bad_cases); i++) {
    const bad_case *c = &bad_cases[i];
    isthmus_error *err = NULL;
    isthmus_module *m = decode(c->bytes, c->len, &err);
    CHECK(m == NULL && err != NULL, "%s: decoded, expected \"%s\"", c->what, c->msg);
    if (m) bin_module_free(m);
    if (!err) continue;
    CHECK(isthmus_error_kind_of(err) == ISTHMUS_ERR_MALFORMED, "%s: kind %d", c->what,
          (int)isthmus_error_kind_of(err));
    CHECK(strcmp(isthmus_error_message(err), c->msg) == 0, "%s: got \"%s\", expected \"%s\"",
          c->what, isthmus_error_message(err), c->msg);
    if (c->off >= 0)
      CHECK(isthmus_error_offset(err) == c->off, "%s: offset %lld, expected %ld", c->what,
            (long long)isthmus_error_offset(err), c->off);
    isthmus_error_delete(err);
  }
}

/* ---------------------------------------------------------------- well-formed modules */

typedef struct good_case {
  const char *what;
  const uint8_t *bytes;
  size_t len;
} good_case;

#define GOOD(what, bytes) {what, B(bytes)}

#define CUSTOM "\x00\x0e\x06" "custom" "payload"

static const good_case good_cases[] = {
    GOOD("header only", HDR),
    GOOD("every section empty, customs between",
         HDR CUSTOM "\x01\x01\x00" CUSTOM "\x02\x01\x00" CUSTOM "\x03\x01\x00" CUSTOM "\x04\x01\x00"
             CUSTOM "\x05\x01\x00" CUSTOM "\x06\x01\x00" CUSTOM "\x07\x01\x00" CUSTOM "\x09\x01\x00"
                 CUSTOM "\x0c\x01\x00" CUSTOM "\x0a\x01\x00" CUSTOM "\x0b\x01\x00" CUSTOM),
    GOOD("custom section with empty name and payload", HDR "\x00\x01\x00"),
    GOOD("custom section names with NUL and BOM", HDR "\x00\x05\x04\x00\x00" "a" "\x00" "\x00\x05\x03\xef\xbb\xbf" "x"),
    GOOD("a module inside a custom section", HDR "\x00\x0a\x01" "m" HDR),
    GOOD("five-byte LEBs everywhere",
         HDR "\x01\x91\x80\x80\x80\x00\x81\x80\x80\x80\x00\x60\x81\x80\x80\x80\x00\x7f\x80\x80\x80\x80\x00"
             "\x03\x8a\x80\x80\x80\x00\x81\x80\x80\x80\x00\x80\x80\x80\x80\x00"
             "\x05\x0c\x01\x01\x81\x80\x80\x80\x00\x82\x80\x80\x80\x00"
             "\x0a\x90\x80\x80\x80\x00\x81\x80\x80\x80\x00\x86\x80\x80\x80\x00\x80\x80\x80\x80\x00\x0b"
             "\x0b\x8e\x80\x80\x80\x00\x81\x80\x80\x80\x00\x01\x83\x80\x80\x80\x00" "abc"),
    GOOD("maximal LEB values",
         HDR "\x05\x0c\x01\x01\xff\xff\xff\xff\x0f\xff\xff\xff\xff\x0f"
             "\x06\x1b\x01\x7e\x00\x42\xff\xff\xff\xff\xff\xff\xff\xff\xff\x00\x42\x80\x80\x80\x80\x80\x80\x80\x80\x80\x7f\x1a\x0b"),
    GOOD("locals: zero counts allowed",
         HDR "\x01\x04\x01\x60\x00\x00" "\x03\x02\x01\x00" "\x0a\x0a\x01\x08\x03\x00\x7f\x00\x7e\x02\x7d\x0b"),
    GOOD("nested blocks in a constant expression are well-formed",
         HDR "\x06\x0d\x01\x7f\x00\x02\x40\x04\x40\x05\x0b\x0b\x41\x00\x0b"),
    GOOD("data count matching",
         HDR "\x05\x03\x01\x00\x01" "\x0c\x01\x02" "\x0b\x06\x02\x01\x01" "a" "\x01\x00"),
    GOOD("malformed name section is ignored", HDR "\x00\x09\x04" "name" "\x01\x08\x05\x00"),
    GOOD("name section with bad UTF-8 is ignored", HDR "\x00\x0a\x04" "name" "\x00\x02\x01\xff\x00"),
    GOOD("a body whose instructions are malformed is left to the validator",
         HDR "\x01\x04\x01\x60\x00\x00" "\x03\x02\x01\x00" "\x0a\x06\x01\x04\x00\x3f\x01\x0b"),
    GOOD("v128 value type", HDR "\x01\x05\x01\x60\x01\x7b\x00"),
};

static void test_good(void) {
  for (size_t i = 0; i < CMN_ARRAY_LEN(good_cases); i++) {
    const good_case *c = &good_cases[i];
    isthmus_error *err = NULL;
    isthmus_module *m = decode(c->bytes, c->len, &err);
    CHECK(m != NULL, "%s: %s at %lld", c->what, err ? isthmus_error_message(err) : "?",
          err ? (long long)isthmus_error_offset(err) : -1LL);
    isthmus_error_delete(err);
    bin_module_free(m);
  }
}

/* One module with something in every section; checks what the decoder records. */
static const uint8_t rich[] =
    HDR
    /* types: 0 (i32 i64) -> (f32), 1 () -> () */
    "\x01\x0a\x02" "\x60\x02\x7f\x7e\x01\x7d" "\x60\x00\x00"
    /* imports: env.f func type 1, env.t table funcref 1..2, env.m memory 1, env.g global mut i32 */
    "\x02\x26\x04"
    "\x03" "env" "\x01" "f" "\x00\x01"
    "\x03" "env" "\x01" "t" "\x01\x70\x01\x01\x02"
    "\x03" "env" "\x01" "m" "\x02\x00\x01"
    "\x03" "env" "\x01" "g" "\x03\x7f\x01"
    /* functions: 1 (type 0), 2 (type 1), 3 (type 1) */
    "\x03\x04\x03\x00\x01\x01"
    /* table: externref 0 */
    "\x04\x04\x01\x6f\x00\x00"
    /* globals: funcref = ref.func 3; i32 = global.get 0 */
    "\x06\x0b\x02" "\x70\x00\xd2\x03\x0b" "\x7f\x00\x23\x00\x0b"
    /* exports: "run" func 2 */
    "\x07\x07\x01\x03" "run" "\x00\x02"
    /* start: function 1 */
    "\x08\x01\x01"
    /* elements, all 8 kinds */
    "\x09\x3c\x08"
    "\x00\x41\x00\x0b\x01\x01"                    /* 0: active table 0, funcs [1] */
    "\x01\x00\x02\x01\x02"                        /* 1: passive funcs [1 2] */
    "\x02\x00\x41\x01\x0b\x00\x01\x00"            /* 2: active table 0 at 1, funcs [0] */
    "\x03\x00\x01\x02"                            /* 3: declarative funcs [2] */
    "\x04\x41\x02\x0b\x02\xd2\x01\x0b\xd0\x70\x0b" /* 4: active, exprs [ref.func 1, ref.null] */
    "\x05\x70\x01\x23\x00\x0b"                    /* 5: passive, exprs [global.get 0] */
    "\x06\x01\x41\x00\x0b\x6f\x01\xd0\x6f\x0b"    /* 6: active table 1, externref [ref.null] */
    "\x07\x70\x01\xd2\x00\xd2\x00\x1a\x0b"        /* 7: declarative, [ref.func 0 ref.func 0 drop] */
    /* data count */
    "\x0c\x01\x03"
    /* code: f1 has locals 2 x i32, 1 x f64; f2, f3 none */
    "\x0a\x11\x03" "\x06\x02\x02\x7f\x01\x7c\x0b" "\x02\x00\x0b" "\x05\x00\x41\x00\x1a\x0b"
    /* data: active "hi", passive "", active memory 0 at 4 "x" */
    "\x0b\x11\x03" "\x00\x41\x00\x0b\x02" "hi" "\x01\x00" "\x02\x00\x41\x04\x0b\x01" "x"
    /* names: module "rich", functions 0 "imp", 2 "run", 7 (no such function) "ghost" */
    "\x00\x23\x04" "name"
    "\x00\x05\x04" "rich"
    "\x01\x12\x03" "\x00\x03" "imp" "\x02\x03" "run" "\x07\x05" "ghost"
    "\x02\x01\x00" /* local names, skipped */
    ;

static bool ref_declared(const isthmus_module *m, uint32_t f) {
  return (m->declared_refs[f / 8] >> (f % 8)) & 1;
}

static void test_rich(void) {
  isthmus_error *err = NULL;
  isthmus_module *m = decode(rich, sizeof rich - 1, &err);
  CHECK(m != NULL, "rich: %s at %lld", err ? isthmus_error_message(err) : "?",
        err ? (long long)isthmus_error_offset(err) : -1LL);
  isthmus_error_delete(err);
  if (!m) return;

  CHECK(atomic_load(&m->refs) == 1, "refs");
  CHECK(m->size == sizeof rich - 1 && memcmp(m->bytes, rich, m->size) == 0, "bytes copied");
  CHECK(m->num_types == 2, "%u types", m->num_types);
  CHECK(m->types[0].num_params == 2 && m->types[0].num_results == 1, "type 0 arity");
  CHECK(m->types[0].params[0] == ISTHMUS_I32 && m->types[0].params[1] == ISTHMUS_I64 &&
            m->types[0].results[0] == ISTHMUS_F32, "type 0 types");
  CHECK(m->types[1].num_params == 0 && m->types[1].num_results == 0, "type 1");

  CHECK(m->num_imports == 4, "%u imports", m->num_imports);
  CHECK(strcmp(m->imports[0].module, "env") == 0 && m->imports[0].module_len == 3 &&
            strcmp(m->imports[0].name, "f") == 0 && m->imports[0].kind == ISTHMUS_EXTERN_FUNC &&
            m->imports[0].type == 1 && m->imports[0].index == 0, "import 0");
  CHECK(m->imports[1].kind == ISTHMUS_EXTERN_TABLE && m->imports[1].index == 0, "import 1");
  CHECK(m->imports[2].kind == ISTHMUS_EXTERN_MEMORY && m->imports[2].index == 0, "import 2");
  CHECK(m->imports[3].kind == ISTHMUS_EXTERN_GLOBAL && m->imports[3].index == 0, "import 3");

  CHECK(m->num_funcs == 4 && m->num_func_imports == 1, "%u funcs, %u imported", m->num_funcs,
        m->num_func_imports);
  CHECK(m->funcs[0].type == 1 && m->funcs[1].type == 0 && m->funcs[2].type == 1, "func types");
  CHECK(m->num_tables == 2 && m->num_table_imports == 1, "tables");
  CHECK(m->tables[0].elem == ISTHMUS_FUNCREF && m->tables[0].limits.min == 1 &&
            m->tables[0].limits.has_max && m->tables[0].limits.max == 2, "table 0");
  CHECK(m->tables[1].elem == ISTHMUS_EXTERNREF && !m->tables[1].limits.has_max, "table 1");
  CHECK(m->num_memories == 1 && m->num_memory_imports == 1 && m->memories[0].limits.min == 1,
        "memory");
  CHECK(m->num_globals == 3 && m->num_global_imports == 1, "globals");
  CHECK(m->globals[0].type.type == ISTHMUS_I32 && m->globals[0].type.mutable_, "global 0");
  CHECK(m->globals[1].type.type == ISTHMUS_FUNCREF && !m->globals[1].type.mutable_, "global 1");
  CHECK(m->globals[1].init.len == 2 && m->bytes[m->globals[1].init.off] == 0xd2, "global 1 init");
  CHECK(m->globals[2].init.len == 2 && m->bytes[m->globals[2].init.off] == 0x23, "global 2 init");

  CHECK(m->num_exports == 1 && strcmp(m->exports[0].name, "run") == 0 &&
            m->exports[0].kind == ISTHMUS_EXTERN_FUNC && m->exports[0].index == 2, "export");
  CHECK(m->has_start && m->start == 1, "start");

  CHECK(m->num_elems == 8, "%u elems", m->num_elems);
  if (m->num_elems == 8) {
    const bin_elem *e = m->elems;
    CHECK(e[0].mode == BIN_SEG_ACTIVE && e[0].table == 0 && e[0].type == ISTHMUS_FUNCREF &&
              e[0].count == 1 && e[0].items[0].op == BIN_ITEM_FUNC && e[0].items[0].idx == 1 &&
              !e[0].item_exprs && e[0].offset.len == 2, "elem 0");
    CHECK(e[1].mode == BIN_SEG_PASSIVE && e[1].count == 2 && e[1].items[1].idx == 2, "elem 1");
    CHECK(e[2].mode == BIN_SEG_ACTIVE && e[2].count == 1 && e[2].items[0].idx == 0 &&
              m->bytes[e[2].offset.off + 1] == 1, "elem 2");
    CHECK(e[3].mode == BIN_SEG_DECLARATIVE && e[3].count == 1 && e[3].items[0].idx == 2,
          "elem 3");
    CHECK(e[4].mode == BIN_SEG_ACTIVE && e[4].type == ISTHMUS_FUNCREF && e[4].count == 2 &&
              e[4].items[0].op == BIN_ITEM_FUNC && e[4].items[0].idx == 1 &&
              e[4].items[1].op == BIN_ITEM_NULL && e[4].item_exprs &&
              e[4].item_exprs[1].len == 2, "elem 4");
    CHECK(e[5].mode == BIN_SEG_PASSIVE && e[5].items[0].op == BIN_ITEM_GLOBAL &&
              e[5].items[0].idx == 0, "elem 5");
    CHECK(e[6].mode == BIN_SEG_ACTIVE && e[6].table == 1 && e[6].type == ISTHMUS_EXTERNREF &&
              e[6].items[0].op == BIN_ITEM_NULL, "elem 6");
    CHECK(e[7].mode == BIN_SEG_DECLARATIVE && e[7].count == 1 &&
              e[7].items[0].op == BIN_ITEM_NULL && e[7].items[0].idx == UINT32_MAX &&
              e[7].item_exprs[0].len == 5, "elem 7 (not a single instruction)");
    CHECK(e[4].off > e[3].off, "elem offsets");
  }

  const bin_func *f1 = &m->funcs[1];
  CHECK(f1->num_locals == 3 && f1->local_types[0] == ISTHMUS_I32 &&
            f1->local_types[1] == ISTHMUS_I32 && f1->local_types[2] == ISTHMUS_F64,
        "f1 locals");
  CHECK(m->bytes[f1->code_off] == 0x0b && f1->code_end == f1->code_off + 1 &&
            f1->body_off + 6 == f1->code_end, "f1 body");
  const bin_func *f3 = &m->funcs[3];
  CHECK(f3->num_locals == 0 && !f3->local_types && f3->code_end - f3->code_off == 4 &&
            m->bytes[f3->code_end - 1] == 0x0b, "f3 body");

  CHECK(m->has_data_count && m->data_count == 3 && m->num_datas == 3, "data count");
  if (m->num_datas == 3) {
    CHECK(m->datas[0].mode == BIN_SEG_ACTIVE && m->datas[0].data_len == 2 &&
              memcmp(m->bytes + m->datas[0].data_off, "hi", 2) == 0, "data 0");
    CHECK(m->datas[1].mode == BIN_SEG_PASSIVE && m->datas[1].data_len == 0, "data 1");
    CHECK(m->datas[2].mode == BIN_SEG_ACTIVE && m->datas[2].memory == 0 &&
              m->datas[2].data_len == 1 && m->bytes[m->datas[2].offset.off + 1] == 4, "data 2");
  }

  /* ref.func 3 (global), 1 and 2 (element segments), 2 (export), 0 (expression items) */
  CHECK(ref_declared(m, 0) && ref_declared(m, 1) && ref_declared(m, 2) && ref_declared(m, 3),
        "declared refs");

  CHECK(m->num_customs == 1 && strcmp(m->customs[0].name, "name") == 0, "customs");
  CHECK(m->module_name && strcmp(m->module_name, "rich") == 0, "module name");
  CHECK(m->func_names && m->func_names[0] && strcmp(m->func_names[0], "imp") == 0 &&
            !m->func_names[1] && strcmp(m->func_names[2], "run") == 0 && !m->func_names[3],
        "function names");

  /* The public accessors. */
  CHECK(isthmus_module_import_count(m) == 4 && isthmus_module_export_count(m) == 1, "counts");
  const char *mod, *name;
  size_t mod_len, name_len;
  isthmus_externtype t;
  isthmus_module_import(m, 0, &mod, &mod_len, &name, &name_len, &t);
  CHECK(mod_len == 3 && strcmp(mod, "env") == 0 && t.kind == ISTHMUS_EXTERN_FUNC &&
            t.of.func == &m->types[1], "import 0 via the API");
  isthmus_module_import(m, 1, &mod, &mod_len, &name, &name_len, &t);
  CHECK(t.kind == ISTHMUS_EXTERN_TABLE && t.of.table.limits.max == 2, "import 1 via the API");
  isthmus_module_export(m, 0, &name, &name_len, &t);
  CHECK(name_len == 3 && t.of.func == &m->types[1], "export via the API");
  const uint8_t *data;
  size_t data_len;
  isthmus_module_custom(m, 0, &name, &name_len, &data, &data_len);
  CHECK(isthmus_module_custom_count(m) == 1 && name_len == 4 && data_len == 0x23 - 5 &&
            data[0] == 0x00, "custom via the API");
  CHECK(isthmus_module_func_count(m) == 4 && isthmus_module_func_import_count(m) == 1, "funcs");
  CHECK(strcmp(isthmus_module_func_name(m, 2), "run") == 0 && !isthmus_module_func_name(m, 1) &&
            !isthmus_module_func_name(m, 99), "func names via the API");
  CHECK(isthmus_module_start(m) == 1, "start via the API");
  isthmus_tabletype tt[4];
  isthmus_memtype mt[1];
  isthmus_globaltype gt[4];
  CHECK(isthmus_module_table_count(m, tt, 4) == 1 && tt[0].elem == ISTHMUS_EXTERNREF, "tables");
  CHECK(isthmus_module_memory_count(m, mt, 1) == 0, "memories");
  CHECK(isthmus_module_global_count(m, gt, 1) == 2 && gt[0].type == ISTHMUS_FUNCREF, "globals");
  bin_module_free(m);
}

/* ---------------------------------------------------------------- fuzzing */

static uint64_t rng = 0x9E3779B97F4A7C15u;
static uint64_t next_rand(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}

static void try_decode(const uint8_t *b, size_t n) {
  isthmus_error *err = NULL;
  isthmus_module *m = decode(b, n, &err);
  if (m) bin_module_free(m);
  isthmus_error_delete(err);
}

/* Every truncation and byte flip of small modules, a random sample of them for big ones.
 * For big modules, most of the sample falls on `hot` offsets (section and body headers,
 * names) when given, since flips inside skipped bytes prove little. Run under
 * -fsanitize=address,undefined to mean anything. */
static void fuzz(const uint8_t *bytes, size_t len, size_t budget, const size_t *hot,
                 size_t num_hot) {
  if (len == 0) return;
  uint8_t *buf = cmn_xmalloc(len);
  static const uint8_t values[] = {0x00, 0x01, 0x0b, 0x40, 0x7f, 0x80, 0xff};
  size_t exhaustive = len * (1 + CMN_ARRAY_LEN(values));
  if (exhaustive <= budget) {
    for (size_t n = 0; n < len; n++) try_decode(bytes, n);
    for (size_t i = 0; i < len; i++) {
      for (size_t v = 0; v < CMN_ARRAY_LEN(values); v++) {
        memcpy(buf, bytes, len);
        buf[i] = values[v];
        try_decode(buf, len);
      }
    }
  } else {
    memcpy(buf, bytes, len);
    for (size_t k = 0; k < budget; k++) {
      size_t n = len;
      size_t at[4];
      int flips = 0;
      for (int j = 0; j < 4; j++)
        at[j] = num_hot && next_rand() % 4 ? hot[next_rand() % num_hot] : next_rand() % len;
      switch (next_rand() % 3) {
        case 0: n = at[0]; break;
        case 1: buf[at[0]] = values[next_rand() % CMN_ARRAY_LEN(values)]; flips = 1; break;
        default:
          for (int j = 0; j < 4; j++) buf[at[j]] = (uint8_t)next_rand();
          flips = 4;
          break;
      }
      try_decode(buf, n);
      for (int j = 0; j < flips; j++) buf[at[j]] = bytes[at[j]]; /* undo */
    }
  }
  free(buf);
}

static void test_fuzz(void) {
  for (size_t i = 0; i < CMN_ARRAY_LEN(good_cases); i++)
    fuzz(good_cases[i].bytes, good_cases[i].len, 100000, NULL, 0);
  fuzz(rich, sizeof rich - 1, 100000, NULL, 0);
  passes++;
}

/* ---------------------------------------------------------------- files */

static uint8_t *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  uint8_t *b = cmn_xmalloc(n > 0 ? (size_t)n : 1);
  size_t got = fread(b, 1, (size_t)n, f);
  fclose(f);
  *len = got;
  return b;
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void run_wasm(const char *path) {
  size_t len;
  uint8_t *b = read_file(path, &len);
  CHECK(b != NULL, "cannot read %s", path);
  if (!b) return;
  isthmus_error *err = NULL;
  isthmus_module *m = decode(b, len, &err);
  CHECK(m != NULL, "%s: %s at %lld", path, err ? isthmus_error_message(err) : "?",
        err ? (long long)isthmus_error_offset(err) : -1LL);
  isthmus_error_delete(err);
  CMN_VEC(size_t) hot = {0};
  if (m) {
    size_t named = 0;
    for (uint32_t i = 0; m->func_names && i < m->num_funcs; i++) named += m->func_names[i] != NULL;
    printf("%s: %zu bytes, %u types, %u imports, %u functions (%u imported, %zu named), "
           "%u exports, %u elems, %u datas, %u customs\n",
           path, len, m->num_types, m->num_imports, m->num_funcs, m->num_func_imports, named,
           m->num_exports, m->num_elems, m->num_datas, m->num_customs);
    /* hot offsets: the first 8 KiB, each body's header, the custom sections */
    for (size_t o = 0; o < len && o < 8192; o++) cmn_vec_push(hot, o);
    for (uint32_t i = m->num_func_imports; i < m->num_funcs; i++)
      for (size_t o = m->funcs[i].body_off - 2; o < m->funcs[i].code_off + 2 && o < len; o++)
        cmn_vec_push(hot, o);
    for (uint32_t i = 0; i < m->num_customs; i++)
      for (size_t o = m->customs[i].data_off; o < m->customs[i].data_off + m->customs[i].data_len; o++)
        cmn_vec_push(hot, o);
    bin_module_free(m);
    int runs = 200;
    double t0 = now();
    for (int i = 0; i < runs; i++) try_decode(b, len);
    double per = (now() - t0) / runs;
    printf("%s: decode %.3f ms (mean of %d)\n", path, per * 1e3, runs);
  }
  fuzz(b, len, len > 100000 ? 3000 : 100000, hot.items, hot.len);
  cmn_vec_free(hot);
  free(b);
}

/* Pulls the string value of "key": "..." out of one line of wast2json output. */
static bool json_field(const char *line, const char *key, char *out, size_t cap) {
  char pat[64];
  snprintf(pat, sizeof pat, "\"%s\": \"", key);
  const char *p = strstr(line, pat);
  if (!p) return false;
  p += strlen(pat);
  size_t n = 0;
  while (*p && *p != '"' && n + 1 < cap) {
    if (*p == '\\' && p[1]) p++;
    out[n++] = *p++;
  }
  out[n] = 0;
  return true;
}

static void run_json(const char *path) {
  FILE *f = fopen(path, "r");
  CHECK(f != NULL, "cannot read %s", path);
  if (!f) return;
  char dir[1024];
  snprintf(dir, sizeof dir, "%s", path);
  char *slash = strrchr(dir, '/');
  if (slash) slash[1] = 0;
  else dir[0] = 0;
  char line[8192];
  int deferred = 0;
  while (fgets(line, sizeof line, f)) {
    char type[64], file[512], text[256], mtype[32], full[1600];
    if (!json_field(line, "type", type, sizeof type) || !json_field(line, "filename", file, sizeof file))
      continue;
    if (strcmp(type, "assert_uninstantiable") != 0 && strcmp(type, "assert_unlinkable") != 0 &&
        strcmp(type, "assert_trap") != 0 && strcmp(type, "module") != 0 &&
        strcmp(type, "assert_invalid") != 0 && strcmp(type, "assert_malformed") != 0)
      continue;
    if (json_field(line, "module_type", mtype, sizeof mtype) && strcmp(mtype, "binary") != 0)
      continue; /* text modules are the text parser's business */
    snprintf(full, sizeof full, "%s%s", dir, file);
    size_t len;
    uint8_t *b = read_file(full, &len);
    if (!b) continue;
    isthmus_error *err = NULL;
    isthmus_module *m = decode(b, len, &err);
    char *lno = strstr(line, "\"line\": ");
    int ln = lno ? atoi(lno + 8) : 0;
    if (strcmp(type, "assert_malformed") == 0) {
      json_field(line, "text", text, sizeof text);
      if (m) {
        printf("%s:%d: decoder accepts, left to body decoding: \"%s\"\n", path, ln, text);
        deferred++;
      } else {
        const char *msg = isthmus_error_message(err);
        CHECK(strncmp(msg, text, strlen(text)) == 0, "%s:%d: got \"%s\", expected \"%s\"", path,
              ln, msg, text);
      }
    } else {
      CHECK(m != NULL, "%s:%d (%s): %s at %lld", path, ln, type,
            err ? isthmus_error_message(err) : "?", err ? (long long)isthmus_error_offset(err) : -1LL);
    }
    bin_module_free(m);
    isthmus_error_delete(err);
    free(b);
  }
  fclose(f);
  if (deferred) printf("%s: %d malformed modules left to body decoding\n", path, deferred);
}

int main(int argc, char **argv) {
  if (argc > 1) {
    for (int i = 1; i < argc; i++) {
      size_t n = strlen(argv[i]);
      if (n > 5 && strcmp(argv[i] + n - 5, ".json") == 0) run_json(argv[i]);
      else run_wasm(argv[i]);
    }
  } else {
    test_bad();
    test_good();
    test_rich();
    test_fuzz();
  }
  printf("test_decode: %d passed, %d failed\n", passes, failures);
  return failures ? 1 : 0;
}
