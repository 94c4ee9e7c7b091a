/* random_get: fills the buffer, differs between calls, accepts length 0. */
#include <stdlib.h>

#include "wt.h"

int main(void) {
  static uint8_t a[4096], b[4096];
  wt_errno("random_get 4096", __wasi_random_get(a, sizeof a));
  wt_errno("random_get again", __wasi_random_get(b, sizeof b));
  wt_check("two draws differ", memcmp(a, b, sizeof a) != 0, NULL);
  int counts[256] = {0}, seen = 0;
  for (size_t i = 0; i < sizeof a; i++) counts[a[i]]++;
  for (int i = 0; i < 256; i++) seen += counts[i] > 0;
  wt_check("4096 bytes use over 200 byte values", seen > 200, NULL);
  wt_errno("random_get length 0", __wasi_random_get(a, 0));
  static uint32_t big[1 << 14];
  wt_errno("random_get 64 KiB", __wasi_random_get((uint8_t *)big, sizeof big));
  wt_libc("getentropy", getentropy(a, 256));
  return 0;
}
