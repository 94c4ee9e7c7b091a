/* memory.c — linear memories. On 64-bit hosts the whole possible size is reserved as
 * inaccessible address space once, and growing only changes page protections, so the base
 * pointer never moves (memoryviews handed to Python stay valid across memory.grow). */
#include <sys/mman.h>

#include "rt.h"

#define PAGE 65536ull

static uint64_t effective_max(isthmus_store *s, const isthmus_memtype *t) {
  uint64_t max = t->limits.has_max ? t->limits.max : BIN_MAX_PAGES;
  uint64_t cap = s->engine->cfg.max_memory_pages;
  return max < cap ? max : cap;
}

isthmus_memory *rt_memory_new(isthmus_store *s, const isthmus_memtype *type) {
  uint64_t max = effective_max(s, type);
  if (type->limits.min > max) return NULL;
  isthmus_memory *m = cmn_xcalloc(1, sizeof *m);
  m->type = *type;
  m->max_pages = max;
  m->reserved = (size_t)(max * PAGE);
  if (m->reserved) {
    void *p = mmap(NULL, m->reserved, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) {
      free(m);
      return NULL;
    }
    m->base = p;
    m->mmapped = true;
  }
  m->size = 0;
  if (type->limits.min && rt_memory_grow(m, type->limits.min) < 0) {
    munmap(m->base, m->reserved);
    free(m);
    return NULL;
  }
  m->type.limits.min = type->limits.min;
  cmn_vec_push(s->memories, m);
  return m;
}

int64_t rt_memory_grow(isthmus_memory *m, uint64_t delta) {
  uint64_t old = m->size / PAGE;
  if (delta == 0) return (int64_t)old;
  if (delta > m->max_pages || old + delta > m->max_pages) return -1;
  size_t newsize = (size_t)((old + delta) * PAGE);
  if (mprotect(m->base + m->size, newsize - m->size, PROT_READ | PROT_WRITE) != 0) return -1;
  m->size = newsize;
  m->type.limits.min = old + delta;
  return (int64_t)old;
}

void rt_memory_free(isthmus_memory *m) {
  if (m->mmapped) munmap(m->base, m->reserved);
  free(m);
}

isthmus_error *isthmus_memory_new(isthmus_store *s, const isthmus_memtype *type, isthmus_memory **out) {
  *out = NULL;
  if (type->limits.min > BIN_MAX_PAGES || (type->limits.has_max && type->limits.max > BIN_MAX_PAGES))
    return cmn_error(ISTHMUS_ERR_USAGE, -1, "memory size must be at most 65536 pages (4GiB)");
  if (type->limits.has_max && type->limits.min > type->limits.max)
    return cmn_error(ISTHMUS_ERR_USAGE, -1, "size minimum must not be greater than maximum");
  *out = rt_memory_new(s, type);
  if (!*out) return cmn_error(ISTHMUS_ERR_RESOURCE, -1, "cannot allocate memory of %llu pages",
                              (unsigned long long)type->limits.min);
  return NULL;
}

isthmus_memtype isthmus_memory_type(const isthmus_memory *m) { return m->type; }
uint8_t *isthmus_memory_data(const isthmus_memory *m) { return m->base; }
size_t isthmus_memory_size(const isthmus_memory *m) { return m->size; }
int64_t isthmus_memory_grow(isthmus_memory *m, uint64_t delta) { return rt_memory_grow(m, delta); }
