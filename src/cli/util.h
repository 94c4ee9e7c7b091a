/* util.h — helpers shared by the `isthmus` subcommands: files, numbers, value formatting,
 * a string builder. Everything the CLI does goes through include/isthmus.h only. */
#ifndef ISTHMUS_CLI_UTIL_H
#define ISTHMUS_CLI_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "isthmus.h"

/* Exit statuses shared by the subcommands. */
enum {
  CLI_EXIT_OK = 0,
  CLI_EXIT_FAIL = 1,  /* the module or the run failed */
  CLI_EXIT_USAGE = 2, /* bad command line */
  CLI_EXIT_TRAP = 134 /* the guest trapped (like wasmtime: 128 + SIGABRT) */
};

/* Allocation that exits with a message instead of returning NULL. */
void *cli_xmalloc(size_t n);
void *cli_xcalloc(size_t count, size_t size);
void *cli_xrealloc(void *p, size_t n);
char *cli_xstrndup(const char *s, size_t n);

/* Prints "isthmus: " + message to stderr. */
void cli_errorf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Reads a whole file into a malloc'd buffer (NUL-terminated, the NUL not counted). On failure
 * returns NULL after printing "isthmus: PATH: reason" to stderr. */
uint8_t *cli_read_file(const char *path, size_t *len);

/* A growable NUL-terminated string. Zero-initialise before use. */
typedef struct cli_buf {
  char *data;
  size_t len, cap;
} cli_buf;
void cli_buf_add(cli_buf *b, const char *s, size_t n);
void cli_buf_printf(cli_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends a wasm name (arbitrary bytes) with non-printable bytes, '"' and '\\' escaped as
 * \hh, the way the text format writes strings. UTF-8 sequences pass through. */
void cli_buf_name(cli_buf *b, const char *s, size_t n);
void cli_buf_free(cli_buf *b);
/* The text, or "" for an empty buffer. */
const char *cli_buf_str(const cli_buf *b);

/* Strict unsigned decimal, no sign, no spaces: "0".."18446744073709551615". */
bool cli_parse_u64(const char *s, uint64_t *out);

/* An integer argument for a value of `bits` (32 or 64): decimal or 0x hex, optional '-',
 * range -2^(bits-1) .. 2^bits-1 (so both signed values and unsigned bit patterns work).
 * On failure writes a reason into err. */
bool cli_parse_int_arg(const char *s, unsigned bits, uint64_t *out, char *err, size_t errlen);
/* A float argument: decimal, hex float, "inf", "-inf", "nan", "nan:0xPAYLOAD". Returns the
 * bit pattern (32 or 64 bits). */
bool cli_parse_float_arg(const char *s, unsigned bits, uint64_t *out, char *err, size_t errlen);

/* Shortest decimal text that reads back to the same float ("1.5", "-0", "inf", "nan",
 * "nan:0x200000" for a non-canonical payload). buf needs 48 bytes. */
void cli_format_f32(uint32_t bits, char *buf, size_t len);
void cli_format_f64(uint64_t bits, char *buf, size_t len);

/* Appends a function type as "(param i32 i64) (result f32)" ("()" when both are empty). */
void cli_buf_functype(cli_buf *b, const isthmus_functype *t);
/* Appends limits as "min 1 page, max 2" / "min 10, no max" (unit may be NULL). */
void cli_buf_limits(cli_buf *b, const isthmus_limits *l, const char *unit);
/* Appends an extern type in a readable form: "func (param i32)", "memory min 1 page, max 2",
 * "table funcref min 10, max 20", "global mut i32". */
void cli_buf_externtype(cli_buf *b, const isthmus_externtype *t);

/* Prints an engine error as "PATH: at offset 0xOFF: MESSAGE" (offset part when known). */
void cli_print_error(const char *path, const isthmus_error *e);

#endif
