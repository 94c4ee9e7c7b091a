/* A byte-level parser: generates 64 KiB of a config-like text, then parses it `passes`
 * times: `key = value` lines with integers, decimals, quoted strings with escapes,
 * [section] headers and # comments; keys hashed (FNV-1a) into a small open-addressing
 * table that counts them. Branchy byte loads, as in tokenisers. */
#include "work.h"

#define TEXT_CAP 65536
static uint8_t text[TEXT_CAP + 256];
static uint32_t text_len;

#define TAB 1024
static uint32_t tab_hash[TAB];
static uint32_t tab_count[TAB];

static const char *const words[] = {"name", "port", "timeout", "path", "user", "level", "max_conn",
                                    "retry", "ratio", "label", "enabled", "host"};

static void put(const char *s, uint32_t *n) {
  while (*s) text[(*n)++] = (uint8_t)*s++;
}

static void put_uint(uint32_t v, uint32_t *n) {
  char buf[12];
  int k = 0;
  do buf[k++] = (char)('0' + v % 10); while ((v /= 10) != 0);
  while (k) text[(*n)++] = (uint8_t)buf[--k];
}

static void generate(void) {
  uint32_t seed = 0xBADC0DEu, n = 0;
  while (n < TEXT_CAP) {
    uint32_t r = work_xorshift32(&seed);
    switch (r % 16) {
    case 0: put("[section", &n); put_uint(r >> 8 & 63, &n); put("]\n", &n); break;
    case 1: put("# comment ", &n); put_uint(r >> 4, &n); put("\n", &n); break;
    default:
      put(words[(r >> 4) % 12], &n);
      if (r & 0x100) put_uint(r >> 12 & 7, &n);
      put(" = ", &n);
      switch ((r >> 9) % 4) {
      case 0: put_uint(r >> 11, &n); break;
      case 1: put("-", &n); put_uint(r >> 15, &n); put(".", &n); put_uint(r >> 24, &n); break;
      case 2: put("\"value \\\"", &n); put_uint(r >> 20, &n); put("\\n\\t end\"", &n); break;
      default: put("true", &n); break;
      }
      put("\n", &n);
    }
  }
  text_len = n;
}

static uint32_t record(uint32_t h) {
  uint32_t i = h & (TAB - 1);
  while (tab_hash[i] && tab_hash[i] != h) i = (i + 1) & (TAB - 1);
  tab_hash[i] = h;
  return ++tab_count[i];
}

static int is_space(uint8_t c) { return c == ' ' || c == '\t'; }
static int is_ident(uint8_t c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'; }

static uint32_t parse(uint32_t acc) {
  const uint8_t *p = text, *end = text + text_len;
  int64_t int_sum = 0;
  uint32_t strings = 0, str_bytes = 0, sections = 0, bools = 0;
  while (p < end) {
    while (p < end && is_space(*p)) p++;
    if (p >= end) break;
    if (*p == '\n') { p++; continue; }
    if (*p == '#') { while (p < end && *p != '\n') p++; continue; }
    if (*p == '[') {
      while (p < end && *p != ']') p++;
      sections++;
      p++;
      continue;
    }
    uint32_t h = 2166136261u;
    while (p < end && is_ident(*p)) h = (h ^ *p++) * 16777619u;
    acc += record(h | 1);
    while (p < end && is_space(*p)) p++;
    if (p < end && *p == '=') p++;
    while (p < end && is_space(*p)) p++;
    if (p >= end) break;
    if (*p == '"') {
      p++;
      while (p < end && *p != '"') {
        if (*p == '\\' && p + 1 < end) p++;
        str_bytes++;
        p++;
      }
      p++;
      strings++;
    } else if (*p == '-' || (*p >= '0' && *p <= '9')) {
      int neg = *p == '-';
      if (neg) p++;
      int64_t v = 0;
      while (p < end && *p >= '0' && *p <= '9') v = v * 10 + (*p++ - '0');
      if (p < end && *p == '.') {
        p++;
        while (p < end && *p >= '0' && *p <= '9') v = v * 10 + (*p++ - '0');
      }
      int_sum += neg ? -v : v;
    } else {
      while (p < end && is_ident(*p)) p++;
      bools++;
    }
  }
  return acc ^ (uint32_t)int_sum ^ (uint32_t)(int_sum >> 32) ^ strings * 31 ^ str_bytes * 7 ^ sections ^ bools << 3;
}

int32_t bench_parse(int32_t passes) {
  generate();
  for (int i = 0; i < TAB; i++) tab_hash[i] = tab_count[i] = 0;
  uint32_t acc = 0;
  for (int32_t i = 0; i < passes; i++) acc = parse(acc) * 2654435761u;
  return (int32_t)acc;
}
