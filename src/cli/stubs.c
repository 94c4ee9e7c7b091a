/* stubs.c — `isthmus stubs FILE.wasm`: Python type stubs (.pyi) for the functions and structs
 * of an isthmus-ABI module, read from its `isthmus.schema` custom section (docs/abi.md §9).
 * Only the section walk is needed: the module is not decoded or instantiated. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "util.h"

const char cli_stubs_usage[] =
    "usage: isthmus stubs FILE.wasm > lib.pyi\n"
    "\n"
    "Writes Python type stubs for an isthmus-ABI module (built with `isthmus build`): one\n"
    "dataclass per Go struct and one function per exported Go function, with parameter names,\n"
    "types and doc comments, read from the module's isthmus.schema custom section.\n";

typedef struct st_rd {
  const uint8_t *p, *end;
  int bad;
} st_rd;

static uint32_t st_u32(st_rd *r) {
  uint32_t v = 0;
  if (r->end - r->p < 4) {
    r->bad = 1;
    r->p = r->end;
    return 0;
  }
  memcpy(&v, r->p, 4);
  r->p += 4;
  return v;
}
static uint8_t st_u8(st_rd *r) {
  if (r->p >= r->end) {
    r->bad = 1;
    return 0;
  }
  return *r->p++;
}
typedef struct st_str {
  const char *s;
  uint32_t n;
} st_str;
static st_str st_string(st_rd *r) {
  st_str out = {"", 0};
  uint32_t n = st_u32(r);
  if ((size_t)(r->end - r->p) < n) {
    r->bad = 1;
    r->p = r->end;
    return out;
  }
  out.s = (const char *)r->p;
  out.n = n;
  r->p += n;
  return out;
}

typedef struct st_field {
  st_str name, doc;
  uint32_t type;
} st_field;
typedef struct st_type {
  uint8_t kind;
  uint32_t a, b, nfields;
  st_str name, doc;
  st_field *fields;
} st_type;

enum {
  ST_STRUCT = 0x14, ST_LIST = 0x11, ST_ARRAY = 0x12, ST_MAP = 0x13, ST_OPTIONAL = 0x15, ST_U8 = 6, ST_BYTES = 0x0D,
  ST_DURATION = 0x0F
};

/* The Python class name of a struct: the last part of the Go name, type arguments joined. */
static void st_class_name(cli_buf *b, st_str q, uint32_t index) {
  if (!q.n) {
    cli_buf_printf(b, "Struct%u", index);
    return;
  }
  uint32_t end = q.n, start = 0;
  for (uint32_t i = 0; i < q.n; i++)
    if (q.s[i] == '[') {
      end = i;
      break;
    }
  for (uint32_t i = 0; i < end; i++)
    if (q.s[i] == '/' || q.s[i] == '.') start = i + 1;
  size_t at = b->len;
  for (uint32_t i = start; i < end; i++) {
    char c = q.s[i];
    cli_buf_add(b, (c == '_' || (c >= '0' && c <= '9') || ((c | 32) >= 'a' && (c | 32) <= 'z')) ? &c : "_", 1);
  }
  if (end < q.n) {
    cli_buf_add(b, "_", 1);
    int last_us = 1;
    for (uint32_t i = end + 1; i < q.n; i++) {
      char c = q.s[i];
      int ok = c == '_' || (c >= '0' && c <= '9') || ((c | 32) >= 'a' && (c | 32) <= 'z');
      if (!ok && last_us) continue;
      cli_buf_add(b, ok ? &c : "_", 1);
      last_us = !ok;
    }
    while (b->len > at && b->data[b->len - 1] == '_') b->data[--b->len] = 0;
  }
  if (b->len == at || (b->data[at] >= '0' && b->data[at] <= '9')) cli_buf_add(b, "T_", 2);
}

/* The Python type of schema type t. With param, the type a parameter accepts, which is wider
 * than what a result gives (python/src/abi_codec.c): any bytes-like object for bytes, any
 * sequence for a list or array, any mapping for a map, int nanoseconds for a duration. */
static void st_py_type(cli_buf *b, const st_type *types, uint32_t t, int depth, int param) {
  static const char *scalars[] = {"Any", "bool", "int", "int", "int", "int", "int", "int", "int", "int",
                                  "float", "float", "str", "bytes", "datetime.datetime",
                                  "datetime.timedelta", "Any"};
  const st_type *ty = &types[t];
  if (depth > 8) {
    cli_buf_printf(b, "Any");
    return;
  }
  switch (ty->kind) {
  case ST_LIST:
    cli_buf_printf(b, param ? "Sequence[" : "List[");
    st_py_type(b, types, ty->a, depth + 1, param);
    cli_buf_printf(b, "]");
    return;
  case ST_ARRAY:
    if (types[ty->b].kind == ST_U8) {
      cli_buf_printf(b, param ? "Union[bytes, bytearray, memoryview, Sequence[int]]" : "bytes");
      return;
    }
    cli_buf_printf(b, param ? "Sequence[" : "List[");
    st_py_type(b, types, ty->b, depth + 1, param);
    cli_buf_printf(b, "]");
    return;
  case ST_MAP:
    cli_buf_printf(b, param ? "Mapping[" : "Dict[");
    st_py_type(b, types, ty->a, depth + 1, param);
    cli_buf_printf(b, ", ");
    st_py_type(b, types, ty->b, depth + 1, param);
    cli_buf_printf(b, "]");
    return;
  case ST_OPTIONAL:
    cli_buf_printf(b, "Optional[");
    st_py_type(b, types, ty->a, depth + 1, param);
    cli_buf_printf(b, "]");
    return;
  case ST_STRUCT: st_class_name(b, ty->name, t); return;
  case ST_BYTES:
    if (param) {
      cli_buf_printf(b, "Union[bytes, bytearray, memoryview]");
      return;
    }
    break;
  case ST_DURATION:
    if (param) {
      cli_buf_printf(b, "Union[datetime.timedelta, int]");
      return;
    }
    break;
  }
  cli_buf_printf(b, "%s", scalars[ty->kind <= 0x10 ? ty->kind : 0]);
}

static void st_doc(cli_buf *b, st_str doc, const char *indent) {
  uint32_t n = doc.n;
  while (n && (doc.s[n - 1] == '\n' || doc.s[n - 1] == ' ')) n--;
  if (!n) return;
  cli_buf_printf(b, "%s\"\"\"", indent);
  for (uint32_t i = 0; i < n; i++) {
    char c = doc.s[i];
    if (c == '\\' || (c == '"' && i + 2 < n && doc.s[i + 1] == '"' && doc.s[i + 2] == '"')) cli_buf_add(b, "\\", 1);
    cli_buf_add(b, &c, 1);
    if (c == '\n') cli_buf_printf(b, "%s", indent);
  }
  cli_buf_printf(b, "\"\"\"\n");
}

/* An ASCII identifier that is not a Python keyword (Go names may be Python keywords: `in`, `from`). */
static int st_is_ident(st_str s) {
  static const char *const keywords[] = {"False", "None", "True", "and", "as", "assert", "async", "await", "break",
                                         "class", "continue", "def", "del", "elif", "else", "except", "finally", "for",
                                         "from", "global", "if", "import", "in", "is", "lambda", "nonlocal", "not", "or",
                                         "pass", "raise", "return", "try", "while", "with", "yield"};
  for (size_t i = 0; i < sizeof keywords / sizeof keywords[0]; i++)
    if (strlen(keywords[i]) == s.n && memcmp(keywords[i], s.s, s.n) == 0) return 0;
  if (!s.n || (s.s[0] >= '0' && s.s[0] <= '9')) return 0;
  for (uint32_t i = 0; i < s.n; i++) {
    char c = s.s[i];
    if (!(c == '_' || (c >= '0' && c <= '9') || ((c | 32) >= 'a' && (c | 32) <= 'z'))) return 0;
  }
  return 1;
}

static int st_fields_are_idents(const st_type *t) {
  for (uint32_t j = 0; j < t->nfields; j++)
    if (!st_is_ident(t->fields[j].name)) return 0;
  return 1;
}

/* Writes the stubs for schema bytes; returns 0, or -1 when they are malformed. */
static int st_generate(const uint8_t *data, size_t len, cli_buf *out) {
  st_rd r = {data, data + len, 0};
  uint32_t version = st_u32(&r);
  if (r.bad || version != 1) {
    cli_errorf("stubs: module uses isthmus ABI %u; this tool supports 1", version);
    return -1;
  }
  st_str producer = st_string(&r);
  uint32_t ntypes = st_u32(&r);
  if (r.bad || ntypes > (size_t)(r.end - r.p)) return -1;
  st_type *types = cli_xcalloc(ntypes ? ntypes : 1, sizeof *types);
  int rc = -1;
  for (uint32_t i = 0; i < ntypes && !r.bad; i++) {
    st_type *t = &types[i];
    t->kind = st_u8(&r);
    if (t->kind == ST_LIST || t->kind == ST_OPTIONAL) t->a = st_u32(&r);
    else if (t->kind == ST_ARRAY || t->kind == ST_MAP) t->a = st_u32(&r), t->b = st_u32(&r);
    else if (t->kind == ST_STRUCT) {
      t->name = st_string(&r);
      t->doc = st_string(&r);
      t->nfields = st_u32(&r);
      if (t->nfields > (size_t)(r.end - r.p) / 12) r.bad = 1;
      t->fields = cli_xcalloc(r.bad || !t->nfields ? 1 : t->nfields, sizeof *t->fields);
      for (uint32_t j = 0; j < t->nfields && !r.bad; j++) {
        t->fields[j].name = st_string(&r);
        t->fields[j].type = st_u32(&r);
        t->fields[j].doc = st_string(&r);
        if (t->fields[j].type >= ntypes) r.bad = 1;
      }
    } else if (t->kind < 1 || t->kind > 0x10) r.bad = 1;
    if ((t->kind == ST_LIST || t->kind == ST_OPTIONAL || t->kind == ST_MAP) && t->a >= ntypes) r.bad = 1;
    if ((t->kind == ST_ARRAY || t->kind == ST_MAP) && t->b >= ntypes) r.bad = 1;
  }
  if (r.bad) goto done;
  cli_buf_printf(out, "# Generated by `isthmus stubs` from the isthmus.schema section (producer: %.*s).\n",
                 (int)producer.n, producer.s);
  cli_buf_printf(out, "# Do not edit. Functions are attributes of the library returned by isthmus.load().\n");
  cli_buf_printf(out, "from __future__ import annotations\n\nimport datetime\nfrom dataclasses import dataclass\n"
                      "from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union\n\n");
  for (uint32_t i = 0; i < ntypes; i++) {
    st_type *t = &types[i];
    if (t->kind != ST_STRUCT) continue;
    if (!st_fields_are_idents(t)) { /* isthmus.load makes no class for it either: it travels as a dict */
      cli_buf_printf(out, "\n");
      st_class_name(out, t->name, i);
      cli_buf_printf(out, " = Dict[str, Any]  # a field name is not a Python identifier\n");
      continue;
    }
    cli_buf_printf(out, "\n@dataclass\nclass ");
    st_class_name(out, t->name, i);
    cli_buf_printf(out, ":\n");
    st_doc(out, t->doc, "    ");
    for (uint32_t j = 0; j < t->nfields; j++) {
      cli_buf_printf(out, "    %.*s: ", (int)t->fields[j].name.n, t->fields[j].name.s);
      st_py_type(out, types, t->fields[j].type, 0, 0);
      cli_buf_printf(out, "\n");
      st_doc(out, t->fields[j].doc, "    ");
    }
    if (!t->nfields && !t->doc.n) cli_buf_printf(out, "    pass\n");
    cli_buf_printf(out, "\n");
  }
  cli_buf_printf(out, "\nclass types:\n    \"\"\"The struct classes (lib.types.NAME).\"\"\"\n");
  for (uint32_t i = 0; i < ntypes; i++) {
    if (types[i].kind != ST_STRUCT || !st_fields_are_idents(&types[i])) continue;
    cli_buf_printf(out, "    ");
    st_class_name(out, types[i].name, i);
    cli_buf_printf(out, " = ");
    st_class_name(out, types[i].name, i);
    cli_buf_printf(out, "\n");
  }
  cli_buf_printf(out, "    pass\n\n");
  uint32_t nfuncs = st_u32(&r);
  for (uint32_t f = 0; f < nfuncs && !r.bad; f++) {
    st_str name = st_string(&r), go_name = st_string(&r), doc = st_string(&r);
    (void)go_name;
    cli_buf params = {0}, results = {0};
    uint32_t np = st_u32(&r), nres;
    if (np > (size_t)(r.end - r.p) / 8) r.bad = 1;
    st_str *pnames = cli_xcalloc(r.bad || !np ? 1 : np, sizeof *pnames);
    uint32_t *ptypes = cli_xcalloc(r.bad || !np ? 1 : np, sizeof *ptypes);
    for (uint32_t i = 0; i < np && !r.bad; i++) {
      pnames[i] = st_string(&r);
      ptypes[i] = st_u32(&r);
      if (ptypes[i] >= ntypes) r.bad = 1;
    }
    nres = st_u32(&r);
    if (nres > (size_t)(r.end - r.p) / 8) r.bad = 1;
    for (uint32_t i = 0; i < nres && !r.bad; i++) {
      st_string(&r);
      uint32_t t = st_u32(&r);
      if (t >= ntypes) {
        r.bad = 1;
        break;
      }
      if (i) cli_buf_printf(&results, ", ");
      st_py_type(&results, types, t, 0, 0);
    }
    uint8_t flags = st_u8(&r);
    if (!r.bad) {
      for (uint32_t i = 0; i < np; i++) {
        if (i) cli_buf_printf(&params, ", ");
        int variadic = (flags & 2) && i == np - 1 && types[ptypes[i]].kind == ST_LIST;
        if (variadic) cli_buf_printf(&params, "*");
        if (st_is_ident(pnames[i])) cli_buf_printf(&params, "%.*s: ", (int)pnames[i].n, pnames[i].s);
        else cli_buf_printf(&params, "p%u: ", i);
        st_py_type(&params, types, variadic ? types[ptypes[i]].a : ptypes[i], 0, 1);
      }
      cli_buf_printf(out, "\ndef %.*s(%s) -> ", (int)name.n, name.s, params.data ? params.data : "");
      if (nres == 0) cli_buf_printf(out, "None");
      else if (nres == 1) cli_buf_printf(out, "%s", results.data);
      else cli_buf_printf(out, "Tuple[%s]", results.data);
      cli_buf_printf(out, ":\n");
      st_doc(out, doc, "    ");
      if (flags & 1) cli_buf_printf(out, "    # raises isthmus.GoError when the Go function returns an error\n");
      cli_buf_printf(out, "    ...\n");
    }
    cli_buf_free(&params);
    cli_buf_free(&results);
    free(pnames);
    free(ptypes);
  }
  if (!r.bad) rc = 0;
done:
  for (uint32_t i = 0; i < ntypes; i++) free(types[i].fields);
  free(types);
  return rc;
}

static uint32_t st_leb(const uint8_t **p, const uint8_t *end, int *bad) {
  uint32_t v = 0;
  for (int shift = 0; shift < 35; shift += 7) {
    if (*p >= end) break;
    uint8_t b = *(*p)++;
    v |= (uint32_t)(b & 0x7f) << shift;
    if (!(b & 0x80)) return v;
  }
  *bad = 1;
  return 0;
}

int cli_stubs_main(int argc, char **argv) {
  const char *path = NULL;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
      fputs(cli_stubs_usage, stdout);
      return CLI_EXIT_OK;
    }
    if (path || (argv[i][0] == '-' && argv[i][1])) {
      cli_errorf("stubs: unexpected argument '%s' (see 'isthmus stubs --help')", argv[i]);
      return CLI_EXIT_USAGE;
    }
    path = argv[i];
  }
  if (!path) {
    cli_errorf("stubs: missing FILE.wasm (see 'isthmus stubs --help')");
    return CLI_EXIT_USAGE;
  }
  size_t len;
  uint8_t *bytes = cli_read_file(path, &len);
  if (!bytes) return CLI_EXIT_FAIL;
  int status = CLI_EXIT_FAIL, bad = 0;
  const uint8_t *p = bytes + 8, *end = bytes + len;
  if (len < 8 || memcmp(bytes, "\0asm", 4) != 0) {
    cli_errorf("%s: not a WebAssembly module", path);
    goto done;
  }
  while (p < end && !bad) {
    uint8_t id = *p++;
    uint32_t size = st_leb(&p, end, &bad);
    if (bad || size > (size_t)(end - p)) break;
    const uint8_t *next = p + size;
    if (id == 0) {
      uint32_t nlen = st_leb(&p, next, &bad);
      if (!bad && nlen <= (size_t)(next - p) && nlen == 14 && memcmp(p, "isthmus.schema", 14) == 0) {
        cli_buf out = {0};
        p += nlen;
        if (st_generate(p, (size_t)(next - p), &out) == 0) {
          fwrite(out.data, 1, out.len, stdout);
          status = CLI_EXIT_OK;
        } else {
          cli_errorf("%s: malformed isthmus.schema section", path);
        }
        cli_buf_free(&out);
        goto done;
      }
    }
    p = next;
  }
  cli_errorf("%s: no isthmus.schema custom section (not built with `isthmus build`?)", path);
done:
  free(bytes);
  return status;
}
