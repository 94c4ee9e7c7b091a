/* decode_int.h — private to the decoder (decode.c, decode_code.c, names.c).
 *
 * Reading model. The decoder follows the reference interpreter closely because the spec tests
 * match on its messages, and which message comes out depends on how far it reads:
 *   - the reader's end is the end of the module, not the end of the current section: a section
 *     whose items overrun its declared size is read on into the next section, and only then is
 *     "section size mismatch" reported (as the reference does);
 *   - a length or count may not exceed the bytes left from where it starts ("length out of
 *     bounds"); arrays are never allocated larger than the bytes left could fill;
 *   - running off the end inside a non-custom section is "unexpected end of section or
 *     function"; in the header, a section header or a custom section it is "unexpected end"
 *     (the spec tests accept the long form wherever they say "unexpected end"). */
#ifndef ISTHMUS_DECODE_INT_H
#define ISTHMUS_DECODE_INT_H

#include "module.h"

#define DEC_END_SECTION "unexpected end of section or function"

/* Declared locals allowed over a whole module (an implementation limit that keeps a small
 * module from asking for gigabytes of local-type arrays): a generous multiple of its size. */
#define DEC_LOCALS_BUDGET(len) ((uint64_t)(len) * 8u + (1u << 20))

typedef struct bin_decoder {
  isthmus_module *m;
  bin_reader r;
  isthmus_error_kind kind; /* MALFORMED unless an implementation limit was hit (RESOURCE) */
  char msg[64];            /* storage for messages built at run time ("illegal opcode 06") */

  /* Capacities of the growable arrays of m. */
  uint32_t funcs_cap, tables_cap, memories_cap, globals_cap, customs_cap;

  uint32_t num_defined;    /* entries of the function section */
  uint32_t num_bodies;     /* entries of the code section */
  size_t func_sec_off, code_sec_off; /* for the count mismatch message; 0 when absent */
  uint64_t total_locals;   /* declared locals of all bodies, against DEC_LOCALS_BUDGET */

  CMN_VEC(uint32_t) refs;  /* function indices named by ref.func in constant expressions and
                              by function exports: become m->declared_refs */
} bin_decoder;

/* Fails at `off` (first error wins) and stops the reader. */
static inline void dec_fail_at(bin_reader *r, size_t off, const char *msg) {
  if (!r->err) {
    r->err = msg;
    r->err_off = off;
  }
  r->p = r->end;
}

/* Fails for running out of bytes: reported at the end, where the bytes ran out. */
static inline void dec_eof(bin_reader *r) {
  dec_fail_at(r, (size_t)(r->end - r->base), "unexpected end");
}

/* Fails with an implementation limit (ISTHMUS_ERR_RESOURCE). */
static inline void dec_limit(bin_decoder *d, const char *msg) {
  if (!d->r.err) d->kind = ISTHMUS_ERR_RESOURCE;
  dec_fail_at(&d->r, bin_off(&d->r), msg);
}

/* Bytes left from offset `from` to the end of the reader. */
static inline size_t dec_left_from(const bin_reader *r, size_t from) {
  size_t total = (size_t)(r->end - r->base);
  return from < total ? total - from : 0;
}

/* A vector length or byte count: u32, at most the bytes left from its own first byte. */
CMN_HIDDEN uint32_t dec_len32(bin_reader *r);
/* numtype | vectype | reftype, with the reference interpreter's messages. */
CMN_HIDDEN isthmus_valtype dec_valtype(bin_reader *r);
/* funcref | externref ("malformed reference type"). */
CMN_HIDDEN isthmus_valtype dec_reftype(bin_reader *r);

/* Grows *arr (elements of `size` bytes) so that it holds at least `need` entries. */
CMN_HIDDEN void dec_reserve(void **arr, uint32_t *cap, uint32_t need, size_t size);

/* Constant expression up to and including its `end`; out gets the range without the `end`.
 * When item is non-NULL it receives the item form of a one-instruction expression
 * (ref.func / ref.null / global.get), or op = BIN_ITEM_NULL with idx = UINT32_MAX when the
 * expression is anything else (the validator rejects those through item_exprs). */
CMN_HIDDEN void dec_const_expr(bin_decoder *d, bin_expr *out, bin_elem_item *item);

/* Function bodies are not decoded, only delimited; these two catch the bodies that the
 * reference decoder, which reads a body's instructions without regard to its size, would
 * have refused (or read past) before anything that went wrong later:
 * dec_bodies_ended is a cheap test that every recorded body ends in an `end` byte;
 * dec_check_bodies walks the recorded bodies' instructions and, when one is malformed,
 * sets d->r's error to the reference's and returns true (it clears d->r's error otherwise). */
CMN_HIDDEN bool dec_bodies_ended(const bin_decoder *d);
CMN_HIDDEN bool dec_check_bodies(bin_decoder *d);

CMN_HIDDEN void dec_elem_section(bin_decoder *d);
CMN_HIDDEN void dec_code_section(bin_decoder *d);
CMN_HIDDEN void dec_data_section(bin_decoder *d);

/* Fills m->module_name and m->func_names from the first "name" custom section, if any.
 * Never fails: a malformed subsection is dropped with everything after it. */
CMN_HIDDEN void bin_parse_names(isthmus_module *m);

#endif
