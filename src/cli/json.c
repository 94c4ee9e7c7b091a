/* json.c — recursive-descent JSON reader with bounded depth (see json.h). */
#include "json.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JSON_MAX_DEPTH 256

typedef struct json_parser {
  const char *p, *end, *start;
  char *err;
  size_t errlen;
  bool failed;
} json_parser;

static void json_fail(json_parser *ps, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void json_fail(json_parser *ps, const char *fmt, ...) {
  if (ps->failed) return;
  ps->failed = true;
  size_t line = 1, col = 1;
  for (const char *q = ps->start; q < ps->p && q < ps->end; q++) {
    if (*q == '\n') {
      line++;
      col = 1;
    } else {
      col++;
    }
  }
  char msg[160];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  if (ps->errlen) snprintf(ps->err, ps->errlen, "line %zu, column %zu: %s", line, col, msg);
}

static void *json_alloc(json_parser *ps, void *old, size_t n) {
  void *p = realloc(old, n ? n : 1);
  if (!p) json_fail(ps, "out of memory");
  return p;
}

static void json_skip_ws(json_parser *ps) {
  while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
    ps->p++;
}

static void json_free_inner(json_value *v) {
  switch (v->type) {
  case JSON_STRING:
    free(v->u.string.ptr);
    break;
  case JSON_ARRAY:
    for (size_t i = 0; i < v->u.array.count; i++) json_free_inner(&v->u.array.items[i]);
    free(v->u.array.items);
    break;
  case JSON_OBJECT:
    for (size_t i = 0; i < v->u.object.count; i++) {
      free(v->u.object.members[i].key);
      json_free_inner(&v->u.object.members[i].value);
    }
    free(v->u.object.members);
    break;
  default:
    break;
  }
  v->type = JSON_NULL;
}

void json_free(json_value *v) {
  if (!v) return;
  json_free_inner(v);
  free(v);
}

/* ---------------------------------------------------------------- strings */

typedef struct json_sbuf {
  char *data;
  size_t len, cap;
} json_sbuf;

static bool json_sbuf_put(json_parser *ps, json_sbuf *b, const char *s, size_t n) {
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 32;
    while (cap < b->len + n + 1) cap *= 2;
    char *d = json_alloc(ps, b->data, cap);
    if (!d) return false;
    b->data = d;
    b->cap = cap;
  }
  memcpy(b->data + b->len, s, n);
  b->len += n;
  b->data[b->len] = '\0';
  return true;
}

static int json_hex4(const char *p) {
  int v = 0;
  for (int i = 0; i < 4; i++) {
    char c = p[i];
    int d;
    if (c >= '0' && c <= '9') d = c - '0';
    else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
    else return -1;
    v = v * 16 + d;
  }
  return v;
}

static size_t json_utf8_encode(uint32_t cp, char *out) {
  if (cp < 0x80) {
    out[0] = (char)cp;
    return 1;
  }
  if (cp < 0x800) {
    out[0] = (char)(0xC0 | (cp >> 6));
    out[1] = (char)(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp < 0x10000) {
    out[0] = (char)(0xE0 | (cp >> 12));
    out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[2] = (char)(0x80 | (cp & 0x3F));
    return 3;
  }
  out[0] = (char)(0xF0 | (cp >> 18));
  out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
  out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
  out[3] = (char)(0x80 | (cp & 0x3F));
  return 4;
}

/* Reads a string starting at the opening quote. The result is malloc'd; NULL on error. */
static char *json_parse_string(json_parser *ps, size_t *len_out) {
  json_sbuf b = {0};
  ps->p++; /* opening quote */
  if (!json_sbuf_put(ps, &b, "", 0)) return NULL;
  for (;;) {
    const char *run = ps->p;
    while (ps->p < ps->end && *ps->p != '"' && *ps->p != '\\' && (unsigned char)*ps->p >= 0x20)
      ps->p++;
    if (!json_sbuf_put(ps, &b, run, (size_t)(ps->p - run))) goto fail;
    if (ps->p >= ps->end) {
      json_fail(ps, "unterminated string");
      goto fail;
    }
    char c = *ps->p;
    if (c == '"') {
      ps->p++;
      break;
    }
    if (c != '\\') {
      json_fail(ps, "control character in string");
      goto fail;
    }
    if (ps->end - ps->p < 2) {
      json_fail(ps, "unterminated escape");
      goto fail;
    }
    char e = ps->p[1];
    const char *lit = NULL;
    switch (e) {
    case '"': lit = "\""; break;
    case '\\': lit = "\\"; break;
    case '/': lit = "/"; break;
    case 'b': lit = "\b"; break;
    case 'f': lit = "\f"; break;
    case 'n': lit = "\n"; break;
    case 'r': lit = "\r"; break;
    case 't': lit = "\t"; break;
    case 'u': break;
    default:
      json_fail(ps, "bad escape '\\%c'", e);
      goto fail;
    }
    if (lit) {
      ps->p += 2;
      if (!json_sbuf_put(ps, &b, lit, 1)) goto fail;
      continue;
    }
    int hi = ps->end - ps->p >= 6 ? json_hex4(ps->p + 2) : -1;
    if (hi < 0) {
      json_fail(ps, "bad \\u escape");
      goto fail;
    }
    ps->p += 6;
    uint32_t cp = (uint32_t)hi;
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      int lo = (ps->end - ps->p >= 6 && ps->p[0] == '\\' && ps->p[1] == 'u') ? json_hex4(ps->p + 2) : -1;
      if (lo < 0xDC00 || lo > 0xDFFF) {
        json_fail(ps, "unpaired surrogate in \\u escape");
        goto fail;
      }
      ps->p += 6;
      cp = 0x10000 + ((cp - 0xD800) << 10) + ((uint32_t)lo - 0xDC00);
    } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
      json_fail(ps, "unpaired surrogate in \\u escape");
      goto fail;
    }
    char enc[4];
    if (!json_sbuf_put(ps, &b, enc, json_utf8_encode(cp, enc))) goto fail;
  }
  *len_out = b.len;
  return b.data;
fail:
  free(b.data);
  return NULL;
}

/* ---------------------------------------------------------------- values */

static bool json_parse_value(json_parser *ps, json_value *out, int depth);

static bool json_literal(json_parser *ps, const char *word) {
  size_t n = strlen(word);
  if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0) {
    json_fail(ps, "unexpected character '%c'", *ps->p);
    return false;
  }
  ps->p += n;
  return true;
}

static bool json_parse_number(json_parser *ps, json_value *out) {
  const char *s = ps->p;
  const char *q = s;
  if (q < ps->end && *q == '-') q++;
  if (q >= ps->end || *q < '0' || *q > '9') goto bad;
  if (*q == '0') q++;
  else
    while (q < ps->end && *q >= '0' && *q <= '9') q++;
  if (q < ps->end && *q == '.') {
    q++;
    if (q >= ps->end || *q < '0' || *q > '9') goto bad;
    while (q < ps->end && *q >= '0' && *q <= '9') q++;
  }
  if (q < ps->end && (*q == 'e' || *q == 'E')) {
    q++;
    if (q < ps->end && (*q == '+' || *q == '-')) q++;
    if (q >= ps->end || *q < '0' || *q > '9') goto bad;
    while (q < ps->end && *q >= '0' && *q <= '9') q++;
  }
  char tmp[64];
  size_t n = (size_t)(q - s);
  if (n >= sizeof tmp) {
    /* Long numbers: copy to the heap so strtod sees a terminated string. */
    char *h = json_alloc(ps, NULL, n + 1);
    if (!h) return false;
    memcpy(h, s, n);
    h[n] = '\0';
    out->u.number = strtod(h, NULL);
    free(h);
  } else {
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    out->u.number = strtod(tmp, NULL);
  }
  out->type = JSON_NUMBER;
  ps->p = q;
  return true;
bad:
  json_fail(ps, "bad number");
  return false;
}

static bool json_parse_array(json_parser *ps, json_value *out, int depth) {
  out->type = JSON_ARRAY;
  out->u.array.items = NULL;
  out->u.array.count = 0;
  size_t cap = 0;
  ps->p++; /* '[' */
  json_skip_ws(ps);
  if (ps->p < ps->end && *ps->p == ']') {
    ps->p++;
    return true;
  }
  for (;;) {
    if (out->u.array.count == cap) {
      cap = cap ? cap * 2 : 4;
      json_value *items = json_alloc(ps, out->u.array.items, cap * sizeof *items);
      if (!items) return false;
      out->u.array.items = items;
    }
    json_value *item = &out->u.array.items[out->u.array.count];
    item->type = JSON_NULL;
    if (!json_parse_value(ps, item, depth + 1)) {
      json_free_inner(item);
      return false;
    }
    out->u.array.count++;
    json_skip_ws(ps);
    if (ps->p >= ps->end) {
      json_fail(ps, "unterminated array");
      return false;
    }
    if (*ps->p == ',') {
      ps->p++;
      continue;
    }
    if (*ps->p == ']') {
      ps->p++;
      return true;
    }
    json_fail(ps, "expected ',' or ']' in array");
    return false;
  }
}

static bool json_parse_object(json_parser *ps, json_value *out, int depth) {
  out->type = JSON_OBJECT;
  out->u.object.members = NULL;
  out->u.object.count = 0;
  size_t cap = 0;
  ps->p++; /* '{' */
  json_skip_ws(ps);
  if (ps->p < ps->end && *ps->p == '}') {
    ps->p++;
    return true;
  }
  for (;;) {
    json_skip_ws(ps);
    if (ps->p >= ps->end || *ps->p != '"') {
      json_fail(ps, "expected a string key in object");
      return false;
    }
    if (out->u.object.count == cap) {
      cap = cap ? cap * 2 : 4;
      json_member *m = json_alloc(ps, out->u.object.members, cap * sizeof *m);
      if (!m) return false;
      out->u.object.members = m;
    }
    json_member *m = &out->u.object.members[out->u.object.count];
    m->key = json_parse_string(ps, &m->key_len);
    if (!m->key) return false;
    m->value.type = JSON_NULL;
    out->u.object.count++; /* now owned by out, freed with it on error */
    json_skip_ws(ps);
    if (ps->p >= ps->end || *ps->p != ':') {
      json_fail(ps, "expected ':' after object key");
      return false;
    }
    ps->p++;
    if (!json_parse_value(ps, &m->value, depth + 1)) return false;
    json_skip_ws(ps);
    if (ps->p >= ps->end) {
      json_fail(ps, "unterminated object");
      return false;
    }
    if (*ps->p == ',') {
      ps->p++;
      continue;
    }
    if (*ps->p == '}') {
      ps->p++;
      return true;
    }
    json_fail(ps, "expected ',' or '}' in object");
    return false;
  }
}

static bool json_parse_value(json_parser *ps, json_value *out, int depth) {
  out->type = JSON_NULL;
  if (depth > JSON_MAX_DEPTH) {
    json_fail(ps, "nesting deeper than %d", JSON_MAX_DEPTH);
    return false;
  }
  json_skip_ws(ps);
  if (ps->p >= ps->end) {
    json_fail(ps, "unexpected end of input");
    return false;
  }
  switch (*ps->p) {
  case '{':
    return json_parse_object(ps, out, depth);
  case '[':
    return json_parse_array(ps, out, depth);
  case '"': {
    size_t len;
    char *s = json_parse_string(ps, &len);
    if (!s) return false;
    out->type = JSON_STRING;
    out->u.string.ptr = s;
    out->u.string.len = len;
    return true;
  }
  case 't':
    if (!json_literal(ps, "true")) return false;
    out->type = JSON_BOOL;
    out->u.boolean = true;
    return true;
  case 'f':
    if (!json_literal(ps, "false")) return false;
    out->type = JSON_BOOL;
    out->u.boolean = false;
    return true;
  case 'n':
    return json_literal(ps, "null");
  default:
    if (*ps->p == '-' || (*ps->p >= '0' && *ps->p <= '9')) return json_parse_number(ps, out);
    if ((unsigned char)*ps->p >= 0x20 && (unsigned char)*ps->p < 0x7f)
      json_fail(ps, "unexpected character '%c'", *ps->p);
    else
      json_fail(ps, "unexpected byte 0x%02x", (unsigned char)*ps->p);
    return false;
  }
}

json_value *json_parse(const char *text, size_t len, char *err, size_t errlen) {
  json_parser ps = {.p = text, .end = text + len, .start = text, .err = err, .errlen = errlen};
  if (errlen) err[0] = '\0';
  json_value *root = malloc(sizeof *root);
  if (!root) {
    if (errlen) snprintf(err, errlen, "out of memory");
    return NULL;
  }
  root->type = JSON_NULL;
  /* Skip a UTF-8 byte order mark. */
  if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) ps.p += 3;
  if (json_parse_value(&ps, root, 0)) {
    json_skip_ws(&ps);
    if (ps.p < ps.end) json_fail(&ps, "trailing characters after the JSON value");
  }
  if (ps.failed) {
    json_free(root);
    return NULL;
  }
  return root;
}

/* ---------------------------------------------------------------- lookups */

const json_value *json_get(const json_value *v, const char *key) {
  if (!v || v->type != JSON_OBJECT) return NULL;
  size_t n = strlen(key);
  for (size_t i = 0; i < v->u.object.count; i++) {
    const json_member *m = &v->u.object.members[i];
    if (m->key_len == n && memcmp(m->key, key, n) == 0) return &m->value;
  }
  return NULL;
}

const char *json_get_str(const json_value *v, const char *key, size_t *len) {
  const json_value *s = json_get(v, key);
  if (!s || s->type != JSON_STRING) return NULL;
  if (len) *len = s->u.string.len;
  return s->u.string.ptr;
}

const json_value *json_get_array(const json_value *v, const char *key) {
  const json_value *a = json_get(v, key);
  return a && a->type == JSON_ARRAY ? a : NULL;
}

long json_get_long(const json_value *v, const char *key, long def) {
  const json_value *n = json_get(v, key);
  if (!n || n->type != JSON_NUMBER || !(n->u.number >= 0) || n->u.number > 2e9) return def;
  return (long)n->u.number;
}
