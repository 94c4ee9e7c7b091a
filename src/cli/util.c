/* util.c — files, numbers, value formatting and a string builder for the CLI. */
#include "util.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- memory and messages */

static void cli_oom(void) {
  fputs("isthmus: out of memory\n", stderr);
  exit(CLI_EXIT_FAIL);
}

void *cli_xmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (!p) cli_oom();
  return p;
}

void *cli_xcalloc(size_t count, size_t size) {
  void *p = calloc(count ? count : 1, size ? size : 1);
  if (!p) cli_oom();
  return p;
}

void *cli_xrealloc(void *p, size_t n) {
  p = realloc(p, n ? n : 1);
  if (!p) cli_oom();
  return p;
}

char *cli_xstrndup(const char *s, size_t n) {
  char *p = cli_xmalloc(n + 1);
  if (n) memcpy(p, s, n);
  p[n] = '\0';
  return p;
}

void cli_errorf(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("isthmus: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
}

/* ---------------------------------------------------------------- files */

uint8_t *cli_read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    cli_errorf("%s: %s", path, strerror(errno));
    return NULL;
  }
  size_t cap = 1 << 16, n = 0;
  uint8_t *buf = cli_xmalloc(cap);
  for (;;) {
    if (n + 1 >= cap) {
      cap *= 2;
      buf = cli_xrealloc(buf, cap);
    }
    size_t got = fread(buf + n, 1, cap - n - 1, f);
    n += got;
    if (got == 0) break;
  }
  if (ferror(f)) {
    cli_errorf("%s: read error: %s", path, strerror(errno));
    fclose(f);
    free(buf);
    return NULL;
  }
  fclose(f);
  buf[n] = '\0';
  *len = n;
  return buf;
}

/* ---------------------------------------------------------------- string builder */

static void cli_buf_reserve(cli_buf *b, size_t extra) {
  if (b->len + extra + 1 <= b->cap) return;
  size_t cap = b->cap ? b->cap : 64;
  while (cap < b->len + extra + 1) cap *= 2;
  b->data = cli_xrealloc(b->data, cap);
  b->cap = cap;
}

void cli_buf_add(cli_buf *b, const char *s, size_t n) {
  cli_buf_reserve(b, n);
  if (n) memcpy(b->data + b->len, s, n);
  b->len += n;
  b->data[b->len] = '\0';
}

void cli_buf_printf(cli_buf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  va_list ap2;
  va_copy(ap2, ap);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n > 0) {
    cli_buf_reserve(b, (size_t)n);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap2);
    b->len += (size_t)n;
  }
  va_end(ap2);
}

void cli_buf_name(cli_buf *b, const char *s, size_t n) {
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c < 0x20 || c == 0x7f || c == '"' || c == '\\') {
      cli_buf_printf(b, "\\%02x", c);
    } else {
      char ch = (char)c;
      cli_buf_add(b, &ch, 1);
    }
  }
}

void cli_buf_free(cli_buf *b) {
  free(b->data);
  b->data = NULL;
  b->len = b->cap = 0;
}

const char *cli_buf_str(const cli_buf *b) { return b->data ? b->data : ""; }

/* ---------------------------------------------------------------- numbers in */

bool cli_parse_u64(const char *s, uint64_t *out) {
  if (!s || !*s) return false;
  uint64_t v = 0;
  for (; *s; s++) {
    if (*s < '0' || *s > '9') return false;
    unsigned d = (unsigned)(*s - '0');
    if (v > (UINT64_MAX - d) / 10) return false;
    v = v * 10 + d;
  }
  *out = v;
  return true;
}

static int cli_hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool cli_parse_int_arg(const char *s, unsigned bits, uint64_t *out, char *err, size_t errlen) {
  const char *p = s;
  bool neg = false;
  if (*p == '-' || *p == '+') neg = (*p++ == '-');
  unsigned base = 10;
  if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
    base = 16;
    p += 2;
  }
  if (!*p) {
    snprintf(err, errlen, "'%s' is not an integer", s);
    return false;
  }
  uint64_t mag = 0;
  bool overflow = false;
  for (; *p; p++) {
    int d = base == 16 ? cli_hex_digit(*p) : (*p >= '0' && *p <= '9' ? *p - '0' : -1);
    if (d < 0) {
      snprintf(err, errlen, "'%s' is not an integer", s);
      return false;
    }
    if (mag > (UINT64_MAX - (unsigned)d) / base) overflow = true;
    else mag = mag * base + (unsigned)d;
  }
  uint64_t umax = bits == 64 ? UINT64_MAX : (UINT64_C(1) << bits) - 1;
  uint64_t nmax = UINT64_C(1) << (bits - 1);
  if (overflow || (neg ? mag > nmax : mag > umax)) {
    snprintf(err, errlen, "'%s' is out of range for i%u", s, bits);
    return false;
  }
  uint64_t v = neg ? (uint64_t)0 - mag : mag;
  *out = bits == 64 ? v : (v & umax);
  return true;
}

bool cli_parse_float_arg(const char *s, unsigned bits, uint64_t *out, char *err, size_t errlen) {
  const char *p = s;
  bool neg = false;
  if (*p == '-' || *p == '+') neg = (*p++ == '-');
  uint64_t sign = neg ? (UINT64_C(1) << (bits - 1)) : 0;
  unsigned mant_bits = bits == 32 ? 23 : 52;
  uint64_t exp_all = bits == 32 ? UINT64_C(0x7f800000) : UINT64_C(0x7ff0000000000000);
  if (strncmp(p, "nan", 3) == 0) {
    uint64_t payload = UINT64_C(1) << (mant_bits - 1);
    if (p[3] == ':') {
      char e2[8];
      if (strncmp(p + 4, "0x", 2) != 0 || !cli_parse_int_arg(p + 4, 64, &payload, e2, sizeof e2) ||
          payload == 0 || payload >> mant_bits) {
        snprintf(err, errlen, "'%s' has a bad NaN payload", s);
        return false;
      }
    } else if (p[3]) {
      snprintf(err, errlen, "'%s' is not a number", s);
      return false;
    }
    *out = sign | exp_all | payload;
    return true;
  }
  /* strtod/strtof would skip leading space and accept things like "0x" prefixes we want;
   * guard against the former. */
  if (!*p || *p == ' ' || *p == '\t' || *p == '\n' || *p == '+' || *p == '-') {
    snprintf(err, errlen, "'%s' is not a number", s);
    return false;
  }
  char *end = NULL;
  errno = 0;
  if (bits == 32) {
    float f = strtof(s, &end);
    if (end == s || *end) {
      snprintf(err, errlen, "'%s' is not a number", s);
      return false;
    }
    if (isinf(f) && errno == ERANGE) {
      snprintf(err, errlen, "'%s' is out of range for f32", s);
      return false;
    }
    uint32_t b;
    memcpy(&b, &f, 4);
    *out = b;
  } else {
    double d = strtod(s, &end);
    if (end == s || *end) {
      snprintf(err, errlen, "'%s' is not a number", s);
      return false;
    }
    if (isinf(d) && errno == ERANGE) {
      snprintf(err, errlen, "'%s' is out of range for f64", s);
      return false;
    }
    memcpy(out, &d, 8);
  }
  return true;
}

/* ---------------------------------------------------------------- numbers out */

static bool cli_format_nan_inf(uint64_t bits, unsigned width, char *buf, size_t len) {
  unsigned mant_bits = width == 32 ? 23 : 52;
  uint64_t mant = bits & ((UINT64_C(1) << mant_bits) - 1);
  uint64_t exp = (bits >> mant_bits) & (width == 32 ? 0xff : 0x7ff);
  bool neg = (bits >> (width - 1)) & 1;
  if (exp != (width == 32 ? 0xffu : 0x7ffu)) return false;
  if (mant == 0) snprintf(buf, len, "%sinf", neg ? "-" : "");
  else if (mant == UINT64_C(1) << (mant_bits - 1)) snprintf(buf, len, "%snan", neg ? "-" : "");
  else snprintf(buf, len, "%snan:0x%llx", neg ? "-" : "", (unsigned long long)mant);
  return true;
}

void cli_format_f32(uint32_t bits, char *buf, size_t len) {
  if (cli_format_nan_inf(bits, 32, buf, len)) return;
  float f;
  memcpy(&f, &bits, 4);
  for (int prec = 1; prec <= 9; prec++) {
    snprintf(buf, len, "%.*g", prec, (double)f);
    float back = strtof(buf, NULL);
    if (memcmp(&back, &f, 4) == 0) return;
  }
}

void cli_format_f64(uint64_t bits, char *buf, size_t len) {
  if (cli_format_nan_inf(bits, 64, buf, len)) return;
  double d;
  memcpy(&d, &bits, 8);
  for (int prec = 1; prec <= 17; prec++) {
    snprintf(buf, len, "%.*g", prec, d);
    double back = strtod(buf, NULL);
    if (memcmp(&back, &d, 8) == 0) return;
  }
}

/* ---------------------------------------------------------------- types out */

void cli_buf_functype(cli_buf *b, const isthmus_functype *t) {
  if (!t) {
    cli_buf_printf(b, "(?)");
    return;
  }
  if (t->num_params) {
    cli_buf_printf(b, "(param");
    for (uint32_t i = 0; i < t->num_params; i++)
      cli_buf_printf(b, " %s", isthmus_valtype_name(t->params[i]));
    cli_buf_printf(b, ")");
  }
  if (t->num_results) {
    cli_buf_printf(b, "%s(result", t->num_params ? " " : "");
    for (uint32_t i = 0; i < t->num_results; i++)
      cli_buf_printf(b, " %s", isthmus_valtype_name(t->results[i]));
    cli_buf_printf(b, ")");
  }
  if (!t->num_params && !t->num_results) cli_buf_printf(b, "()");
}

void cli_buf_limits(cli_buf *b, const isthmus_limits *l, const char *unit) {
  const char *u = unit ? unit : "";
  const char *plural = unit && l->min != 1 ? "s" : "";
  cli_buf_printf(b, "min %llu%s%s%s, ", (unsigned long long)l->min, unit ? " " : "", u, plural);
  if (l->has_max) cli_buf_printf(b, "max %llu", (unsigned long long)l->max);
  else cli_buf_printf(b, "no max");
}

void cli_buf_externtype(cli_buf *b, const isthmus_externtype *t) {
  switch (t->kind) {
  case ISTHMUS_EXTERN_FUNC:
    cli_buf_printf(b, "func ");
    cli_buf_functype(b, t->of.func);
    break;
  case ISTHMUS_EXTERN_TABLE:
    cli_buf_printf(b, "table %s ", isthmus_valtype_name(t->of.table.elem));
    cli_buf_limits(b, &t->of.table.limits, NULL);
    break;
  case ISTHMUS_EXTERN_MEMORY:
    cli_buf_printf(b, "memory ");
    cli_buf_limits(b, &t->of.memory.limits, "page");
    break;
  case ISTHMUS_EXTERN_GLOBAL:
    cli_buf_printf(b, "global %s%s", t->of.global.mutable_ ? "mut " : "",
                   isthmus_valtype_name(t->of.global.type));
    break;
  default:
    cli_buf_printf(b, "unknown extern kind %d", (int)t->kind);
    break;
  }
}

void cli_print_error(const char *path, const isthmus_error *e) {
  int64_t off = isthmus_error_offset(e);
  int64_t fn = isthmus_error_func(e);
  fprintf(stderr, "isthmus: %s: ", path);
  if (off >= 0) fprintf(stderr, "at offset 0x%llx: ", (unsigned long long)off);
  if (fn >= 0) fprintf(stderr, "in func %lld: ", (long long)fn);
  fprintf(stderr, "%s\n", isthmus_error_message(e));
}
