/* test_valid.c — conformance tests for the decoder + validator.
 *
 *   test_valid                 converts tests/wast/invalid-*.wast with wast2json (wabt) and
 *                              checks every module: `module` commands must be accepted,
 *                              assert_invalid ones refused as invalid and assert_malformed
 *                              (binary) ones as malformed, each with a message that starts
 *                              with the expected text (the spec interpreter's convention).
 *   test_valid FILE.json...    the same for wast2json outputs made elsewhere (e.g. the
 *                              official spec tests); commands that do not concern
 *                              decoding or validation are ignored.
 *   test_valid --mutate FILE.wasm [N]
 *                              decodes and validates N (default 10000) randomly mutated
 *                              copies of FILE: a smoke test for crashes, best run in a
 *                              sanitizer build (-DISTHMUS_SANITIZE=ON).
 *   test_valid --time FILE.wasm [N]
 *                              decodes and validates FILE N times (default 20) and prints
 *                              the best times.
 *
 * Exit status 0 when every check passed. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "module.h"
#include "valid.h"

static int passed, failed;

static uint8_t *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  uint8_t *buf = malloc(n > 0 ? (size_t)n + 1 : 1);
  if (n > 0 && fread(buf, 1, (size_t)n, f) != (size_t)n) {
    fclose(f);
    free(buf);
    return NULL;
  }
  fclose(f);
  buf[n > 0 ? n : 0] = 0;
  *len = n > 0 ? (size_t)n : 0;
  return buf;
}

/* Decodes and validates; NULL when the module is valid. */
static isthmus_error *load(const uint8_t *bytes, size_t len) {
  isthmus_error *err = NULL;
  isthmus_module *m = bin_decode(NULL, bytes, len, &err);
  if (!m) return err;
  err = vld_module(m);
  bin_module_free(m);
  return err;
}

/* Copies the string value of "key" from a one-line JSON object into out (no unescaping
 * beyond \" and \\, which is all wast2json writes for these fields). */
static bool json_str(const char *line, const char *key, char *out, size_t cap) {
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

static long json_line(const char *line) {
  const char *p = strstr(line, "\"line\": ");
  return p ? strtol(p + 8, NULL, 10) : 0;
}

static void check_one(const char *dir, const char *src, long lineno, const char *type,
                      const char *file, const char *text) {
  char path[8192];
  snprintf(path, sizeof path, "%s/%s", dir, file);
  size_t len;
  uint8_t *bytes = read_file(path, &len);
  if (!bytes) {
    printf("FAIL %s:%ld: cannot read %s\n", src, lineno, path);
    failed++;
    return;
  }
  isthmus_error *err = load(bytes, len);
  free(bytes);

  isthmus_error_kind want = 0;
  if (strcmp(type, "assert_invalid") == 0) want = ISTHMUS_ERR_INVALID;
  else if (strcmp(type, "assert_malformed") == 0) want = ISTHMUS_ERR_MALFORMED;

  bool ok;
  if (!want) {
    ok = err == NULL;
    if (!ok)
      printf("FAIL %s:%ld: valid module refused: %s (offset %lld, func %lld)\n", src, lineno,
             err->message, (long long)err->offset, (long long)err->func);
  } else if (!err) {
    ok = false;
    printf("FAIL %s:%ld: %s module accepted (expected \"%s\")\n", src, lineno,
           want == ISTHMUS_ERR_INVALID ? "invalid" : "malformed", text);
  } else {
    ok = err->kind == want && strncmp(err->message, text, strlen(text)) == 0;
    if (!ok)
      printf("FAIL %s:%ld: expected %s \"%s\", got %s \"%s\" (offset %lld, func %lld)\n", src,
             lineno, want == ISTHMUS_ERR_INVALID ? "invalid" : "malformed", text,
             err->kind == ISTHMUS_ERR_INVALID     ? "invalid"
             : err->kind == ISTHMUS_ERR_MALFORMED ? "malformed"
                                                  : "other",
             err->message, (long long)err->offset, (long long)err->func);
  }
  isthmus_error_delete(err);
  if (ok) passed++;
  else failed++;
}

/* Runs the decode/validate commands of one wast2json output. */
static void run_json(const char *json_path) {
  size_t len;
  char *json = (char *)read_file(json_path, &len);
  if (!json) {
    printf("FAIL cannot read %s\n", json_path);
    failed++;
    return;
  }
  char dir[4096];
  snprintf(dir, sizeof dir, "%s", json_path);
  char *slash = strrchr(dir, '/');
  if (slash) *slash = 0;
  else snprintf(dir, sizeof dir, ".");
  const char *src = strrchr(json_path, '/') ? strrchr(json_path, '/') + 1 : json_path;

  for (char *line = json; line && *line;) {
    char *nl = strchr(line, '\n');
    if (nl) *nl = 0;
    char type[64], file[1024], text[512], mtype[32];
    if (json_str(line, "type", type, sizeof type) && json_str(line, "filename", file, sizeof file)) {
      bool binary = !json_str(line, "module_type", mtype, sizeof mtype) || strcmp(mtype, "binary") == 0;
      if (!json_str(line, "text", text, sizeof text)) text[0] = 0;
      bool wanted = strcmp(type, "module") == 0 || strcmp(type, "assert_invalid") == 0 ||
                    strcmp(type, "assert_malformed") == 0 ||
                    strcmp(type, "assert_unlinkable") == 0 ||
                    strcmp(type, "assert_uninstantiable") == 0;
      if (wanted && binary) check_one(dir, src, json_line(line), type, file, text);
    }
    line = nl ? nl + 1 : NULL;
  }
  free(json);
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Converts and runs tests/wast/invalid-*.wast of this source tree. */
static int run_own_tests(void) {
  char root[4096];
  snprintf(root, sizeof root, "%s", __FILE__); /* <root>/tests/c/test_valid.c */
  for (int i = 0; i < 3; i++) {
    char *s = strrchr(root, '/');
    if (!s) {
      printf("FAIL cannot locate the source tree from %s\n", __FILE__);
      return 1;
    }
    *s = 0;
  }
  char wastdir[4200];
  snprintf(wastdir, sizeof wastdir, "%s/tests/wast", root);
  DIR *d = opendir(wastdir);
  if (!d) {
    printf("FAIL cannot open %s\n", wastdir);
    return 1;
  }
  char *names[256];
  int n = 0;
  struct dirent *de;
  while ((de = readdir(d)) && n < 256) {
    size_t l = strlen(de->d_name);
    if (strncmp(de->d_name, "invalid-", 8) == 0 && l > 5 && strcmp(de->d_name + l - 5, ".wast") == 0)
      names[n++] = strdup(de->d_name);
  }
  closedir(d);
  qsort(names, (size_t)n, sizeof *names, cmp_str);

  char tmp[] = "/tmp/isthmus-test-valid-XXXXXX";
  if (!mkdtemp(tmp)) {
    printf("FAIL mkdtemp: %s\n", strerror(errno));
    return 1;
  }
  for (int i = 0; i < n; i++) {
    char base[256], cmd[9000], json[4400];
    snprintf(base, sizeof base, "%.*s", (int)(strlen(names[i]) - 5), names[i]);
    snprintf(json, sizeof json, "%s/%s.json", tmp, base);
    snprintf(cmd, sizeof cmd, "wast2json '%s/%s' -o '%s'", wastdir, names[i], json);
    if (system(cmd) != 0) {
      printf("FAIL %s: wast2json failed (is wabt installed?)\n", names[i]);
      failed++;
    } else {
      int before = failed;
      run_json(json);
      printf("%-28s %s\n", names[i], failed == before ? "ok" : "FAILED");
    }
    free(names[i]);
  }
  char cmd[200];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
  if (system(cmd) != 0) fprintf(stderr, "warning: could not remove %s\n", tmp);
  return 0;
}

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int time_module(const char *path, int reps) {
  size_t len;
  uint8_t *bytes = read_file(path, &len);
  if (!bytes) {
    printf("cannot read %s\n", path);
    return 1;
  }
  double best_dec = 1e9, best_val = 1e9;
  for (int i = 0; i < reps; i++) {
    isthmus_error *err = NULL;
    double t0 = now_ms();
    isthmus_module *m = bin_decode(NULL, bytes, len, &err);
    double t1 = now_ms();
    if (!m) {
      printf("%s: decode error: %s at %lld\n", path, err->message, (long long)err->offset);
      return 1;
    }
    err = vld_module(m);
    double t2 = now_ms();
    if (err) {
      printf("%s: invalid: %s (offset %lld, func %lld)\n", path, err->message,
             (long long)err->offset, (long long)err->func);
      return 1;
    }
    if (i == 0) {
      uint32_t ms = 0, md = 0;
      for (uint32_t f = m->num_func_imports; f < m->num_funcs; f++) {
        if (m->funcs[f].max_stack > ms) ms = m->funcs[f].max_stack;
        if (m->funcs[f].max_depth > md) md = m->funcs[f].max_depth;
      }
      printf("%s: %zu bytes, %u functions (%u defined); max stack %u, max depth %u\n", path, len,
             m->num_funcs, m->num_funcs - m->num_func_imports, ms, md);
    }
    bin_module_free(m);
    if (t1 - t0 < best_dec) best_dec = t1 - t0;
    if (t2 - t1 < best_val) best_val = t2 - t1;
  }
  printf("decode %.2f ms, validate %.2f ms (best of %d)\n", best_dec, best_val, reps);
  free(bytes);
  return 0;
}

/* Byte flips, overwrites with interesting values, and truncations of a valid module. */
static int mutate_module(const char *path, int reps) {
  size_t len;
  uint8_t *orig = read_file(path, &len);
  if (!orig || len < 9) {
    printf("cannot read %s\n", path);
    return 1;
  }
  uint8_t *buf = malloc(len);
  uint64_t seed = 0x9E3779B97F4A7C15ull;
  int counts[8] = {0};
  static const uint8_t interesting[] = {0x00, 0x01, 0x0B, 0x40, 0x7F, 0x80, 0xFF, 0x05, 0x0C, 0x0E, 0xFC, 0x1C};
  for (int i = 0; i < reps; i++) {
    memcpy(buf, orig, len);
    size_t n = len;
    int edits = 1 + i % 4;
    for (int k = 0; k < edits; k++) {
      seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
      size_t at = 8 + (size_t)(seed >> 16) % (len - 8);
      switch (seed & 3) {
        case 0: buf[at] ^= (uint8_t)(1u << ((seed >> 8) & 7)); break;
        case 1: buf[at] = interesting[(seed >> 8) % sizeof interesting]; break;
        case 2: buf[at] = (uint8_t)(seed >> 24); break;
        case 3: if (k == 0) n = at; break;
      }
    }
    isthmus_error *err = load(buf, n);
    counts[err ? err->kind : 0]++;
    isthmus_error_delete(err);
  }
  printf("%d mutants: %d valid, %d malformed, %d invalid, %d other\n", reps, counts[0],
         counts[ISTHMUS_ERR_MALFORMED], counts[ISTHMUS_ERR_INVALID],
         reps - counts[0] - counts[ISTHMUS_ERR_MALFORMED] - counts[ISTHMUS_ERR_INVALID]);
  free(buf);
  free(orig);
  return 0;
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  if (argc >= 3 && strcmp(argv[1], "--mutate") == 0)
    return mutate_module(argv[2], argc > 3 ? atoi(argv[3]) : 10000);
  if (argc >= 3 && strcmp(argv[1], "--time") == 0)
    return time_module(argv[2], argc > 3 ? atoi(argv[3]) : 20);
  if (argc == 1) {
    if (run_own_tests()) return 1;
  } else {
    for (int i = 1; i < argc; i++) run_json(argv[i]);
  }
  printf("%d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
