/* memcpy and memset for the wasm build (no libc): the compiler emits calls to them for
 * struct copies and zeroed arrays. The native build takes libc's. */
#include <stddef.h>

void *memcpy(void *restrict dst, const void *restrict src, size_t n) {
  unsigned char *d = dst;
  const unsigned char *s = src;
  while (n--) *d++ = *s++;
  return dst;
}

void *memset(void *dst, int c, size_t n) {
  unsigned char *d = dst;
  while (n--) *d++ = (unsigned char)c;
  return dst;
}
