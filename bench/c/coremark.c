/* A CoreMark-like mix, written for this benchmark: per iteration
 *   - a linked list of 256 records: reversal, search, insertion sort by value and key,
 *   - a 24x24 int16 matrix: add constant, multiply by a vector and by a matrix, bit
 *     extraction from the products,
 *   - a state machine that classifies comma-separated tokens (integer, decimal,
 *     exponent form, invalid),
 * each result folded into a CRC that depends on the previous iteration. */
#include "work.h"

#define LIST_N 256
#define MAT_N 24
#define SM_LEN 2048

typedef struct node {
  struct node *next;
  int16_t value;
  uint16_t key;
} node;

static node pool[LIST_N];
static int16_t mat_a[MAT_N * MAT_N], mat_b[MAT_N * MAT_N];
static int32_t mat_c[MAT_N * MAT_N];
static uint8_t sm_text[SM_LEN];

static node *list_build(uint32_t *seed) {
  node *head = 0;
  for (int i = LIST_N - 1; i >= 0; i--) {
    pool[i].value = (int16_t)(work_xorshift32(seed) & 0x7fff);
    pool[i].key = (uint16_t)i;
    pool[i].next = head;
    head = &pool[i];
  }
  return head;
}

static node *list_reverse(node *l) {
  node *prev = 0;
  while (l) {
    node *n = l->next;
    l->next = prev;
    prev = l;
    l = n;
  }
  return prev;
}

static int list_find(node *l, int16_t v) {
  for (int i = 0; l; l = l->next, i++)
    if (l->value == v) return i;
  return -1;
}

/* Insertion sort on a singly linked list; by_key selects the field. */
static node *list_sort(node *l, int by_key) {
  node *sorted = 0;
  while (l) {
    node *n = l->next;
    int32_t v = by_key ? l->key : l->value;
    node **p = &sorted;
    while (*p && (by_key ? (*p)->key : (*p)->value) < v) p = &(*p)->next;
    l->next = *p;
    *p = l;
    l = n;
  }
  return sorted;
}

static uint32_t list_work(uint32_t crc, uint32_t *seed) {
  node *l = list_build(seed);
  l = list_reverse(l);
  int found = 0;
  for (int i = 0; i < 32; i++) found += list_find(l, (int16_t)(pool[(i * 37) & (LIST_N - 1)].value));
  l = list_sort(l, 0);
  for (node *n = l; n; n = n->next) crc = work_crc32c_byte(crc, (uint8_t)n->value);
  l = list_sort(l, 1);
  crc = work_crc32c_byte(crc, (uint8_t)found);
  return work_crc32c_byte(crc, (uint8_t)l->value);
}

static uint32_t matrix_work(uint32_t crc, uint32_t *seed) {
  for (int i = 0; i < MAT_N * MAT_N; i++) {
    mat_a[i] = (int16_t)(work_xorshift32(seed) & 0xff) - 128;
    mat_b[i] = (int16_t)(work_xorshift32(seed) & 0xff) - 100;
  }
  int16_t k = (int16_t)(crc & 0x3f);
  for (int i = 0; i < MAT_N * MAT_N; i++) mat_a[i] = (int16_t)(mat_a[i] + k);
  /* matrix times vector (row 0 of b) */
  int32_t acc = 0;
  for (int i = 0; i < MAT_N; i++) {
    int32_t s = 0;
    for (int j = 0; j < MAT_N; j++) s += mat_a[i * MAT_N + j] * mat_b[j];
    acc += s;
  }
  /* matrix times matrix */
  for (int i = 0; i < MAT_N; i++)
    for (int j = 0; j < MAT_N; j++) {
      int32_t s = 0;
      for (int m = 0; m < MAT_N; m++) s += mat_a[i * MAT_N + m] * mat_b[m * MAT_N + j];
      mat_c[i * MAT_N + j] = s;
    }
  /* bit extraction, as CoreMark's matrix_mul_matrix_bitextract does */
  for (int i = 0; i < MAT_N * MAT_N; i++) acc += (mat_c[i] >> 2) & 0xf;
  crc = work_crc32c_byte(crc, (uint8_t)acc);
  return work_crc32c_byte(crc, (uint8_t)(acc >> 8));
}

enum { S_START, S_INT, S_SIGN, S_DOT, S_FRAC, S_EXP, S_EXP_SIGN, S_EXP_DIGITS, S_INVALID };

static void sm_fill(uint32_t *seed) {
  static const char alphabet[] = "0123456789+-.eE,,x";
  for (int i = 0; i < SM_LEN; i++) sm_text[i] = (uint8_t)alphabet[work_xorshift32(seed) % (sizeof alphabet - 1)];
}

static uint32_t sm_work(uint32_t crc) {
  uint32_t counts[S_INVALID + 1] = {0};
  int state = S_START;
  for (int i = 0; i < SM_LEN; i++) {
    uint8_t c = sm_text[i];
    if (c == ',') {
      counts[state]++;
      state = S_START;
      continue;
    }
    int digit = c >= '0' && c <= '9';
    switch (state) {
    case S_START: state = digit ? S_INT : (c == '+' || c == '-') ? S_SIGN : c == '.' ? S_DOT : S_INVALID; break;
    case S_SIGN: state = digit ? S_INT : c == '.' ? S_DOT : S_INVALID; break;
    case S_INT: state = digit ? S_INT : c == '.' ? S_FRAC : (c == 'e' || c == 'E') ? S_EXP : S_INVALID; break;
    case S_DOT: state = digit ? S_FRAC : S_INVALID; break;
    case S_FRAC: state = digit ? S_FRAC : (c == 'e' || c == 'E') ? S_EXP : S_INVALID; break;
    case S_EXP: state = digit ? S_EXP_DIGITS : (c == '+' || c == '-') ? S_EXP_SIGN : S_INVALID; break;
    case S_EXP_SIGN:
    case S_EXP_DIGITS: state = digit ? S_EXP_DIGITS : S_INVALID; break;
    default: break;
    }
  }
  for (int s = 0; s <= S_INVALID; s++) crc = work_crc32c_byte(crc, (uint8_t)counts[s]);
  return crc;
}

int32_t bench_coremark(int32_t iters) {
  uint32_t seed = 0x12345678u, crc = 0xffffffffu;
  sm_fill(&seed);
  for (int32_t it = 0; it < iters; it++) {
    crc = list_work(crc, &seed);
    crc = matrix_work(crc, &seed);
    crc = sm_work(crc);
    sm_text[it % SM_LEN] = (uint8_t)("0123456789,.e"[crc % 13]);
  }
  return (int32_t)crc;
}
