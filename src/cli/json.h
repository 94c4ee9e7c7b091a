/* json.h — a small JSON reader for the spec-test runner (RFC 8259). Builds a tree of
 * malloc'd nodes. Strings are decoded to UTF-8 with explicit lengths (they may hold NUL).
 * Bad input gives an error message with line and column, never a crash: nesting depth is
 * bounded and every read is checked against the end of the text. */
#ifndef ISTHMUS_CLI_JSON_H
#define ISTHMUS_CLI_JSON_H

#include <stdbool.h>
#include <stddef.h>

typedef enum json_type {
  JSON_NULL,
  JSON_BOOL,
  JSON_NUMBER,
  JSON_STRING,
  JSON_ARRAY,
  JSON_OBJECT,
} json_type;

typedef struct json_value json_value;
typedef struct json_member json_member;

struct json_value {
  json_type type;
  union {
    bool boolean;
    double number;
    struct {
      char *ptr; /* NUL-terminated as well */
      size_t len;
    } string;
    struct {
      json_value *items;
      size_t count;
    } array;
    struct {
      json_member *members;
      size_t count;
    } object;
  } u;
};

struct json_member {
  char *key; /* NUL-terminated as well */
  size_t key_len;
  json_value value;
};

/* Parses text[0..len). Returns a tree to free with json_free, or NULL with a message like
 * "line 3, column 7: expected ':'" in err. */
json_value *json_parse(const char *text, size_t len, char *err, size_t errlen);
void json_free(json_value *v);

/* The member named key of an object, or NULL (also when v is not an object). */
const json_value *json_get(const json_value *v, const char *key);
/* The member's string and its length, or NULL when absent or not a string. */
const char *json_get_str(const json_value *v, const char *key, size_t *len);
/* The member when it is an array, or NULL when absent or not an array. */
const json_value *json_get_array(const json_value *v, const char *key);
/* The member as a non-negative integer, or def when absent or not a number. */
long json_get_long(const json_value *v, const char *key, long def);

#endif
